package io.llmcap.search;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.llmcap.catalog.Catalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine warm-up (run while the Spark session starts) only compiles code and measures the
 * capacity estimate ahead: a search after it finds what a search without it does, probe for probe.
 */
class WarmUpTest {
  private static final String SPACE =
      """
      name: warm-up
      models: [{name: meta-llama/Llama-2-7b-hf}]
      clusters: [{sku: a100, node: a100_pairwise_nvlink, gpus: 1}]
      tensor_parallel: [1]
      schedulers: [{type: sarathi, chunk_sizes: [512]}]
      batch_size_caps: [128]
      workloads:
        - {name: chat, preset: chat, requests: 300, min_duration: 20, start_qps: 4}
      slos:
        - {metric: ttft, quantile: 0.9, max_s: 1.0}
      predictor: {type: roofline}
      """;

  @Test
  void aSearchAfterTheWarmUpFindsTheSame(@TempDir Path tmp) throws IOException {
    SearchSpace space = SearchSpaces.load(Files.writeString(tmp.resolve("space.yml"), SPACE));
    Catalog catalog = Catalog.builtin();
    DeploymentSpec d = Expansion.of(space, catalog, tmp).deployments().get(0);
    DeploymentSearch.Result cold = DeploymentSearch.run(d, space, catalog, tmp);
    DeploymentSearch.warmUp(d, space, catalog, tmp, () -> false);
    DeploymentSearch.Result warm = DeploymentSearch.run(d, space, catalog, tmp);
    assertEquals(cold.probes(), warm.probes());
    assertEquals(cold.deployment().maxQps(), warm.deployment().maxQps());
    assertEquals(cold.deployment().ttftP90(), warm.deployment().ttftP90());
    // the estimate's requests count once, whoever measured them
    assertEquals(cold.deployment().simulatedRequests(), warm.deployment().simulatedRequests());
  }
}
