package io.llmcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compatibility bar: replaying each reference run's exact requests with its config and
 * the same profiles (measured MLP and network, synthetic attention) lands within 10% of its TTFT,
 * end-to-end and scheduling-delay p50 and p90, and within 15% of their p99 and the per-token TBT
 * p50 and p99. The translated config predicts with a random forest of the reference's settings
 * (Tribuo's, not scikit-learn's, so close rather than identical).
 *
 * <p>The same replay with llmcap's default LightGBM predictor is held to the same bars but one: S2
 * runs near saturation, where the median scheduling delay moves about ten times any change in batch
 * time, and LightGBM fits the step of GEMM times just above 512 tokens more closely than a bagged
 * forest (which blends each row with its neighbours), so S2's median delay lands 16% below the
 * reference's.
 */
class ReferenceCompatibilityTest {
  /** Metric key to relative tolerance. */
  private static final Map<String, Double> TOLERANCE = tolerances();

  private static Map<String, Double> tolerances() {
    Map<String, Double> t = new java.util.LinkedHashMap<>();
    for (String m : List.of("ttft_s", "e2e_s", "scheduling_delay_s")) {
      t.put(m + "_p50", 0.10);
      t.put(m + "_p90", 0.10);
      t.put(m + "_p99", 0.15);
    }
    t.put("tbt_s_p50", 0.15);
    t.put("tbt_s_p99", 0.15);
    return t;
  }

  /** Wider bounds for LightGBM, see the class comment. */
  private static final Map<String, Double> LIGHTGBM_GAPS =
      Map.of("S2_llama3_8b_sarathi:scheduling_delay_s_p50", 0.20);

  static Stream<String> runs() {
    return Stream.of("S2_llama3_8b_sarathi", "S3_llama2_7b_vllm_2rep", "S4_llama2_70b_tp4_pp2");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runs")
  void matchesTheReferenceRun(String name, @TempDir Path tmp) throws IOException {
    compare(name, tmp, "random_forest", Map.of());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runs")
  void lightGbmStaysCloseToTheReferenceRun(String name, @TempDir Path tmp) throws IOException {
    compare(name, tmp, "lightgbm", LIGHTGBM_GAPS);
  }

  private static void compare(String name, Path tmp, String predictor, Map<String, Double> gaps)
      throws IOException {
    Path shared = Cli.shared();
    Path data = shared == null ? null : shared.resolve("data");
    Assumptions.assumeTrue(
        data != null && Files.isDirectory(data), "no shared data (llmcap.shared=" + shared + ")");
    Path ref = data.resolve("reference-runs").resolve(name);
    Path out = tmp.resolve("run");
    List<String> args = new ArrayList<>(Cli.replayReference(data, name, out));
    if (!predictor.equals("random_forest")) {
      args.addAll(List.of("--set", "predictor.type=" + predictor));
    }
    Cli.run(args.toArray(String[]::new)).ok();
    JsonNode ours = Cli.json(out.resolve("summary.json"));
    JsonNode theirs = Cli.json(ref.resolve("summary.json"));
    assertTrue(
        ours.get("predictor").asText().startsWith(predictor.replace('_', ' ')), ours.toString());
    assertEquals(theirs.get("requests").asLong(), ours.get("requests_completed").asLong());

    StringBuilder table = new StringBuilder();
    table.append(
        String.format(Locale.ROOT, "%n== %s: llmcap (%s) vs reference%n", name, predictor));
    table.append(
        String.format(
            Locale.ROOT,
            "  %-22s %10s %10s %8s %6s%n",
            "metric",
            "llmcap",
            "reference",
            "diff",
            "tol"));
    List<String> outside = new ArrayList<>();
    for (var e : TOLERANCE.entrySet()) {
      double o = ours.get(e.getKey()).asDouble();
      double t = theirs.get(e.getKey()).asDouble();
      double diff = o / t - 1;
      double tol = gaps.getOrDefault(name + ":" + e.getKey(), e.getValue());
      boolean ok = Math.abs(diff) <= tol;
      table.append(
          String.format(
              Locale.ROOT,
              "  %-22s %10.5f %10.5f %+7.1f%% %5.0f%%%s%n",
              e.getKey(),
              o,
              t,
              100 * diff,
              100 * tol,
              (ok ? "" : "  OUT") + (tol != e.getValue() ? "  (known gap)" : "")));
      if (!ok) {
        outside.add(e.getKey());
      }
    }
    table.append("  predictor: ").append(ours.get("predictor").asText()).append('\n');
    System.out.print(table);
    assertTrue(outside.isEmpty(), "outside tolerance: " + outside + table);
  }
}
