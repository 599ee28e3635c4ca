package io.llmcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmcap.report.ReportFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code simulate --reference-config} on the reference simulator's own runs: it must accept their
 * config.json, replay their exact requests, and land within sanity range of their percentiles (our
 * built-in predictor is an uncalibrated roofline, not their measured profiles).
 */
class ReferenceConfigTest {
  private static final List<String> COMPARED =
      List.of("ttft_s_p50", "ttft_s_p90", "ttft_s_p99", "e2e_s_p50", "tpot_s_p50", "tbt_s_p99");

  static Path referenceRuns() {
    Path shared = Cli.shared();
    return shared == null ? null : shared.resolve("data").resolve("reference-runs");
  }

  /** A stand-in that makes each parameterized test skip rather than fail without the data. */
  private static final Path ABSENT = Path.of("no-reference-runs");

  static Stream<Path> runs() throws IOException {
    Path dir = referenceRuns();
    if (dir == null || !Files.isDirectory(dir)) {
      return Stream.of(ABSENT);
    }
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> runs =
          s.filter(p -> Files.isRegularFile(p.resolve("config.json"))).sorted().toList();
      return runs.isEmpty() ? Stream.of(ABSENT) : runs.stream();
    }
  }

  private static void assumePresent(Path ref) {
    Assumptions.assumeTrue(
        Files.isRegularFile(ref.resolve("config.json")),
        "reference runs absent (llmcap.shared=" + Cli.shared() + ")");
  }

  @Test
  void referenceRunsArePresent() throws IOException {
    Path dir = referenceRuns();
    Assumptions.assumeTrue(
        dir != null && Files.isDirectory(dir), "no reference runs under llmcap.shared");
    assertTrue(runs().noneMatch(ABSENT::equals), "at least one reference run in " + dir);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runs")
  void replaysReferenceRequests(Path ref, @TempDir Path tmp) throws IOException {
    assumePresent(ref);
    Assumptions.assumeTrue(Files.isRegularFile(ref.resolve("requests.csv")), "no requests.csv");
    Path out = tmp.resolve("run");
    Cli.Result r =
        Cli.run(
                "simulate",
                "--reference-config",
                ref.resolve("config.json").toString(),
                "--requests",
                ref.resolve("requests.csv").toString(),
                "--set",
                "metrics.format=csv",
                "--out",
                out.toString())
            .ok();
    assertTrue(r.out().contains("note: replaying the exact requests"), r.out());
    ReportFiles.checkPage(out.resolve("report.html"));

    long expected =
        Cli.lines(ref.resolve("requests.csv")).stream().skip(1).filter(l -> !l.isBlank()).count();
    JsonNode ours = Cli.json(out.resolve("summary.json"));
    assertEquals(expected, ours.get("requests").asLong(), "requests arrived");
    assertEquals(expected, ours.get("requests_completed").asLong(), "requests completed");
    assertEquals(expected, Cli.lines(out.resolve("request_metrics.csv")).size() - 1L, "csv rows");

    JsonNode refConfig = Cli.json(ref.resolve("config.json"));
    checkResolvedConfig(refConfig, Cli.yaml(out.resolve("config.yaml")));
    sameRequests(ref.resolve("requests.csv"), out.resolve("request_metrics.csv"), refConfig);

    JsonNode theirs = Cli.json(ref.resolve("summary.json"));
    print(ref.getFileName() + " (replayed requests.csv)", ours, theirs);
    double oursTtft = ours.get("ttft_s_p50").asDouble();
    double theirsTtft = theirs.get("ttft_s_p50").asDouble();
    assertTrue(
        oursTtft > theirsTtft / 20 && oursTtft < theirsTtft * 20,
        "TTFT p50 within 20x of the reference: ours " + oursTtft + ", theirs " + theirsTtft);
    assertEquals(theirs.get("requests").asLong(), expected, "reference summary counts the same");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runs")
  void generatesWorkloadFromReferenceConfig(Path ref, @TempDir Path tmp) {
    assumePresent(ref);
    Path out = tmp.resolve("run");
    Cli.Result r =
        Cli.run(
                "simulate",
                "--reference-config",
                ref.resolve("config.json").toString(),
                "--out",
                out.toString())
            .ok();
    JsonNode refConfig = Cli.json(ref.resolve("config.json"));
    JsonNode resolved = Cli.yaml(out.resolve("config.yaml"));
    checkResolvedConfig(refConfig, resolved);
    JsonNode gen = refConfig.get("request_generator_config");
    JsonNode lengths = gen.get("length_generator_config");
    if ("trace".equals(lengths.path("name").asText())
        && lengths.path("trace_file").asText().contains("splitwise_conv")) {
      assertEquals("chat", resolved.at("/workload/preset").asText(), "splitwise_conv → chat");
      assertTrue(r.out().contains("note: lengths from preset 'chat'"), r.out());
    }
    JsonNode ours = Cli.json(out.resolve("summary.json"));
    if (gen.hasNonNull("num_requests")) {
      assertEquals(gen.get("num_requests").asLong(), ours.get("requests_completed").asLong());
    }
    print(ref.getFileName() + " (generated workload)", ours, Cli.json(ref.resolve("summary.json")));
  }

  @Test
  void s2WithoutRequestsUsesChatPreset(@TempDir Path tmp) {
    Path dir = referenceRuns();
    Path s2 = dir == null ? null : dir.resolve("S2_llama3_8b_sarathi");
    Assumptions.assumeTrue(s2 != null && Files.isDirectory(s2), "S2 reference run absent");
    Path out = tmp.resolve("run");
    Cli.Result r =
        Cli.run(
                "simulate",
                "--reference-config",
                s2.resolve("config.json").toString(),
                "--out",
                out.toString())
            .ok();
    assertTrue(r.out().contains("TTFT"), r.out());
    JsonNode resolved = Cli.yaml(out.resolve("config.yaml"));
    assertEquals("chat", resolved.at("/workload/preset").asText());
    assertEquals(512, resolved.at("/workload/num_requests").asInt());
    assertEquals(6.45, resolved.at("/workload/interval/qps").asDouble());
    assertEquals(512, Cli.json(out.resolve("summary.json")).get("requests_completed").asInt());
  }

  /** The resolved config.yaml carries the reference's deployment and scheduler. */
  private static void checkResolvedConfig(JsonNode ref, JsonNode resolved) {
    JsonNode cluster = ref.get("cluster_config");
    JsonNode replica = cluster.get("replica_config");
    JsonNode sched = cluster.get("replica_scheduler_config");
    assertEquals(replica.get("model_name").asText(), resolved.at("/cluster/model").asText());
    assertEquals(replica.get("device").asText(), resolved.at("/cluster/sku").asText());
    assertEquals(replica.get("network_device").asText(), resolved.at("/cluster/node").asText());
    assertEquals(
        replica.get("tensor_parallel_size").asInt(),
        resolved.at("/cluster/tensor_parallel").asInt());
    assertEquals(
        replica.get("num_pipeline_stages").asInt(),
        resolved.at("/cluster/pipeline_parallel").asInt());
    assertEquals(cluster.get("num_replicas").asInt(), resolved.at("/cluster/replicas").asInt());
    assertEquals(
        replica.get("memory_margin_fraction").asDouble(),
        resolved.at("/cluster/memory_margin").asDouble());
    assertEquals(
        cluster.at("/global_scheduler_config/name").asText(), resolved.at("/router").asText());
    assertEquals(sched.get("name").asText(), resolved.at("/scheduler/type").asText());
    assertEquals(
        sched.get("batch_size_cap").asInt(), resolved.at("/scheduler/batch_size_cap").asInt());
    assertEquals(sched.get("block_size").asInt(), resolved.at("/scheduler/block_size").asInt());
    if (sched.hasNonNull("chunk_size")) {
      assertEquals(sched.get("chunk_size").asInt(), resolved.at("/scheduler/chunk_size").asInt());
    }
    if (sched.hasNonNull("max_tokens_in_batch")) {
      assertEquals(
          sched.get("max_tokens_in_batch").asInt(),
          resolved.at("/scheduler/max_tokens_in_batch").asInt());
    }
    assertEquals(ref.get("seed").asLong(), resolved.at("/seed").asLong());
  }

  /** Our per-request rows carry the replayed arrival times and lengths. */
  private static void sameRequests(Path requests, Path metrics, JsonNode refConfig) {
    int maxTokens = refConfig.at("/request_generator_config/max_tokens").asInt(Integer.MAX_VALUE);
    List<String> in = Cli.lines(requests);
    List<String> outRows = Cli.lines(metrics);
    List<String> inHeader = List.of(in.get(0).split(","));
    List<String> outHeader = List.of(outRows.get(0).split(","));
    int inArr = inHeader.indexOf("arrived_at");
    int inP = inHeader.indexOf("num_prefill_tokens");
    int inD = inHeader.indexOf("num_decode_tokens");
    int outArr = outHeader.indexOf("arrived_at");
    int outP = outHeader.indexOf("num_prefill_tokens");
    int outD = outHeader.indexOf("num_decode_tokens");
    double[] inArrivals =
        in.stream()
            .skip(1)
            .mapToDouble(l -> Double.parseDouble(l.split(",")[inArr]))
            .sorted()
            .toArray();
    double[] outArrivals =
        outRows.stream()
            .skip(1)
            .mapToDouble(l -> Double.parseDouble(l.split(",")[outArr]))
            .sorted()
            .toArray();
    assertEquals(inArrivals.length, outArrivals.length);
    for (int i = 0; i < inArrivals.length; i++) {
      assertEquals(inArrivals[i], outArrivals[i], 1e-6, "arrival " + i);
    }
    long inTokens =
        in.stream()
            .skip(1)
            .mapToLong(
                l -> {
                  String[] c = l.split(",");
                  return Math.min(maxTokens, Long.parseLong(c[inP]) + Long.parseLong(c[inD]));
                })
            .sum();
    long outTokens =
        outRows.stream()
            .skip(1)
            .mapToLong(
                l -> {
                  String[] c = l.split(",");
                  return Long.parseLong(c[outP]) + Long.parseLong(c[outD]);
                })
            .sum();
    assertEquals(inTokens, outTokens, "total tokens replayed (clipped to max_tokens)");
  }

  private static void print(String title, JsonNode ours, JsonNode theirs) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%n== %s: llmcap (roofline) vs reference%n", title));
    sb.append(
        String.format(
            Locale.ROOT, "  %-12s %10s %10s %8s%n", "metric", "llmcap", "reference", "ratio"));
    for (String k : COMPARED) {
      double o = ours.path(k).asDouble(Double.NaN);
      double t = theirs.path(k).asDouble(Double.NaN);
      sb.append(String.format(Locale.ROOT, "  %-12s %10.4f %10.4f %8.2f%n", k, o, t, o / t));
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "  %-12s %10d %10d%n",
            "requests",
            ours.path("requests_completed").asLong(),
            theirs.path("requests").asLong()));
    System.out.print(sb);
  }
}
