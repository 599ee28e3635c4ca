package io.llmcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code search-configs/multi-turn.yml} as shipped (issue 16): chat sessions on four H100s, four
 * routers × CPU tier off/on, run end to end. The rows record the router, the tier and the hit rates
 * per tier, and routing by cached prefix hits more than round robin on every shape and tier.
 */
class MultiTurnSearchTest {
  @TempDir static Path tmp;
  static Cli.Result result;
  static List<Map<String, String>> rows;

  @BeforeAll
  static void search() {
    Path out = tmp.resolve("multi-turn");
    result =
        Cli.run(
                "search",
                Cli.root().resolve("search-configs/multi-turn.yml").toString(),
                "--master",
                "local[2]",
                "--out",
                out.toString())
            .ok();
    rows = MoeFp8SearchTest.csv(out.resolve("deployments.csv"));
  }

  @Test
  void everyRouterAndTierIsSearchedWithItsHitRates() {
    assertEquals(16, rows.size(), result.out());
    for (Map<String, String> r : rows) {
      assertTrue(
          Set.of("round_robin", "lor", "prefix_aware", "session_affinity")
              .contains(r.get("router")),
          r.toString());
      assertTrue(Set.of("0.0", "256.0").contains(r.get("cpu_offload_gib")), r.toString());
      if (Double.parseDouble(r.get("max_qps")) == 0) {
        continue;
      }
      double all = Double.parseDouble(r.get("prefix_hit_rate"));
      double gpu = Double.parseDouble(r.get("prefix_hit_rate_gpu"));
      double cpu = Double.parseDouble(r.get("prefix_hit_rate_cpu"));
      assertEquals(all, gpu + cpu, 1e-9, r.toString());
      if (r.get("cpu_offload_gib").equals("0.0")) {
        assertEquals(0.0, cpu, r.toString());
      }
    }
    assertTrue(result.out().contains("    routers: "), result.out());
    assertTrue(result.out().contains("    CPU tiers: "), result.out());
  }

  @Test
  void prefixAwareRoutingHitsMoreThanRoundRobin() {
    for (String tp : List.of("1", "2")) {
      for (String cpu : List.of("0.0", "256.0")) {
        double rr = hitRate(tp, cpu, "round_robin");
        double pa = hitRate(tp, cpu, "prefix_aware");
        assertTrue(pa > rr, "TP" + tp + " CPU " + cpu + ": " + pa + " vs " + rr);
      }
    }
  }

  private static double hitRate(String tp, String cpu, String router) {
    return rows.stream()
        .filter(
            r ->
                r.get("tp").equals(tp)
                    && r.get("cpu_offload_gib").equals(cpu)
                    && r.get("router").equals(router))
        .mapToDouble(r -> Double.parseDouble(r.get("prefix_hit_rate")))
        .findFirst()
        .orElseThrow();
  }
}
