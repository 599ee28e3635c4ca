package io.llmcap.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.catalog.Catalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Early termination of failing probes must not change what a search finds. */
class EarlyStopTest {
  private static final String SPACE =
      """
      name: early-stop
      models: [{name: meta-llama/Llama-2-7b-hf}]
      clusters: [{sku: a100, node: a100_pairwise_nvlink, gpus: 2}]
      tensor_parallel: [1]
      schedulers: [{type: vllm}, {type: sarathi, chunk_sizes: [512]}]
      batch_size_caps: [128]
      workloads:
        - {name: chat, preset: chat, requests: 200, min_duration: 20, start_qps: 4}
      slos:
        - {metric: ttft, quantile: 0.9, max_s: 1.0}
        - {metric: tbt, quantile: 0.99, max_s: 0.2}
        - {metric: scheduling_delay, quantile: 0.99, max_s: 2.0}
      predictor: {type: roofline}
      """;

  @Test
  void sameCapacityWithAndWithoutEarlyStop(@TempDir Path tmp) throws IOException {
    Path file = Files.writeString(tmp.resolve("space.yml"), SPACE);
    SearchSpace on = SearchSpaces.load(file);
    SearchSpace off = SearchSpaces.load(file, List.of("search.early_stop=false"));
    assertTrue(on.search().earlyStop());
    Catalog catalog = Catalog.builtin();
    List<DeploymentSpec> deployments = Expansion.of(on, catalog, tmp).deployments();
    assertEquals(2, deployments.size());
    long stopped = 0;
    for (DeploymentSpec d : deployments) {
      DeploymentSearch.Result a = DeploymentSearch.run(d, on, catalog, tmp);
      DeploymentSearch.Result b = DeploymentSearch.run(d, off, catalog, tmp);
      assertEquals(b.deployment().maxQps(), a.deployment().maxQps(), d.id());
      assertEquals(b.probes().size(), a.probes().size(), "same probe sequence");
      for (int i = 0; i < a.probes().size(); i++) {
        ProbeResult pa = a.probes().get(i);
        ProbeResult pb = b.probes().get(i);
        assertEquals(pb.qps(), pa.qps());
        assertEquals(pb.passed(), pa.passed(), "probe " + i + " at " + pa.qps() + " QPS");
        assertTrue(!pb.stoppedEarly());
        if (pa.stoppedEarly()) {
          stopped++;
          assertTrue(pa.requests() < pb.requests(), "a stopped probe simulates fewer requests");
        }
      }
      assertEquals(b.deployment().ttftP90(), a.deployment().ttftP90(), "best probe unchanged");
      assertTrue(a.deployment().simulatedRequests() <= b.deployment().simulatedRequests());
    }
    assertTrue(stopped > 0, "the search's failing probes stopped early");
  }
}
