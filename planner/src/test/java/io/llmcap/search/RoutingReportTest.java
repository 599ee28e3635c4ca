package io.llmcap.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.search.Pareto.Group;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Pareto report where a (model, workload) compares routers and CPU tiers (issue 16): each
 * deployment names its router and tier, and one line per setting says which wins per dollar, by how
 * much, with each best's prefix hit rate.
 */
class RoutingReportTest {

  /** {@code r} with another router, CPU tier and prefix hit rate (NaN: none measured). */
  static DeploymentResult with(DeploymentResult r, String router, double cpuGib, double hitRate)
      throws ReflectiveOperationException {
    RecordComponent[] cs = DeploymentMetrics.class.getRecordComponents();
    Object[] v = new Object[cs.length];
    Class<?>[] types = new Class<?>[cs.length];
    for (int i = 0; i < cs.length; i++) {
      v[i] = cs[i].getAccessor().invoke(r.metrics());
      types[i] = cs[i].getType();
      switch (cs[i].getName()) {
        case "router" -> v[i] = router;
        case "cpuOffloadGib" -> v[i] = cpuGib;
        case "prefixHitRate" -> v[i] = hitRate;
        default -> {}
      }
    }
    return new DeploymentResult(
        r.deploymentId(),
        r.settings(),
        DeploymentMetrics.class.getDeclaredConstructor(types).newInstance(v));
  }

  @Test
  void namesTheWinningRouterAndTierAndTheirMargins() throws ReflectiveOperationException {
    // $1/GPU-hour on 4 GPUs: capacity per dollar is QPS / 4
    List<DeploymentResult> rows =
        List.of(
            with(ParetoTest.row("a", "h100", 1.0, 8, 0.5, 0.05), "round_robin", 0, 0.20),
            with(ParetoTest.row("b", "h100", 1.0, 10, 0.5, 0.05), "lor", 0, 0.25),
            with(ParetoTest.row("c", "h100", 1.0, 14, 0.5, 0.05), "prefix_aware", 64, 0.60),
            with(ParetoTest.row("d", "h100", 1.0, 12, 0.5, 0.05), "prefix_aware", 0, 0.50),
            // outside the TTFT threshold: no router's best
            with(ParetoTest.row("e", "h100", 1.0, 30, 5.0, 0.05), "lor", 64, 0.30));
    Group g = Pareto.analyze(rows, ParetoTest.T).get(0);
    List<String> lines = ParetoReport.routingLines(g, ParetoTest.T);
    assertEquals(2, lines.size(), lines.toString());
    String routers = lines.get(0);
    assertTrue(
        routers.startsWith(
            "routers: prefix_aware wins, 1.40x the QPS per $/hour of the best lor ("),
        routers);
    assertTrue(routers.contains("lor: h100 x4 TP1 PP1"), routers);
    assertTrue(routers.contains("[c], 3.500 QPS per $/hour, prefix hit rate 60.0%"), routers);
    assertTrue(routers.contains("round_robin: "), routers);
    // 3.5 against 3.0 (d, the best without a tier)
    assertTrue(
        lines
            .get(1)
            .startsWith(
                "CPU tiers: CPU tier 64 GiB wins, 1.17x the QPS per $/hour of the"
                    + " best no CPU tier"),
        lines.get(1));
    DeploymentResult c = rows.get(2);
    assertTrue(
        ParetoReport.describe(c, g).endsWith(" cap 128, router prefix_aware, CPU tier 64 GiB"),
        ParetoReport.describe(c, g));
    assertTrue(
        ParetoReport.describe(rows.get(0), g).endsWith(", router round_robin, no CPU tier"),
        ParetoReport.describe(rows.get(0), g));
    // out of a comparison only what is not the default is named
    assertFalse(ParetoReport.describe(rows.get(0)).contains("router"));
    assertTrue(ParetoReport.describe(rows.get(1)).endsWith(", router lor"));
    List<String> summary =
        ParetoReport.summary(
            List.of(g),
            rows,
            new ParetoReport.Info("s", "book", List.of(), 0, java.util.Map.of(), 1.0),
            ParetoTest.T);
    assertTrue(summary.contains("    " + routers), summary.toString());
  }

  @Test
  void noLineWithoutAComparisonAndAVerdictWhenOnlyOneMeetsTheSlos()
      throws ReflectiveOperationException {
    List<DeploymentResult> plain =
        List.of(
            ParetoTest.row("a", "h100", 1.0, 8, 0.5, 0.05),
            ParetoTest.row("b", "h100", 1.0, 9, 0.5, 0.05));
    assertEquals(
        List.of(),
        ParetoReport.routingLines(Pareto.analyze(plain, ParetoTest.T).get(0), ParetoTest.T));
    List<DeploymentResult> one =
        List.of(
            with(ParetoTest.row("a", "h100", 1.0, 8, 0.5, 0.05), "round_robin", 0, Double.NaN),
            with(ParetoTest.row("b", "h100", 1.0, 0, 0.5, 0.05), "lor", 0, Double.NaN));
    List<String> lines =
        ParetoReport.routingLines(Pareto.analyze(one, ParetoTest.T).get(0), ParetoTest.T);
    assertEquals(1, lines.size());
    assertTrue(
        lines.get(0).startsWith("routers: only round_robin meets the SLOs with a price ("),
        lines.get(0));
    assertTrue(lines.get(0).contains("lor: none met the SLOs"), lines.get(0));
    assertFalse(lines.get(0).contains("hit rate"), "no hit rate measured: " + lines.get(0));
    assertEquals(
        Arrays.asList("router", "router_options", "cpu_offload_gib"),
        ResultColumns.of(DeploymentMetrics.class).stream()
            .map(ResultColumns.Column::name)
            .toList()
            .subList(50, 53));
  }
}
