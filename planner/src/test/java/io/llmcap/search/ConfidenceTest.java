package io.llmcap.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.catalog.Catalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code search.seeds}: the interval on max QPS covers what searches with other seeds find, shrinks
 * as probes grow, and does not depend on the threads a search runs its probes on.
 */
class ConfidenceTest {
  /** A small deployment under a tail SLO, so that a few hundred requests give a noisy answer. */
  private static String space(int requests) {
    return """
        name: confidence
        models: [{name: meta-llama/Llama-2-7b-hf}]
        clusters: [{sku: a100, node: a100_pairwise_nvlink, gpus: 1}]
        tensor_parallel: [1]
        schedulers: [{type: vllm}]
        batch_size_caps: [128]
        workloads:
          - {name: chat, preset: chat, requests: %d, min_duration: 1, start_qps: 4}
        slos:
          - {metric: ttft, quantile: 0.9, max_s: 1.0}
        search: {seeds: 5}
        predictor: {type: roofline}
        """
        .formatted(requests);
  }

  private static SearchSpace load(Path tmp, int requests, String... overrides) throws IOException {
    Path file = Files.writeString(tmp.resolve("space-" + requests + ".yml"), space(requests));
    return SearchSpaces.load(file, List.of(overrides));
  }

  private static DeploymentMetrics search(SearchSpace s, Path tmp, int threads) {
    Catalog catalog = Catalog.builtin();
    DeploymentSpec d = Expansion.of(s, catalog, tmp).deployments().get(0);
    return DeploymentSearch.run(d, s, catalog, tmp, threads).deployment().metrics();
  }

  @Test
  void ninetyPercentIntervalCoversOtherSeeds(@TempDir Path tmp) throws IOException {
    DeploymentMetrics m = search(load(tmp, 200), tmp, 1);
    assertNotNull(m.maxQpsLow());
    assertTrue(m.maxQpsLow() <= m.maxQps() && m.maxQps() <= m.maxQpsHigh(), m.toString());
    int inside = 0;
    List<Double> others = new ArrayList<>();
    for (int seed = 1000; seed < 1020; seed++) {
      DeploymentMetrics o = search(load(tmp, 200, "seed=" + seed, "search.seeds=1"), tmp, 1);
      assertNull(o.maxQpsLow(), "no interval with one seed");
      assertNull(o.maxQpsHigh());
      others.add(o.maxQps());
      if (o.maxQps() >= m.maxQpsLow() && o.maxQps() <= m.maxQpsHigh()) {
        inside++;
      }
    }
    // 20 draws at 90% coverage: P(fewer than 15 inside) < 1.2%
    assertTrue(
        inside >= 15, inside + "/20 in [" + m.maxQpsLow() + ", " + m.maxQpsHigh() + "]: " + others);
    // the seeds do differ here, so the interval is not just the bracket
    assertTrue(others.stream().distinct().count() > 3, others.toString());
  }

  @Test
  void intervalShrinksAsProbesGrow(@TempDir Path tmp) throws IOException {
    double previous = Double.POSITIVE_INFINITY;
    for (int requests : new int[] {100, 400, 1600}) {
      DeploymentMetrics m = search(load(tmp, requests), tmp, 1);
      double width = (m.maxQpsHigh() - m.maxQpsLow()) / m.maxQps();
      assertTrue(
          width < previous, requests + " requests: relative width " + width + " ≥ " + previous);
      previous = width;
    }
  }

  @Test
  void sameRowWithParallelProbes(@TempDir Path tmp) throws IOException {
    SearchSpace s = load(tmp, 200);
    Catalog catalog = Catalog.builtin();
    DeploymentSpec d = Expansion.of(s, catalog, tmp).deployments().get(0);
    DeploymentSearch.Result a = DeploymentSearch.run(d, s, catalog, tmp, 1);
    DeploymentSearch.Result b = DeploymentSearch.run(d, s, catalog, tmp, 3);
    assertEquals(a.probes(), b.probes());
    assertEquals(a.deployment().metrics().maxQpsLow(), b.deployment().metrics().maxQpsLow());
    assertEquals(a.deployment().metrics().maxQpsHigh(), b.deployment().metrics().maxQpsHigh());
    assertEquals(a.deployment().maxQps(), b.deployment().maxQps());
    assertTrue(a.probes().stream().map(ProbeResult::seed).distinct().count() == 5);
  }
}
