package io.llmcap.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.PriceBook;
import io.llmcap.config.SimulationConfig;
import io.llmcap.search.DisaggregationDimension.Layout;
import io.llmcap.search.DisaggregationDimension.Pool;
import io.llmcap.search.Pareto.Group;
import io.llmcap.setup.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disaggregated layouts in a search (issue 15): the {@code disaggregation} block's values, ids,
 * budgets and errors, per-pool pricing, the appended columns, and the Pareto report's layout
 * marking and verdict. Most need no disaggregated simulation; three bind or run the simulator's
 * {@code cluster.disaggregation} block.
 */
class DisaggregationSearchTest {
  private static final Catalog CATALOG = Catalog.builtin();

  /** Llama-2-7B on 8 A100s or H100s; prefill on H100 TP1/2, decode on H100 or H200 TP1. */
  private static final String SPACE =
      """
      name: disagg-test
      models: [{name: meta-llama/Llama-2-7b-hf}]
      clusters: [{sku: h100, node: h100_dgx, gpus: 8}]
      tensor_parallel: [1, 2]
      schedulers: [{type: vllm_v1}]
      workloads: [{name: fixed, length_type: fixed, prefill_tokens: 1000, decode_tokens: 100}]
      predictor: {type: roofline}
      """;

  private static final String BLOCK =
      """
      disaggregation:
        prefill: [{sku: h100, node: h100_dgx, tensor_parallel: [1, 2]}]
        decode:
          - {sku: h100, node: h100_dgx}
          - {sku: h200, node: h200_dgx}
        ratios: [1P1D, 1P2D, 2P1D, 1P3D]
        gpus: 8
      """;

  private static Path write(Path dir, String text) throws IOException {
    return Files.writeString(dir.resolve("space.yml"), text);
  }

  private static List<Layout> layouts(SearchSpace s) {
    List<Layout> out = new ArrayList<>();
    for (Object o : s.dimensions().get("disaggregation")) {
      out.add((Layout) o);
    }
    return out;
  }

  /**
   * Values: aggregated first, then prefill shape × decode shape × ratio (ratios innermost), each
   * ratio scaled by the largest k whose k·x prefill and k·y decode replicas fit the 8 GPUs.
   */
  @Test
  void layoutsAreTheProductScaledToTheBudget(@TempDir Path tmp) throws IOException {
    List<Layout> v = layouts(SearchSpaces.load(write(tmp, SPACE + BLOCK)));
    assertNull(v.get(0), "aggregated first");
    assertEquals(1 + 2 * 2 * 4, v.size());
    // prefill TP1 (1 GPU), decode h100 TP1 (1 GPU): 1P1D x4, 1P2D x2 (6 GPUs), 2P1D x2, 1P3D x2
    List<String> first = new ArrayList<>();
    for (Layout l : v.subList(1, 5)) {
      first.add(l.ratio() + "=" + l.xPyD() + "/" + l.totalGpus());
      assertEquals("h100", l.decode().sku());
      assertEquals(1, l.prefill().tp());
    }
    assertEquals(List.of("1P1D=4P4D/8", "1P2D=2P4D/6", "2P1D=4P2D/6", "1P3D=2P6D/8"), first);
    // prefill TP2 (2 GPUs): 1P1D 3 GPUs -> k 2; 1P2D 4 -> 2; 2P1D 5 -> 1; 1P3D 5 -> 1
    List<String> tp2 = new ArrayList<>();
    for (Layout l : v.subList(9, 13)) {
      tp2.add(l.xPyD() + "/" + l.totalGpus());
      assertEquals(2, l.prefill().tp());
    }
    assertEquals(List.of("2P2D/6", "2P4D/8", "2P1D/5", "1P3D/5"), tp2);
    assertEquals("h200", v.get(5).decode().sku());
    assertEquals("round_robin", v.get(1).prefillRouter());
    assertEquals("free_kv", v.get(1).decodeRouter());

    // without a budget, a ratio is its replicas; aggregated: false leaves the aggregated out
    List<Layout> exact =
        layouts(
            SearchSpaces.load(
                write(tmp, SPACE + BLOCK.replace("  gpus: 8\n", "  aggregated: false\n"))));
    assertEquals(16, exact.size());
    assertEquals("1P3D", exact.get(3).xPyD());
    // per-pool budgets: 4 prefill GPUs, 2 decode GPUs
    Layout perPool =
        layouts(
                SearchSpaces.load(
                    write(
                        tmp,
                        SPACE
                            + BLOCK.replace(
                                "  gpus: 8\n", "  prefill_gpus: 4\n  decode_gpus: 2\n"))))
            .get(1);
    assertEquals("2P2D", perPool.xPyD(), "k = min(4 / 1, 2 / 1) = 2");
  }

  /**
   * Aggregated deployments keep their ids and order; each layout is one deployment with its own id;
   * the shape dimensions take its prefill pool's single value; the expansion is deterministic.
   */
  @Test
  void aggregatedIdsStayAndLayoutsAreOneDeploymentEach(@TempDir Path tmp) throws IOException {
    List<DeploymentSpec> plain =
        Expansion.points(SearchSpaces.load(write(tmp, SPACE)), Dimensions.DEFAULT);
    SearchSpace s = SearchSpaces.load(write(tmp, SPACE + BLOCK));
    List<DeploymentSpec> all = Expansion.points(s, Dimensions.DEFAULT);
    assertEquals(plain.size() + 16, all.size(), "one point per layout");
    assertEquals(
        plain.stream().map(DeploymentSpec::id).toList(),
        all.stream().filter(d -> d.layout() == null).map(DeploymentSpec::id).toList());
    assertEquals(
        all.stream().map(DeploymentSpec::id).toList(),
        Expansion.points(SearchSpaces.load(write(tmp, SPACE + BLOCK)), Dimensions.DEFAULT).stream()
            .map(DeploymentSpec::id)
            .toList(),
        "deterministic");
    assertEquals(all.size(), new HashSet<>(all.stream().map(DeploymentSpec::id).toList()).size());

    DeploymentSpec d = all.stream().filter(x -> x.layout() != null).findFirst().orElseThrow();
    assertEquals("4P4D", d.layout().xPyD());
    assertEquals(8, d.gpus(), "both pools");
    assertEquals("h100", d.sku());
    assertEquals(1, d.tp());
    assertEquals(4, d.replicas(), "the row's shape columns are the prefill pool's");
    assertEquals(Dimensions.DEFAULT.columns().size(), d.cells().size(), "no columns of its own");
    assertEquals(
        "meta-llama/Llama-2-7b-hf on disaggregated 4P4D prefill 4x h100 TP1 PP1, decode 4x h100"
            + " TP1 PP1 (round_robin/free_kv) vllm_v1 cap 128 / fixed",
        Expansion.describe(d));
    // the id hashes the pools, not the ratio's name: 1P1D at k 2 is 2P2D's id
    List<String> key = new ArrayList<>();
    Dimensions.DISAGGREGATION.id(d.layout(), key);
    assertEquals(
        List.of(
            "disagg",
            "P=h100/h100_dgx/tp1/pp1/r4",
            "D=h100/h100_dgx/tp1/pp1/r4",
            "round_robin/free_kv"),
        key);
  }

  /** A layout over its budget or with an excluded TP is skipped with the reason. */
  @Test
  void overBudgetAndExcludedLayoutsSaySo(@TempDir Path tmp) throws IOException {
    SearchSpace s = SearchSpaces.load(write(tmp, SPACE + BLOCK.replace("gpus: 8", "gpus: 4")));
    List<String> reasons = new ArrayList<>();
    for (DeploymentSpec d : Expansion.points(s, Dimensions.DEFAULT)) {
      if (d.layout() != null) {
        reasons.add(d.layout().xPyD() + ": " + Expansion.shapeReason(d, s));
      }
    }
    // prefill TP1, decode TP1: 1P1D doubled into 4 GPUs; the rest fit once
    assertEquals(
        List.of("2P2D: null", "1P2D: null", "2P1D: null", "1P3D: null"), reasons.subList(0, 4));
    // prefill TP2: 2P1D and 1P3D need 5 GPUs
    assertEquals("1P1D: null", reasons.get(8));
    assertEquals(
        "2P1D: disaggregation.gpus: 2P1D of h100 TP2 PP1 and h100 TP1 PP1 needs 5 GPUs, more than"
            + " the budget of 4",
        reasons.get(10));
    assertEquals(
        "1P3D: disaggregation.gpus: 1P3D of h100 TP2 PP1 and h100 TP1 PP1 needs 5 GPUs, more than"
            + " the budget of 4",
        reasons.get(11));
    // a TP the model excludes, in either pool
    SearchSpace excluded =
        SearchSpaces.load(
            write(tmp, SPACE.replace("Llama-2-7b-hf}", "Llama-2-7b-hf, exclude_tp: [2]}") + BLOCK));
    long skipped =
        Expansion.points(excluded, Dimensions.DEFAULT).stream()
            .filter(d -> d.layout() != null)
            .map(d -> Expansion.shapeReason(d, excluded))
            .filter("TP2 excluded for this model"::equals)
            .count();
    assertEquals(8, skipped, "the prefill TP2 layouts");
    Layout perPool =
        new Layout(
            "1P3D",
            new Pool("h100", "h100_dgx", 2, 1, false, 1),
            new Pool("h200", "h200_dgx", 2, 1, true, 3),
            "round_robin",
            "free_kv",
            null,
            null,
            4);
    assertEquals(
        "disaggregation.decode_gpus: 1P3D of h100 TP2 PP1 and h200 TP2 EP2 PP1 needs 6 decode"
            + " GPUs, more than the decode budget of 4",
        perPool.overBudget());
  }

  /** Bad input in the block: one error naming the entry, the value and what is allowed. */
  @Test
  void badInputNamesTheEntry(@TempDir Path tmp) throws IOException {
    Path file = write(tmp, SPACE + BLOCK);
    for (String[] bad :
        new String[][] {
          {"disaggregation.ratios=[1P1D, 1P0D]", "disaggregation.ratios[1]: value '1P0D'"},
          {"disaggregation.ratios=[1P1D, 1P1D]", "disaggregation.ratios: lists 1P1D twice"},
          {"disaggregation.ratios=[]", "disaggregation.ratios: must be a non-empty list"},
          {"disaggregation.prefill=[]", "disaggregation.prefill: must be a non-empty list"},
          {"disaggregation.decode=[{sku: h100}]", "disaggregation.decode[0]: needs sku and node"},
          {
            "disaggregation.prefill=[{sku: h100, node: h100_dgx, tensor_parallel: [2, 0]}]",
            "disaggregation.prefill[0].tensor_parallel[1]: value '0' is not allowed"
          },
          {"disaggregation.gpus=0", "disaggregation.gpus: value '0' is not allowed"},
          {"disaggregation.decode_router=lor2", "disaggregation.decode_router: unknown router"},
          {"disaggregation.prefill_router=free_kv", "disaggregation.prefill_router: unknown"},
          {"disaggregation.rattios=[1P1D]", "unknown key 'rattios'"},
          {"disaggregation=[1P1D]", "disaggregation: expected a mapping"}
        }) {
      ConfigException e =
          assertThrows(
              ConfigException.class, () -> SearchSpaces.load(file, List.of(bad[0])), bad[0]);
      assertTrue(e.getMessage().contains(bad[1]), bad[0] + " -> " + e.getMessage());
      assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
    // catalog names: checked once, before anything is simulated
    for (String[] bad :
        new String[][] {
          {
            "disaggregation.decode=[{sku: h300, node: h100_dgx}]",
            "disaggregation.decode.sku: unknown"
          },
          {
            "disaggregation.decode=[{sku: h200, node: h100_dgx}]",
            "disaggregation.decode.node: value 'h100_dgx' is not allowed; allowed: a node type with"
                + " h200 GPUs: h200_dgx"
          }
        }) {
      SearchSpace s = SearchSpaces.load(file, List.of(bad[0]));
      ConfigException e =
          assertThrows(ConfigException.class, () -> Expansion.of(s, CATALOG, tmp), bad[0]);
      assertTrue(e.getMessage().contains(bad[1]), bad[0] + " -> " + e.getMessage());
    }
  }

  /** Mixed SKUs: each pool's GPUs at its SKU's price; a pool SKU without a price: unpriced. */
  @Test
  void mixedSkusArePricedPerPool(@TempDir Path tmp) throws IOException {
    SearchSpace s = SearchSpaces.load(write(tmp, SPACE + BLOCK));
    assertEquals(
        "hyperstack-2026-08",
        s.priceBook(),
        "the newest book pricing the clusters' and the pools' SKUs (h100 and h200)");
    DeploymentSpec mixed =
        Expansion.points(s, Dimensions.DEFAULT).stream()
            .filter(d -> d.layout() != null && d.layout().decode().sku().equals("h200"))
            .findFirst()
            .orElseThrow();
    assertEquals("4P4D", mixed.layout().xPyD());
    PriceBook book = new PriceBook("b", "2026", "test", Map.of("h100", 3.0, "h200", 4.0), Map.of());
    assertEquals(4 * 3.0 + 4 * 4.0, DeploymentSearch.dollarsPerHour(mixed, book), 1e-12);
    PriceBook h100Only = new PriceBook("b", "2026", "test", Map.of("h100", 3.0), Map.of());
    assertNull(DeploymentSearch.dollarsPerHour(mixed, h100Only));
    DeploymentSpec aggregated =
        Expansion.points(s, Dimensions.DEFAULT).stream()
            .filter(d -> d.layout() == null)
            .findFirst()
            .orElseThrow();
    assertEquals(8 * 3.0, DeploymentSearch.dollarsPerHour(aggregated, h100Only), 1e-12);
  }

  /** The layout columns come after every existing column. */
  @Test
  void layoutColumnsAreAppended() {
    List<String> names =
        DeploymentResult.columns().stream().map(ResultColumns.Column::name).toList();
    assertEquals(
        List.of(
            "price_book",
            "layout",
            "prefill_sku",
            "prefill_node",
            "prefill_tp",
            "prefill_pp",
            "prefill_ep",
            "prefill_replicas",
            "decode_sku",
            "decode_node",
            "decode_tp",
            "decode_pp",
            "decode_ep",
            "decode_replicas",
            "kv_transfer_p50",
            "kv_transfer_p90",
            "kv_transfer_p99",
            "kv_transfer_mean",
            "decode_kv_wait_p99",
            "decode_kv_wait_mean"),
        names.subList(names.indexOf("price_book"), names.indexOf("decode_kv_wait_mean") + 1));
    // an aggregated row: "aggregated" and the rest empty
    Object[] v = ParetoTest.row("a", "h100", 2.0, 8, 0.5, 0.05).values(DeploymentResult.columns());
    assertEquals("aggregated", v[names.indexOf("layout")]);
    for (int i = names.indexOf("layout") + 1; i <= names.indexOf("decode_kv_wait_mean"); i++) {
      assertNull(v[i], names.get(i));
    }
    Object[] d = disagg("x", 1, 2, "h200", 3.0, 9, 0.5, 0.05).values(DeploymentResult.columns());
    assertEquals("disaggregated", d[names.indexOf("layout")]);
    assertEquals("h200", d[names.indexOf("decode_sku")]);
    assertEquals(2, d[names.indexOf("decode_replicas")]);
    assertEquals(0.012, d[names.indexOf("kv_transfer_p99")]);
  }

  /**
   * A hand-written disaggregated row: {@code p}P{@code dd}D of 4-GPU h100 prefill and 4-GPU {@code
   * decodeSku} decode replicas, priced at {@code price} $/GPU-hour for all, with max QPS, TTFT p90
   * and TBT p99.
   */
  static DeploymentResult disagg(
      String id,
      int p,
      int dd,
      String decodeSku,
      double price,
      double qps,
      double ttft,
      double tbt) {
    DeploymentResult base = ParetoTest.row(id, "h100", price, qps, ttft, tbt);
    DeploymentMetrics m = base.metrics();
    int gpus = 4 * (p + dd);
    double perHour = price * gpus;
    return new DeploymentResult(
        id,
        base.settings(),
        new DeploymentMetrics(
            gpus,
            perHour,
            m.maxQps(),
            null,
            null,
            qps / perHour,
            m.failingSlo(),
            false,
            true,
            m.ttftP50(),
            m.ttftP90(),
            m.ttftP99(),
            m.tbtP50(),
            m.tbtP99(),
            m.batchTimeP99(),
            m.tpotP50(),
            m.e2eP50(),
            m.e2eP90(),
            m.e2eP99(),
            m.schedulingDelayP99(),
            m.outputTokensPerS(),
            m.mfu(),
            m.kvUsageMean(),
            m.batchSizeMean(),
            m.probes(),
            m.simulatedRequests(),
            m.wallS(),
            m.dtype(),
            m.kvCacheDtype(),
            1,
            m.priceBook(),
            DeploymentMetrics.DISAGGREGATED,
            "h100",
            "h100_dgx",
            4,
            1,
            1,
            p,
            decodeSku,
            decodeSku + "_dgx",
            4,
            1,
            4,
            dd,
            0.004,
            0.008,
            0.012,
            0.005,
            0.0,
            0.0,
            "round_robin",
            null,
            0,
            Double.NaN,
            Double.NaN,
            Double.NaN));
  }

  /**
   * The report: disaggregated rows described by their pools, drawn as their own series, and per
   * (model, workload) a verdict line naming the winning layout and its margin per dollar.
   */
  @Test
  void reportMarksLayoutsAndNamesTheWinner(@TempDir Path dir) throws Exception {
    // aggregated best: 40 QPS at $16/h (2.5 QPS per $/hour); disaggregated best: 1P2D of three
    // 4-GPU replicas, 45 QPS at $24/h... and 1P1D on h200 at 48 QPS / $16/h = 3.0
    List<DeploymentResult> rows =
        List.of(
            ParetoTest.row("a", "a100", 2.0, 8, 0.5, 0.05),
            ParetoTest.row("d", "h100", 4.0, 40, 1.0, 0.05),
            disagg("x", 1, 2, "h100", 2.0, 45, 0.6, 0.04),
            disagg("y", 1, 1, "h200", 2.0, 48, 0.7, 0.03),
            disagg("z", 2, 1, "h200", 2.0, 99, 3.0, 0.03)); // outside the TTFT SLO
    Group g = Pareto.analyze(rows, ParetoTest.T).get(0);
    Pareto.LayoutVerdict v = Pareto.verdict(g, ParetoTest.T);
    assertEquals("d", v.aggregated().deploymentId());
    assertEquals("y", v.disaggregated().deploymentId());
    assertEquals(3.0 / 2.5, v.ratio(), 1e-12);
    assertEquals("disaggregated", v.winner());
    assertEquals("1P1D h100 TP4 PP1 → h200 TP4 EP4 PP1", ParetoReport.shape(rows.get(3)));

    List<String> summary =
        ParetoReport.write(
            dir,
            rows,
            new ParetoReport.Info("x", "book", Slo.DEFAULTS, 0, Map.of(), 1.0),
            best -> {
              assertEquals("y", best.deploymentId());
              return ParetoTest.latencies();
            });
    String text = String.join("\n", summary);
    assertTrue(
        text.contains(
            "    aggregated vs disaggregated: disaggregated wins, 1.20x the QPS per $/hour of the"
                + " best aggregated (best disaggregated: 1P1D h100 TP4 PP1 → h200 TP4 EP4 PP1"
                + " sarathi chunk 512 cap 128 [y], 3.000 QPS per $/hour; best aggregated: h100 x4"
                + " TP1 PP1 sarathi chunk 512 cap 128 [d], 2.500)"),
        text);
    String html = Files.readString(dir.resolve("index.html"));
    assertTrue(
        html.contains(
            "<p class=\"layouts\"><b>Aggregated vs disaggregated:</b> disaggregated wins,"),
        html);
    assertTrue(html.contains("disaggregated deployments as crosses"), html);
    List<String> frontier = Files.readAllLines(dir.resolve("frontier.csv"));
    assertTrue(
        frontier
            .get(0)
            .endsWith(
                ",ep,layout,prefill_sku,prefill_tp,prefill_pp,prefill_ep,"
                    + "prefill_replicas,decode_sku,decode_tp,decode_pp,decode_ep,decode_replicas,"
                    + "router,router_options,cpu_offload_gib,prefix_hit_rate"));
    assertTrue(
        frontier.stream()
            .anyMatch(
                l ->
                    l.contains(",y,")
                        && l.endsWith(
                            ",disaggregated,h100,4,1,1,1,h200,4,1,4,1,round_robin,,0.0,")),
        frontier.toString());

    // aggregated wins: the margin is aggregated over disaggregated
    List<DeploymentResult> aggWins =
        List.of(
            ParetoTest.row("d", "h100", 4.0, 40, 1.0, 0.05),
            disagg("x", 1, 2, "h100", 2.0, 45, 0.6, 0.04));
    String line =
        ParetoReport.layoutLine(Pareto.analyze(aggWins, ParetoTest.T).get(0), ParetoTest.T);
    assertTrue(
        line.startsWith(
            "aggregated vs disaggregated: aggregated wins, 1.33x the QPS per $/hour of the best"
                + " disaggregated"),
        line);
    // only one layout within the SLOs; none; a group of one layout has no line
    List<DeploymentResult> onlyDisagg =
        List.of(
            ParetoTest.row("d", "h100", 4.0, 40, 3.0, 0.05),
            disagg("x", 1, 2, "h100", 2.0, 45, 0.6, 0.04));
    assertTrue(
        ParetoReport.layoutLine(Pareto.analyze(onlyDisagg, ParetoTest.T).get(0), ParetoTest.T)
            .startsWith(
                "aggregated vs disaggregated: only disaggregated deployments meet the SLOs with a"
                    + " price; best 1P2D h100 TP4 PP1 → h100 TP4 EP4 PP1"));
    List<DeploymentResult> neither =
        List.of(ParetoTest.row("d", "h100", 4.0, 0, 0, 0), disagg("x", 1, 2, "h100", 2.0, 0, 0, 0));
    assertEquals(
        "aggregated vs disaggregated: neither layout has a priced deployment within the SLOs",
        ParetoReport.layoutLine(Pareto.analyze(neither, ParetoTest.T).get(0), ParetoTest.T));
    assertNull(
        ParetoReport.layoutLine(
            Pareto.analyze(List.of(rows.get(0), rows.get(1)), ParetoTest.T).get(0), ParetoTest.T));
  }

  /**
   * The shipped {@code disagg.yml}: the points and shape skips the header comment counts (396
   * deployments: two token budgets, before the simulation's own checks skip expert parallelism on
   * for the dense model).
   */
  @Test
  void shippedDisaggConfigExpandsAsDocumented() {
    Path file =
        Path.of(System.getProperty("user.dir")).getParent().resolve("search-configs/disagg.yml");
    SearchSpace s = SearchSpaces.load(file);
    List<DeploymentSpec> points = Expansion.points(s, Dimensions.DEFAULT);
    Map<String, int[]> counts = new java.util.TreeMap<>();
    Set<String> ids = new HashSet<>();
    for (DeploymentSpec d : points) {
      boolean dense = d.model().startsWith("meta-llama");
      boolean ep =
          d.layout() == null ? d.get(Dimensions.EXPERT_PARALLEL) : d.layout().decode().ep();
      if (Expansion.shapeReason(d, s) != null || !ids.add(d.id()) || (dense && ep)) {
        continue;
      }
      counts
          .computeIfAbsent(
              d.model() + " " + (d.layout() == null ? "agg" : "disagg"), k -> new int[1])[0]++;
    }
    assertEquals(2 * 3 * 4, counts.get("meta-llama/Llama-3.1-70B-Instruct agg")[0]);
    assertEquals(2 * 3 * 18, counts.get("meta-llama/Llama-3.1-70B-Instruct disagg")[0]);
    assertEquals(2 * 3 * 8, counts.get("mistralai/Mixtral-8x7B-Instruct-v0.1 agg")[0]);
    assertEquals(2 * 3 * 36, counts.get("mistralai/Mixtral-8x7B-Instruct-v0.1 disagg")[0]);
  }

  /**
   * With the engine's {@code cluster.disaggregation} in the run config: a layout's probe config
   * binds: both pools as the layout says (each pool's batch cap the search's cap × its PP), the
   * routers, and the cluster's own shape keys at their defaults.
   */
  @Test
  void disaggregatedProbeConfigBindsToTheContract(@TempDir Path tmp) throws IOException {
    SearchSpace s = SearchSpaces.load(write(tmp, SPACE + BLOCK));
    DeploymentSpec d =
        Expansion.points(s, Dimensions.DEFAULT).stream()
            .filter(x -> x.layout() != null && x.layout().decode().sku().equals("h200"))
            .findFirst()
            .orElseThrow();
    JsonNode tree = d.toConfig(2, 42, s.predictor(), tmp);
    JsonNode block = tree.path("cluster").path("disaggregation");
    assertEquals("h100", block.path("prefill").path("sku").asText());
    assertEquals("h200_dgx", block.path("decode").path("node").asText());
    assertEquals(4, block.path("decode").path("replicas").asInt());
    assertEquals(128, block.path("decode").path("batch_size_cap").asInt());
    assertEquals("free_kv", block.path("decode_router").asText());
    JsonNode defaults = ConfigLoader.defaults().path("cluster");
    for (String k : List.of("sku", "node", "tensor_parallel", "pipeline_parallel", "replicas")) {
      assertEquals(defaults.path(k), tree.path("cluster").path(k), k + " left at its default");
    }
    SimulationConfig c = ConfigLoader.bind(tree);
    assertNotNull(c.cluster());
  }

  /**
   * One 1P1D layout of Llama-2-7B (H100 prefill, H200 decode) searched end to end: the row says
   * what ran, is priced per pool, and carries the transfer metrics.
   */
  @Test
  void disaggregatedDeploymentIsSearched(@TempDir Path tmp) throws IOException {
    SearchSpace s =
        SearchSpaces.load(
            write(
                tmp,
                SPACE
                    + BLOCK
                        .replace("ratios: [1P1D, 1P2D, 2P1D, 1P3D]", "ratios: [1P1D]")
                        .replace("tensor_parallel: [1, 2]", "tensor_parallel: [1]")
                        .replace("  gpus: 8\n", "  aggregated: false\n")
                    + "search: {max_probes: 6}\n"
                    + "workloads: [{name: fixed, length_type: fixed, prefill_tokens: 1000,"
                    + " decode_tokens: 100, requests: 100, min_duration: 5}]\n"),
            List.of());
    Expansion x = Expansion.of(s, CATALOG, tmp);
    assertEquals(2, x.deployments().size(), x.skipped().toString());
    DeploymentSpec mixed = x.deployments().get(1);
    DeploymentResult r = DeploymentSearch.run(mixed, s, CATALOG, tmp).deployment();
    assertTrue(r.disaggregated());
    assertEquals("h200", r.metrics().decodeSku());
    assertEquals(1, r.metrics().decodeReplicas());
    assertEquals(2, r.gpus());
    PriceBook book = CATALOG.priceBook(s.priceBook(), "price_book");
    assertEquals(
        book.price("h100").getAsDouble() + book.price("h200").getAsDouble(),
        r.dollarsPerHour(),
        1e-9);
    assertTrue(r.maxQps() > 0, r.toString());
    assertTrue(r.metrics().kvTransferP99() > 0, "the transfer metrics come from the run");
    assertTrue(r.metrics().kvTransferP50() <= r.metrics().kvTransferP99());
    assertFalse(Double.isNaN(r.metrics().decodeKvWaitP99()));
  }

  /**
   * The shipped {@code disagg.yml} expands to the 396 deployments its header names, the dense
   * model's expert-parallel decode pools skipped by the simulation's check.
   */
  @Test
  void shippedDisaggConfigExpandsWithTheSimulationsChecks() {
    Path file =
        Path.of(System.getProperty("user.dir")).getParent().resolve("search-configs/disagg.yml");
    Expansion x = Expansion.of(SearchSpaces.load(file), CATALOG, file.getParent());
    assertEquals(396, x.deployments().size(), x.skipReasons().toString());
  }
}
