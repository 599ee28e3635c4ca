package io.llmcap.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The same config and seed give byte-identical run folders; another seed gives another run. */
class DeterminismTest {
  private static final List<String> FILES =
      List.of(
          "request_metrics.csv",
          "batch_metrics.csv",
          "summary.json",
          "chrome_trace.json",
          "config.yaml");

  /** The rows as CSV, compared line by line (the Parquet files: OutputFormatsTest). */
  private static final String CSV = "metrics: {format: csv}\n";

  /** Run configs, by name: each a YAML file as a user would write it. */
  private static String config(String name) {
    return switch (name) {
      case "sarathi" ->
          """
          name: det-sarathi
          seed: 7
          scheduler: {type: sarathi, chunk_size: 256}
          workload: {num_requests: 150}
          """;
      case "vllm" ->
          """
          name: det-vllm
          seed: 7
          cluster: {model: meta-llama/Llama-2-7b-hf}
          scheduler: {type: vllm, max_tokens_in_batch: 4096}
          workload: {num_requests: 150, max_tokens: 4096, interval: {qps: 8.0}}
          """;
      case "random-router-2rep" ->
          """
          name: det-random
          seed: 7
          cluster: {replicas: 2}
          router: random
          workload: {num_requests: 150, interval: {qps: 12.0}}
          """;
      case "orca-gamma" ->
          """
          name: det-orca
          seed: 7
          scheduler: {type: orca}
          workload:
            preset: null
            num_requests: 100
            max_tokens: 4096
            length: {type: zipf, min_tokens: 256}
            interval: {type: gamma, qps: 4.0, cv: 2.0}
          """;
      case "lightllm" ->
          """
          name: det-lightllm
          seed: 7
          scheduler: {type: lightllm, max_tokens_in_batch: 4096}
          workload: {preset: code, num_requests: 100, max_tokens: 4096}
          """;
      case "faster_transformer-tp2-lor" ->
          """
          name: det-ft
          seed: 7
          cluster: {tensor_parallel: 2, replicas: 2}
          router: lor
          scheduler: {type: faster_transformer, batch_size_cap: 32}
          workload: {preset: summarization, num_requests: 100, max_tokens: 8192}
          """;
      case "sarathi-pp2" ->
          """
          name: det-pp2
          seed: 7
          cluster: {model: meta-llama/Llama-2-7b-hf, pipeline_parallel: 2}
          workload: {num_requests: 100, max_tokens: 4096}
          """;
      case "trace-replay" ->
          """
          name: det-trace
          seed: 7
          scheduler: {type: vllm}
          workload: {trace: {file: trace.csv, time_scale: 0.5}}
          """;
      default -> throw new IllegalArgumentException(name);
    };
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "sarathi",
        "vllm",
        "random-router-2rep",
        "orca-gamma",
        "lightllm",
        "faster_transformer-tp2-lor",
        "sarathi-pp2",
        "trace-replay"
      })
  void sameConfigSameSeedGivesIdenticalFiles(String name, @TempDir Path dir) throws IOException {
    Path cfg = Cli.write(dir.resolve("run.yaml"), config(name) + CSV);
    writeTrace(dir.resolve("trace.csv"), 120);
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    Cli.run("simulate", "--quiet", "--config", cfg.toString(), "--out", a.toString()).ok();
    Cli.run("simulate", "--quiet", "--config", cfg.toString(), "--out", b.toString()).ok();
    for (String f : FILES) {
      assertArrayEquals(
          Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), name + ": " + f);
    }
    assertTrue(Cli.lines(a.resolve("request_metrics.csv")).size() > 50, "ran requests");
  }

  /** A replayable trace: arrivals every 0.2 s, varied lengths, in a shuffled row order. */
  private static void writeTrace(Path file, int rows) {
    StringBuilder sb =
        new StringBuilder("request_id,arrived_at,num_prefill_tokens,num_decode_tokens\n");
    for (int i = 0; i < rows; i++) {
      int j = (i * 37) % rows;
      sb.append(j).append(',').append(0.2 * j).append(',');
      sb.append(64 + (j * 131) % 2000).append(',').append(1 + (j * 17) % 300).append('\n');
    }
    Cli.write(file, sb.toString());
  }

  @Test
  void traceReplayKeepsArrivalsAndLengths(@TempDir Path dir) {
    Path cfg = Cli.write(dir.resolve("run.yaml"), config("trace-replay") + CSV);
    writeTrace(dir.resolve("trace.csv"), 120);
    Path out = dir.resolve("r");
    Cli.run("simulate", "--quiet", "--config", cfg.toString(), "--out", out.toString()).ok();
    List<String> lines = Cli.lines(out.resolve("request_metrics.csv"));
    assertEquals(121, lines.size());
    for (String row : lines.subList(1, lines.size())) {
      String[] c = row.split(",");
      int id = Integer.parseInt(c[0]);
      // rows are sorted by arrival, so request id j is the trace row arriving j-th
      assertEquals(
          0.2 * id * 0.5, Double.parseDouble(c[2]), 1e-9, "arrival, time_scale 0.5: " + row);
      assertEquals(64 + (id * 131) % 2000, Integer.parseInt(c[3]), row);
      assertEquals(1 + (id * 17) % 300, Integer.parseInt(c[4]), row);
    }
  }

  @Test
  void twoReplicaRandomRouterUsesBothReplicas(@TempDir Path dir) {
    Path cfg = Cli.write(dir.resolve("run.yaml"), config("random-router-2rep") + CSV);
    Path out = dir.resolve("r");
    Cli.run("simulate", "--quiet", "--config", cfg.toString(), "--out", out.toString()).ok();
    List<String> lines = Cli.lines(out.resolve("request_metrics.csv"));
    int replica = Arrays.asList(lines.get(0).split(",")).indexOf("replica");
    long zero = lines.stream().skip(1).filter(l -> l.split(",")[replica].equals("0")).count();
    long one = lines.stream().skip(1).filter(l -> l.split(",")[replica].equals("1")).count();
    assertEquals(150, zero + one);
    assertTrue(zero > 30 && one > 30, "random router spreads requests: " + zero + " / " + one);
  }

  @Test
  void sameRunViaFlagsAndViaFileMatches(@TempDir Path dir) throws IOException {
    Path cfg = Cli.write(dir.resolve("run.yaml"), config("sarathi") + CSV);
    Path a = dir.resolve("file");
    Path b = dir.resolve("flags");
    Cli.run("simulate", "--quiet", "--config", cfg.toString(), "--out", a.toString()).ok();
    Cli.run(
            "simulate",
            "--quiet",
            "--name",
            "det-sarathi",
            "--scheduler",
            "sarathi",
            "--seed",
            "7",
            "--chunk-size",
            "256",
            "--num-requests",
            "150",
            "--set",
            "metrics.format=csv",
            "--out",
            b.toString())
        .ok();
    for (String f : FILES) {
      assertArrayEquals(
          Files.readAllBytes(a.resolve(f)),
          Files.readAllBytes(b.resolve(f)),
          "flags vs file: " + f);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sarathi", "vllm", "random-router-2rep"})
  void differentSeedChangesRequests(String name, @TempDir Path dir) throws IOException {
    Path cfg = Cli.write(dir.resolve("run.yaml"), config(name) + CSV);
    Path a = dir.resolve("seed7");
    Path b = dir.resolve("seed8");
    Cli.run("simulate", "--quiet", "--config", cfg.toString(), "--out", a.toString()).ok();
    Cli.run("simulate", "--quiet", "--config", cfg.toString(), "--seed", "8", "--out", b.toString())
        .ok();
    List<String> ra = Cli.lines(a.resolve("request_metrics.csv"));
    List<String> rb = Cli.lines(b.resolve("request_metrics.csv"));
    assertEquals(ra.get(0), rb.get(0), "same columns");
    assertEquals(ra.size(), rb.size(), "same request count");
    assertFalse(ra.equals(rb), name + ": seed 8 should give different requests than seed 7");
    // Arrivals and lengths, not only latencies, depend on the seed.
    List<String> arrivalsA = new ArrayList<>();
    List<String> arrivalsB = new ArrayList<>();
    for (int i = 1; i < ra.size(); i++) {
      arrivalsA.add(ra.get(i).split(",")[2]);
      arrivalsB.add(rb.get(i).split(",")[2]);
    }
    assertFalse(arrivalsA.equals(arrivalsB), "arrival times differ");
  }
}
