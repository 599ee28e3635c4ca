package io.llmcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code search-configs/moe-fp8.yml} as shipped (issue 14, must-hold 3): Qwen3-30B-A3B on four
 * H100s, TP 1/2/4 × bf16/fp8 weights × expert parallelism off/on, run end to end. The rows record
 * what ran (dtype, KV dtype, EP degree, price book) and the Pareto report separates the precisions.
 */
class MoeFp8SearchTest {
  @TempDir static Path tmp;
  static Path out;
  static Cli.Result result;
  static List<Map<String, String>> rows;

  @BeforeAll
  static void search() {
    out = tmp.resolve("moe-fp8");
    result =
        Cli.run(
                "search",
                Cli.root().resolve("search-configs/moe-fp8.yml").toString(),
                "--master",
                "local[2]",
                "--out",
                out.toString())
            .ok();
    rows = csv(out.resolve("deployments.csv"));
  }

  /** The rows of a results CSV by column name (these have no quoted cells). */
  static List<Map<String, String>> csv(Path file) {
    List<String> lines = Cli.lines(file);
    String[] header = lines.get(0).split(",");
    List<Map<String, String>> out = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",", -1);
      Map<String, String> row = new HashMap<>();
      for (int i = 0; i < header.length; i++) {
        row.put(header[i], cells[i]);
      }
      out.add(row);
    }
    return out;
  }

  private static String layout(Map<String, String> r) {
    return "TP" + r.get("tp") + " EP" + r.get("ep");
  }

  @Test
  void everyLayoutAndPrecisionIsSearchedAndRecorded() throws IOException {
    // TP1 (EP on is EP off there), TP2 and TP4 with EP off and on; each in bf16 and fp8: 10
    int skipped = Cli.lines(out.resolve("skipped.csv")).size() - 1;
    assertEquals(10, rows.size() + skipped, result.out());
    Set<String> searched = new TreeSet<>();
    for (Map<String, String> r : rows) {
      assertEquals("Qwen/Qwen3-30B-A3B", r.get("model"));
      assertEquals("bf16", r.get("kv_cache_dtype"), "auto: a 16-bit KV cache");
      assertEquals("aws-2026-11", r.get("price_book"), "the newest book that prices H100");
      int tp = Integer.parseInt(r.get("tp"));
      int ep = Integer.parseInt(r.get("ep"));
      assertTrue(ep == 1 || ep == tp, "EP is 1 or TP: " + r);
      assertEquals(4 / tp, Integer.parseInt(r.get("replicas")), "replicas fill the 4 GPUs");
      searched.add(layout(r) + " " + r.get("dtype"));
    }
    // the multi-GPU layouts, both precisions, EP off and on (TP1 bf16 may not fit one H100)
    for (String l : List.of("TP2 EP1", "TP2 EP2", "TP4 EP1", "TP4 EP4")) {
      assertTrue(searched.contains(l + " bf16") && searched.contains(l + " fp8"), searched + "");
    }
    assertTrue(searched.contains("TP1 EP1 fp8"), searched + "");

    // the report separates the precisions: the best of each, named in the text and on the page
    assertTrue(result.out().contains("(price book aws-2026-11)"), result.out());
    assertTrue(result.out().contains("    best in bf16: h100 x"), result.out());
    assertTrue(result.out().contains("    best in fp8: h100 x"), result.out());
    String html = Files.readString(out.resolve("report/index.html"));
    assertTrue(html.contains("Best per precision"), html);
    assertTrue(html.contains("<td>bf16</td>") && html.contains("<td>fp8</td>"), html);
    assertTrue(html.contains(" TP4 EP4 PP1 fp8 vllm_v1"), "EP and precision in the names");
    List<String> frontier = Cli.lines(out.resolve("report/frontier.csv"));
    assertTrue(frontier.get(0).contains(",dtype,kv_cache_dtype,ep,"), frontier.get(0));
  }

  /**
   * fp8 weights serve more than bf16 at every layout searched in both: half the weight bytes to
   * read per decode step and, on the H100, twice the tensor-core peak.
   *
   * <p><b>Depends on the ATTENTION+PRECISION lane of issue 14</b> (precision in cost and memory)
   * and on the MOE lane (expert weights read per step): on the search branch alone every format
   * costs as bf16, so this fails with equal max QPS. Not disabled: it is the check that the merged
   * lanes make the search's fp8 column mean something.
   */
  @Test
  void fp8ServesMoreThanBf16AtEveryLayout() {
    Map<String, Double> bf16 = new HashMap<>();
    Map<String, Double> fp8 = new HashMap<>();
    for (Map<String, String> r : rows) {
      (r.get("dtype").equals("fp8") ? fp8 : bf16)
          .put(layout(r), Double.parseDouble(r.get("max_qps")));
    }
    List<String> compared = new ArrayList<>();
    for (String l : bf16.keySet()) {
      if (fp8.containsKey(l)) {
        assertTrue(bf16.get(l) > 0, l + " bf16 serves some QPS");
        assertTrue(
            fp8.get(l) > bf16.get(l),
            l + ": fp8 max QPS " + fp8.get(l) + " not above bf16's " + bf16.get(l));
        compared.add(l);
      }
    }
    assertTrue(compared.size() >= 4, "compared " + compared);
  }
}
