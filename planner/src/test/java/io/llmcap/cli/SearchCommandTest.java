package io.llmcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.catalog.Catalog;
import io.llmcap.report.ReportFiles;
import io.llmcap.search.DeploymentResult;
import io.llmcap.search.DeploymentSearch;
import io.llmcap.search.DeploymentSpec;
import io.llmcap.search.Expansion;
import io.llmcap.search.Measurement;
import io.llmcap.search.ProbeResult;
import io.llmcap.search.ResultColumns;
import io.llmcap.search.SearchSpace;
import io.llmcap.search.SearchSpaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code llmcap search} end to end on Spark {@code local[2]}: a four-deployment space (four more
 * combinations are invalid), 100 to a few hundred requests per probe, roofline predictor. The first
 * search starts and stops its own session, as the command line does; later searches reuse the
 * session this test holds.
 */
class SearchCommandTest {
  static final String MODEL = "meta-llama/Llama-2-7b-hf";

  /**
   * A tiny space: 2 SKUs x 2 schedulers searchable; TP 8 is above the a100 node's 4 GPUs and above
   * the h100 cluster's budget of 2.
   */
  static final String SPACE =
      """
      name: tiny
      models:
        - name: meta-llama/Llama-2-7b-hf
      clusters:
        - {sku: a100, node: a100_pairwise_nvlink, gpus: 8}
        - {sku: h100, node: h100_dgx, gpus: 2}
      tensor_parallel: [2, 8]
      schedulers:
        - {type: vllm}
        - {type: sarathi, chunk_sizes: [512]}
      batch_size_caps: [64]
      workloads:
        - {name: chat, preset: chat, requests: 100, min_duration: 10, start_qps: 4}
      predictor: {type: roofline}
      search:
        max_probes: 12
        granularity: 0.05
      """;

  /** The documented deployments schema (README, section Search): name and Spark type. */
  static final Map<String, String> DEPLOYMENT_COLUMNS = new LinkedHashMap<>();

  static {
    for (String c :
        List.of(
            "deployment_id:string",
            "model:string",
            "workload:string",
            "sku:string",
            "node:string",
            "tp:int",
            "pp:int",
            "replicas:int",
            "scheduler:string",
            "chunk_size:int",
            "max_tokens_in_batch:int",
            "batch_size_cap:int",
            "speculative_method:string",
            "num_speculative_tokens:int",
            "acceptance_rate:double",
            "gpus:int",
            "dollars_per_hour:double",
            "max_qps:double",
            "max_qps_low:double",
            "max_qps_high:double",
            "capacity_per_dollar:double",
            "failing_slo:string",
            "non_monotone:boolean",
            "bracket_closed:boolean",
            "ttft_p50:double",
            "ttft_p90:double",
            "ttft_p99:double",
            "tbt_p50:double",
            "tbt_p99:double",
            "batch_time_p99:double",
            "tpot_p50:double",
            "e2e_p50:double",
            "e2e_p90:double",
            "e2e_p99:double",
            "scheduling_delay_p99:double",
            "output_tokens_per_s:double",
            "mfu:double",
            "kv_usage_mean:double",
            "batch_size_mean:double",
            "probes:int",
            "simulated_requests:bigint",
            "wall_s:double",
            "dtype:string",
            "kv_cache_dtype:string",
            "ep:int",
            "price_book:string",
            "layout:string",
            "prefill_sku:string",
            "prefill_node:string",
            "prefill_tp:int",
            "prefill_pp:int",
            "prefill_ep:int",
            "prefill_replicas:int",
            "decode_sku:string",
            "decode_node:string",
            "decode_tp:int",
            "decode_pp:int",
            "decode_ep:int",
            "decode_replicas:int",
            "kv_transfer_p50:double",
            "kv_transfer_p90:double",
            "kv_transfer_p99:double",
            "kv_transfer_mean:double",
            "decode_kv_wait_p99:double",
            "decode_kv_wait_mean:double",
            "router:string",
            "router_options:string",
            "cpu_offload_gib:double",
            "prefix_hit_rate:double",
            "prefix_hit_rate_gpu:double",
            "prefix_hit_rate_cpu:double")) {
      String[] p = c.split(":");
      DEPLOYMENT_COLUMNS.put(p[0], p[1]);
    }
  }

  static final List<String> PROBE_COLUMNS =
      List.of(
          "deployment_id:string",
          "probe:int",
          "seed:bigint",
          "qps:double",
          "passed:boolean",
          "failing_slo:string",
          "ttft_p90:double",
          "tbt_p99:double",
          "batch_time_p99:double",
          "scheduling_delay_p99:double",
          "requests:bigint",
          "makespan_s:double",
          "stopped_early:boolean");

  @TempDir static Path tmp;
  static Path space;
  static Path first;
  static Cli.Result result;
  static SparkSession spark;

  @BeforeAll
  static void search() {
    space = Cli.write(tmp.resolve("tiny.yml"), SPACE);
    first = tmp.resolve("first/tiny");
    result =
        Cli.run("search", space.toString(), "--master", "local[2]", "--out", first.toString()).ok();
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("SearchCommandTest")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  @Test
  void printsExpansionProgressAndWinner() {
    String out = result.out();
    assertTrue(out.contains("search tiny: 4 deployments, 4 combinations skipped"), out);
    assertTrue(out.contains("searched 4 deployments"), out);
    assertTrue(out.contains(MODEL + " / chat: best "), out);
    assertTrue(out.contains("QPS per $/hour"), out);
    assertTrue(out.contains("wrote " + first), out);
    assertTrue(result.err().contains("search: 4/4 deployments"), result.err());
  }

  @Test
  void invalidCombinationsAreSkippedWithReasons() {
    String out = result.out();
    assertTrue(
        out.contains(
            "skipped "
                + MODEL
                + " on 1x a100 TP8 PP1 vllm cap 64 / chat: cluster.tensor_parallel: value '8' is"
                + " not allowed; allowed: at most 4 (the GPUs in one a100_pairwise_nvlink node)"),
        out);
    assertTrue(
        out.contains(
            "skipped "
                + MODEL
                + " on 1x h100 TP8 PP1 sarathi chunk 512 cap 64 / chat: a replica needs 8 GPUs,"
                + " more than the cluster's budget of 2"),
        out);
    List<String> skipped = Cli.lines(first.resolve("skipped.csv"));
    assertEquals("description,reason", skipped.get(0));
    assertEquals(5, skipped.size(), String.join("\n", skipped));
  }

  @Test
  void writesEveryOutput() throws IOException {
    for (String f :
        List.of(
            "deployments.csv",
            "probes.csv",
            "skipped.csv",
            "search.yml",
            "report/index.html",
            "report/frontier.csv")) {
      assertTrue(Files.isRegularFile(first.resolve(f)), f);
    }
    String group = "meta-llama_Llama-2-7b-hf__chat-";
    List<String> plots =
        List.of("ttft_p90.png", "tbt_p99.png", "max_qps.png", "best_cdf.png").stream()
            .map(p -> group + p)
            .toList();
    try (Stream<Path> s = Files.list(first.resolve("report"))) {
      assertEquals(
          plots.stream().sorted().toList(),
          s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".png")).sorted().toList());
    }
    assertEquals(plots, ReportFiles.checkPage(first.resolve("report/index.html")));
    String html = Files.readString(first.resolve("report/index.html"));
    assertTrue(html.contains("Pareto frontier") && html.contains("<img src="), html);
    // the staging folder was renamed into place
    try (Stream<Path> s = Files.list(first.getParent())) {
      assertEquals(List.of("tiny"), s.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void parquetReadsBackWithTheDocumentedSchema() {
    Dataset<Row> d = spark.read().parquet(first.resolve("deployments").toString());
    Map<String, String> types = new LinkedHashMap<>();
    for (StructField f : d.schema().fields()) {
      types.put(f.name(), f.dataType().simpleString());
    }
    assertEquals(new java.util.TreeMap<>(DEPLOYMENT_COLUMNS), new java.util.TreeMap<>(types));
    List<Row> rows = d.orderBy("deployment_id").collectAsList();
    assertEquals(4, rows.size());
    List<String> csv = Cli.lines(first.resolve("deployments.csv"));
    List<String> header = List.of(csv.get(0).split(","));
    assertEquals(List.copyOf(DEPLOYMENT_COLUMNS.keySet()), header, "CSV twin: same columns");
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      assertEquals(MODEL, r.getAs("model"), "a '/' in the model survives partitioning");
      assertEquals("chat", r.getAs("workload"));
      String[] cells = csv.get(i + 1).split(",", -1);
      for (String col : List.of("deployment_id", "sku", "max_qps", "ttft_p90", "probes")) {
        Object v = r.getAs(col);
        assertEquals(cells[header.indexOf(col)], String.valueOf(v), col);
      }
      assertTrue((double) r.getAs("max_qps") > 0, "a 7B model serves chat on 2 GPUs");
      assertTrue((boolean) r.getAs("bracket_closed"));
    }
    Dataset<Row> p = spark.read().parquet(first.resolve("probes").toString());
    List<String> probeTypes = new ArrayList<>();
    for (StructField f : p.schema().fields()) {
      probeTypes.add(f.name() + ":" + f.dataType().simpleString());
    }
    assertEquals(PROBE_COLUMNS, probeTypes);
    assertEquals(Cli.lines(first.resolve("probes.csv")).size() - 1, p.count());
  }

  @Test
  void parquetAndCsvTwinsHoldTheSameRows() {
    assertSameRows(
        spark.read().parquet(first.resolve("deployments").toString()).orderBy("deployment_id"),
        first.resolve("deployments.csv"));
    assertSameRows(
        spark.read().parquet(first.resolve("probes").toString()).orderBy("deployment_id", "probe"),
        first.resolve("probes.csv"));
  }

  /** Every row and column of the dataset, as the CSV writes it (null as an empty cell). */
  static void assertSameRows(Dataset<Row> parquet, Path csv) {
    List<String> lines = Cli.lines(csv);
    List<String> header = List.of(lines.get(0).split(","));
    List<Row> rows = parquet.collectAsList();
    assertEquals(lines.size() - 1, rows.size(), csv + ": row count");
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      String[] cells = lines.get(i + 1).split(",", -1);
      assertEquals(header.size(), cells.length, lines.get(i + 1));
      for (int c = 0; c < header.size(); c++) {
        Object v = r.getAs(header.get(c));
        assertEquals(
            cells[c], v == null ? "" : String.valueOf(v), csv + " row " + i + " " + header.get(c));
      }
    }
  }

  @Test
  void bestDeploymentRerunAtMaxQpsReproducesItsRow() {
    SearchSpace s = SearchSpaces.load(space);
    List<String> csv = Cli.lines(first.resolve("deployments.csv"));
    List<String> header = List.of(csv.get(0).split(","));
    DeploymentSpec best = null;
    double bestQps = 0;
    double ttftP90 = 0;
    for (DeploymentSpec d : Expansion.of(s, Catalog.builtin(), tmp).deployments()) {
      for (String line : csv.subList(1, csv.size())) {
        String[] cells = line.split(",", -1);
        double qps = Double.parseDouble(cells[header.indexOf("max_qps")]);
        if (cells[0].equals(d.id()) && qps > bestQps) {
          best = d;
          bestQps = qps;
          ttftP90 = Double.parseDouble(cells[header.indexOf("ttft_p90")]);
        }
      }
    }
    assertNotNull(best);
    Measurement m = DeploymentSearch.rerun(best, bestQps, s, Catalog.builtin(), tmp);
    assertEquals(ttftP90, m.quantile("ttft", 0.9), "the plotted CDF is the probe's distribution");
  }

  @Test
  void sameConfigGivesIdenticalRowsAndEqualsADriverOnlyRun() throws IOException {
    Path second = tmp.resolve("results/second");
    Cli.run("search", space.toString(), "--out", second.toString()).ok();
    assertEquals(
        withoutWall(first.resolve("deployments.csv")),
        withoutWall(second.resolve("deployments.csv")));
    assertEquals(Cli.lines(first.resolve("probes.csv")), Cli.lines(second.resolve("probes.csv")));

    // the same deployments, searched in a plain loop without Spark
    SearchSpace s = SearchSpaces.load(space);
    Expansion x = Expansion.of(s, Catalog.builtin(), tmp);
    List<DeploymentResult> rows = new ArrayList<>();
    List<ProbeResult> probes = new ArrayList<>();
    List<DeploymentSpec> ds = new ArrayList<>(x.deployments());
    ds.sort(Comparator.comparing(DeploymentSpec::id));
    for (DeploymentSpec d : ds) {
      DeploymentSearch.Result r = DeploymentSearch.run(d, s, Catalog.builtin(), tmp);
      rows.add(r.deployment());
      probes.addAll(r.probes());
    }
    Path local = tmp.resolve("driver-only.csv");
    DeploymentResult.writeCsv(local, rows);
    assertEquals(withoutWall(first.resolve("deployments.csv")), withoutWall(local));
    ResultColumns.writeCsv(local, ProbeResult.class, probes);
    assertEquals(Cli.lines(first.resolve("probes.csv")), Cli.lines(local));
  }

  @Test
  void impossibleSloGivesZeroCapacityAndNamesTheSlo() throws IOException {
    Path out = tmp.resolve("results/impossible");
    Cli.Result r =
        Cli.run(
                "search",
                space.toString(),
                "--out",
                out.toString(),
                "--set",
                "slos=[{metric: ttft, quantile: 0.9, max_s: 0.0001}]")
            .ok();
    List<String> csv = Cli.lines(out.resolve("deployments.csv"));
    List<String> header = List.of(csv.get(0).split(","));
    assertEquals(5, csv.size());
    for (String row : csv.subList(1, csv.size())) {
      String[] cells = row.split(",", -1);
      assertEquals("0.0", cells[header.indexOf("max_qps")], row);
      assertEquals("ttft_p90", cells[header.indexOf("failing_slo")], row);
      assertEquals("", cells[header.indexOf("ttft_p90")], "no metrics without capacity: " + row);
    }
    assertTrue(r.out().contains("no deployment met the SLOs (ttft_p90 missed by 4)"), r.out());
    assertTrue(Files.readString(out.resolve("report/index.html")).contains("Nothing to plot"));
  }

  @Test
  void existingResultsFolderNeedsForce() {
    Cli.Result r = Cli.run("search", space.toString(), "--out", first.toString());
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().startsWith("error: --out: folder"), r.err());
    assertTrue(r.err().contains("--force"), r.err());
  }

  @Test
  void badSearchConfigIsAUserError() {
    Path bad = Cli.write(tmp.resolve("bad.yml"), SPACE.replace("batch_size_caps", "batch_caps"));
    Cli.Result r = Cli.run("search", bad.toString());
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains("unknown key 'batch_caps'"), r.err());
    assertNotNull(r.err());
    assertFalse(r.err().contains("Exception"), r.err());
  }

  /** The CSV with its wall_s column (host time), if it has one, blanked. */
  static List<String> withoutWall(Path csv) {
    List<String> lines = Cli.lines(csv);
    int col = List.of(lines.get(0).split(",")).indexOf("wall_s");
    if (col < 0) {
      return lines;
    }
    List<String> out = new ArrayList<>();
    for (String l : lines) {
      String[] cells = l.split(",", -1);
      cells[col] = "";
      out.add(String.join(",", cells));
    }
    return out;
  }
}
