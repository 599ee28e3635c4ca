package io.llmcap.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.metrics.Distribution;
import io.llmcap.search.Pareto.Group;
import io.llmcap.search.Pareto.Metric;
import io.llmcap.search.Pareto.Thresholds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParetoTest {
  static final Thresholds T = new Thresholds(2.0, 0.2);

  /** A row on 4 GPUs: {@code price} $/GPU-hour (null: unpriced), max QPS, TTFT p90, TBT p99. */
  static DeploymentResult row(
      String id, String sku, Double price, double qps, double ttft, double tbt) {
    return row(id, sku, price, qps, ttft, tbt, "bf16", "bf16", 1);
  }

  /** As above, with the weights' and KV cache's formats and the EP degree that ran. */
  static DeploymentResult row(
      String id,
      String sku,
      Double price,
      double qps,
      double ttft,
      double tbt,
      String dtype,
      String kvCache,
      int ep) {
    Double perHour = price == null ? null : price * 4;
    double nan = Double.NaN;
    boolean served = qps > 0;
    return new DeploymentResult(
        id,
        settings(
            "model",
            "org/model",
            "workload",
            "chat",
            "sku",
            sku,
            "node",
            sku + "_node",
            "tp",
            1,
            "pp",
            1,
            "replicas",
            4,
            "scheduler",
            "sarathi",
            "chunk_size",
            512,
            "max_tokens_in_batch",
            null,
            "batch_size_cap",
            128,
            "speculative_method",
            null,
            "num_speculative_tokens",
            null,
            "acceptance_rate",
            null),
        new DeploymentMetrics(
            4,
            perHour,
            qps,
            null,
            null,
            perHour == null ? null : qps / perHour,
            served ? null : "ttft_p90",
            false,
            true,
            nan,
            served ? ttft : nan,
            nan,
            nan,
            served ? tbt : nan,
            nan,
            nan,
            nan,
            nan,
            nan,
            nan,
            nan,
            nan,
            nan,
            nan,
            8,
            800,
            0.5,
            dtype,
            kvCache,
            ep,
            "book"));
  }

  @Test
  void frontierKeepsOnlyUndominatedRows() {
    List<DeploymentResult> rows =
        List.of(
            row("a", "a100", 2.0, 8, 0.5, 0.05), // cap/$ 1.0 at 0.5 s
            row("b", "a100", 2.0, 16, 1.5, 0.05), // 2.0 at 1.5 s
            row("c", "a100", 2.0, 12, 1.8, 0.05), // dominated by b
            row("d", "h100", 4.0, 40, 1.0, 0.05), // 2.5 at 1.0 s: dominates b
            row("e", "h100", 4.0, 0, 0, 0), // no capacity: never plotted
            row("f", "h200", null, 99, 0.1, 0.01)); // no price: never on the $ axis
    List<DeploymentResult> f = Pareto.frontier(rows, DeploymentResult::ttftP90);
    assertEquals(List.of("a", "d"), f.stream().map(DeploymentResult::deploymentId).toList());
  }

  @Test
  void bestIsMostCapacityPerDollarWithinTheSlos() {
    List<DeploymentResult> rows =
        List.of(
            row("a", "a100", 2.0, 8, 0.5, 0.05),
            row("b", "a100", 2.0, 30, 2.5, 0.05), // most cap/$ but TTFT over 2 s
            row("d", "h100", 4.0, 40, 1.0, 0.05),
            row("f", "h200", null, 99, 0.1, 0.01));
    List<Group> groups = Pareto.analyze(rows, T);
    assertEquals(1, groups.size());
    Group g = groups.get(0);
    assertEquals("d", g.best().deploymentId());
    assertEquals(
        List.of("a", "d", "f"), g.compliant().stream().map(r -> r.deploymentId()).toList());
    assertEquals(3, g.plotted().size());
    assertEquals(List.of("f"), g.unpriced().stream().map(r -> r.deploymentId()).toList());
    assertEquals(
        List.of("a", "d", "b"),
        g.frontiers().get(Metric.TTFT_P90).stream().map(r -> r.deploymentId()).toList());
  }

  @Test
  void thresholdsComeFromTheSearchSlos() {
    assertEquals(new Thresholds(2.0, 0.2), Thresholds.of(Slo.DEFAULTS));
    assertEquals(
        new Thresholds(1.0, 0.2),
        Thresholds.of(List.of(new Slo("ttft", 0.9, 1.0), new Slo("scheduling_delay", 0.99, 5))));
  }

  @Test
  void reportWithoutCapacityHasNoBestAndNoPlots(@TempDir Path dir) throws Exception {
    List<DeploymentResult> rows =
        List.of(row("a", "a100", 2.0, 0, 0, 0), row("b", "h100", 4.0, 0, 0, 0));
    Group g = Pareto.analyze(rows, T).get(0);
    assertNull(g.best());
    List<String> summary =
        ParetoReport.write(
            dir,
            rows,
            new ParetoReport.Info("x", "book", Slo.DEFAULTS, 1, Map.of("why", 1), 1.0),
            best -> {
              throw new AssertionError("no best deployment, nothing to rerun: " + best);
            });
    assertTrue(
        summary.contains("org/model / chat: no deployment met the SLOs (ttft_p90 missed by 2)"),
        String.join("\n", summary));
    assertTrue(Files.readString(dir.resolve("index.html")).contains("Nothing to plot"));
    assertEquals(1, Files.readAllLines(dir.resolve("frontier.csv")).size(), "header only");
  }

  @Test
  void reportPlotsAndNamesTheWinner(@TempDir Path dir) throws Exception {
    List<DeploymentResult> rows =
        List.of(
            row("a", "a100", 2.0, 8, 0.5, 0.05),
            row("d", "h100", 4.0, 40, 1.0, 0.05),
            row("f", "h200", null, 99, 0.1, 0.01));
    List<String> summary =
        ParetoReport.write(
            dir,
            rows,
            new ParetoReport.Info("x", "book", Slo.DEFAULTS, 0, Map.of(), 1.0),
            best -> {
              assertEquals("d", best.deploymentId());
              return latencies();
            });
    String text = String.join("\n", summary);
    assertTrue(
        text.contains("org/model / chat: best h100 x4 TP1 PP1 sarathi chunk 512 cap 128 [d]"),
        text);
    assertTrue(text.contains("max QPS 40.00, $16.00/hour, 2.500 QPS per $/hour"), text);
    assertTrue(text.contains("no price for h200: best of those by QPS per GPU"), text);
    assertTrue(Files.size(dir.resolve("org_model__chat-ttft_p90.png")) > 1000);
    assertTrue(Files.size(dir.resolve("org_model__chat-tbt_p99.png")) > 1000);
    assertTrue(Files.size(dir.resolve("org_model__chat-max_qps.png")) > 1000);
    assertTrue(Files.size(dir.resolve("org_model__chat-best_cdf.png")) > 1000);
    List<String> frontier = Files.readAllLines(dir.resolve("frontier.csv"));
    assertTrue(frontier.get(0).startsWith("model,workload,metric,value_s,deployment_id"));
    assertTrue(
        frontier.stream()
            .anyMatch(l -> l.contains(",d,") && l.contains(",true,true,bf16,bf16,1,aggregated,")),
        frontier.toString());
    // one precision: the report names none, as before precisions were searched
    assertTrue(!text.contains("best in ") && !text.contains(" bf16"), text);
  }

  /**
   * A group comparing precisions: every row's description names its precision (and EP degree), the
   * summary and the page give the best of each precision, the scatter's legend has a series per SKU
   * and precision, and frontier.csv ends with the formats and EP degree.
   */
  @Test
  void reportSeparatesPrecisions(@TempDir Path dir) throws Exception {
    List<DeploymentResult> rows =
        List.of(
            row("b16", "h100", 4.0, 20, 0.5, 0.05, "bf16", "bf16", 1),
            row("f8", "h100", 4.0, 30, 0.6, 0.04, "fp8", "bf16", 4),
            row("f8kv", "h100", 4.0, 25, 0.4, 0.03, "fp8", "fp8", 1),
            row("slow", "h100", 4.0, 0, 0, 0, "int4", "bf16", 1));
    Group g = Pareto.analyze(rows, T).get(0);
    assertEquals(List.of("bf16", "fp8", "fp8 KV fp8", "int4"), ParetoReport.precisions(g));
    Map<String, DeploymentResult> best = ParetoReport.bestPerPrecision(g);
    assertEquals("b16", best.get("bf16").deploymentId());
    assertEquals("f8", best.get("fp8").deploymentId());
    assertEquals("f8kv", best.get("fp8 KV fp8").deploymentId());
    assertNull(best.get("int4"), "no int4 row met the SLOs");
    List<String> summary =
        ParetoReport.write(
            dir,
            rows,
            new ParetoReport.Info("x", "book", Slo.DEFAULTS, 0, Map.of(), 1.0),
            b -> latencies());
    String text = String.join("\n", summary);
    assertTrue(
        text.contains("org/model / chat: best h100 x4 TP1 EP4 PP1 fp8 sarathi chunk 512 cap 128"),
        text);
    assertTrue(text.contains("    best in bf16: h100 x4 TP1 PP1 bf16 sarathi"), text);
    assertTrue(text.contains("    best in fp8 KV fp8: h100 x4 TP1 PP1 fp8 KV fp8 sarathi"), text);
    assertTrue(text.contains("    best in int4: none met the SLOs"), text);
    String html = Files.readString(dir.resolve("index.html"));
    assertTrue(html.contains("Best per precision"), html);
    assertTrue(html.contains("<td>fp8 KV fp8</td>"), html);
    List<String> frontier = Files.readAllLines(dir.resolve("frontier.csv"));
    assertTrue(frontier.get(0).contains(",best,dtype,kv_cache_dtype,ep,layout,"), frontier.get(0));
    assertTrue(
        frontier.stream()
            .anyMatch(l -> l.endsWith(",fp8,fp8,1,aggregated,,,,,,,,,,,round_robin,,0.0,")),
        frontier.toString());
  }

  /** A made-up probe: 100 requests with latencies spread over a decade. */
  static Measurement latencies() {
    Map<String, Distribution> m = new java.util.HashMap<>();
    for (String metric : List.of("ttft", "tbt", "batch_time", "tpot", "e2e", "scheduling_delay")) {
      Distribution d = new Distribution();
      for (int i = 1; i <= 100; i++) {
        d.add(0.01 * i * (metric.equals("e2e") ? 10 : 1));
      }
      m.put(metric, d);
    }
    return new Measurement(m, 100, 0.3, 0.5, 8, 100, 60, null, null);
  }

  /** Column name, value, ...: a row's dimension cells. */
  static java.util.Map<String, Object> settings(Object... kv) {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
