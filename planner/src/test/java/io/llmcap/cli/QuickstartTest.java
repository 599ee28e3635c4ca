package io.llmcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code llmcap simulate} with no config runs the built-in quick start and writes a run folder. */
class QuickstartTest {
  @TempDir static Path tmp;
  static Path run;
  static Cli.Result result;

  @BeforeAll
  static void simulate() {
    run = tmp.resolve("quickstart");
    // the rows as CSV, read line by line below (the default Parquet files: OutputFormatsTest)
    result = Cli.run("simulate", "--out", run.toString(), "--set", "metrics.format=csv").ok();
  }

  @Test
  void printsSummaryTable() {
    assertTrue(result.out().contains("TTFT"), result.out());
    assertTrue(result.out().contains("p99"), result.out());
    assertTrue(result.out().contains("p50"), result.out());
    assertTrue(result.out().contains("Meta-Llama-3-8B"), result.out());
    assertTrue(result.out().contains("vllm_v1"), result.out());
    assertTrue(result.out().contains(run.toString()), "names the run folder:\n" + result.out());
    assertEquals("", result.err());
  }

  @Test
  void runFolderHasEveryOutputFile() throws IOException {
    for (String f :
        List.of(
            "config.yaml",
            "request_metrics.csv",
            "batch_metrics.csv",
            "chrome_trace.json",
            "summary.json")) {
      assertTrue(Files.isRegularFile(run.resolve(f)), "missing " + f);
      assertTrue(Files.size(run.resolve(f)) > 0, "empty " + f);
    }
    // The staging folder was renamed into place, not left behind.
    try (Stream<Path> s = Files.list(tmp)) {
      List<String> names = s.map(p -> p.getFileName().toString()).toList();
      assertEquals(List.of("quickstart"), names, "only the run folder: " + names);
    }
  }

  @Test
  void resolvedConfigIsTheQuickStart() {
    JsonNode c = Cli.yaml(run.resolve("config.yaml"));
    assertEquals("meta-llama/Meta-Llama-3-8B", c.at("/cluster/model").asText());
    assertEquals("a100", c.at("/cluster/sku").asText());
    assertEquals(1, c.at("/cluster/tensor_parallel").asInt());
    assertEquals(1, c.at("/cluster/pipeline_parallel").asInt());
    assertEquals(1, c.at("/cluster/replicas").asInt());
    assertEquals("vllm_v1", c.at("/scheduler/type").asText());
    assertEquals(2048, c.at("/scheduler/chunk_size").asInt());
    assertEquals(128, c.at("/scheduler/batch_size_cap").asInt());
    assertEquals(6.45, c.at("/workload/interval/qps").asDouble());
    assertEquals(512, c.at("/workload/num_requests").asInt());
    assertEquals("chat", c.at("/workload/preset").asText());
  }

  @Test
  void requestMetricsHaveOneRowPerRequest() {
    List<String> lines = Cli.lines(run.resolve("request_metrics.csv"));
    List<String> header = List.of(lines.get(0).split(","));
    for (String col :
        List.of(
            "request_id", "arrived_at", "num_prefill_tokens", "num_decode_tokens", "ttft", "e2e")) {
      assertTrue(header.contains(col), "column " + col + " in " + header);
    }
    List<String> rows = lines.subList(1, lines.size());
    assertEquals(512, rows.size());
    int id = header.indexOf("request_id");
    int ttft = header.indexOf("ttft");
    int e2e = header.indexOf("e2e");
    Set<Integer> ids = new HashSet<>();
    for (String row : rows) {
      String[] cells = row.split(",", -1);
      assertEquals(header.size(), cells.length, row);
      ids.add(Integer.parseInt(cells[id]));
      double t = Double.parseDouble(cells[ttft]);
      double e = Double.parseDouble(cells[e2e]);
      assertTrue(t > 0 && e >= t, "0 < ttft ≤ e2e: " + row);
    }
    assertEquals(512, ids.size());
    assertTrue(ids.contains(0) && ids.contains(511), "ids 0..511");
  }

  @Test
  void batchMetricsHaveRows() {
    List<String> lines = Cli.lines(run.resolve("batch_metrics.csv"));
    assertTrue(lines.get(0).startsWith("batch_id,"), lines.get(0));
    assertTrue(lines.size() > 512 / 4, "batches: " + (lines.size() - 1));
    int cols = lines.get(0).split(",").length;
    for (String row : lines.subList(1, lines.size())) {
      assertEquals(cols, row.split(",", -1).length, row);
    }
  }

  @Test
  void chromeTraceIsValidJson() {
    JsonNode trace = Cli.json(run.resolve("chrome_trace.json"));
    JsonNode events = trace.get("traceEvents");
    assertTrue(events != null && events.isArray() && events.size() > 0, "traceEvents non-empty");
    for (JsonNode e : events) {
      assertEquals("X", e.path("ph").asText(), e.toString());
      assertTrue(e.has("pid") && e.get("pid").isIntegralNumber(), e.toString());
      assertTrue(e.has("tid") && e.get("tid").isIntegralNumber(), e.toString());
      assertTrue(
          e.has("ts") && e.get("ts").isNumber() && e.get("ts").asDouble() >= 0, e.toString());
      assertTrue(
          e.has("dur") && e.get("dur").isNumber() && e.get("dur").asDouble() >= 0, e.toString());
    }
  }

  @Test
  void summaryHasHeadlineKeys() {
    JsonNode s = Cli.json(run.resolve("summary.json"));
    for (String k :
        List.of(
            "ttft_s_p50",
            "ttft_s_p90",
            "ttft_s_p99",
            "e2e_s_p50",
            "e2e_s_p90",
            "e2e_s_p99",
            "scheduling_delay_s_p50",
            "scheduling_delay_s_p99",
            "tbt_s_p50",
            "tbt_s_p99",
            "tpot_s_p50",
            "requests",
            "restarts_total")) {
      assertTrue(s.has(k), "summary.json key " + k);
      assertTrue(s.get(k).isNumber(), k + " is a number: " + s.get(k));
    }
    assertEquals(512, s.get("requests").asInt());
    assertTrue(s.get("restarts_total").asLong() >= 0);
    for (String m : List.of("ttft_s", "e2e_s", "scheduling_delay_s", "tbt_s")) {
      double p50 = s.get(m + "_p50").asDouble();
      double p99 = s.get(m + "_p99").asDouble();
      assertTrue(0 <= p50 && p50 <= p99, m + ": 0 ≤ p50 ≤ p99");
    }
    assertTrue(s.get("ttft_s_p50").asDouble() <= s.get("e2e_s_p50").asDouble());
  }

  @Test
  void existingOutFolderNeedsForce(@TempDir Path dir) throws IOException {
    Path existing = dir.resolve("taken");
    Files.createDirectories(existing);
    Files.writeString(existing.resolve("keep.txt"), "mine");

    Cli.Result r =
        Cli.run(
            "simulate",
            "--num-requests",
            "50",
            "--set",
            "metrics.format=csv",
            "--out",
            existing.toString());
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().startsWith("error: "), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains("--out") && r.err().contains("already exists"), r.err());
    assertTrue(r.err().contains(existing.toString()), r.err());
    assertEquals("mine", Files.readString(existing.resolve("keep.txt")), "left untouched");

    Cli.run(
            "simulate",
            "--num-requests",
            "50",
            "--set",
            "metrics.format=csv",
            "--out",
            existing.toString(),
            "--force")
        .ok();
    assertFalse(Files.exists(existing.resolve("keep.txt")), "--force replaces the folder");
    assertEquals(51, Cli.lines(existing.resolve("request_metrics.csv")).size());
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of("taken"), s.map(p -> p.getFileName().toString()).toList());
    }
  }
}
