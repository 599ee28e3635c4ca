package io.llmcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every user mistake exits 2 with exactly one line {@code error: <field>: <message>} on stderr that
 * names the field and the value, never a stack trace, and leaves no run folder behind.
 */
class BadInputTest {
  /**
   * One malformed input.
   *
   * @param args builds the arguments after {@code simulate}, given a scratch folder for files
   * @param expected substrings of the error line; "{dir}" stands for the scratch folder
   */
  record Case(String name, Function<Path, List<String>> args, List<String> expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Case flags(String name, List<String> args, String... expected) {
    return new Case(name, dir -> args, List.of(expected));
  }

  /** A case whose input is a YAML config file with the given text. */
  private static Case yaml(String name, String text, String... expected) {
    return new Case(
        name,
        dir -> List.of("--config", Cli.write(dir.resolve("bad.yaml"), text).toString()),
        List.of(expected));
  }

  /** A case replaying a trace CSV with the given text. */
  private static Case trace(String name, String csv, String... expected) {
    return new Case(
        name,
        dir -> List.of("--trace", Cli.write(dir.resolve("trace.csv"), csv).toString()),
        List.of(expected));
  }

  /** The columns of an {@code mlp.csv} the profile reader needs. */
  private static final String MLP_HEADER =
      "n_head,n_kv_head,n_embd,n_expanded_embd,use_gated_mlp,num_tokens,"
          + "num_tensor_parallel_workers,time_stats.attn_pre_proj.median,"
          + "time_stats.attn_post_proj.median,time_stats.mlp_up_proj.median,"
          + "time_stats.mlp_down_proj.median,time_stats.mlp_act.median,time_stats.attn_rope.median";

  /** One row of Meta-Llama-3-8B's shape (at {@code heads} query heads) at TP1. */
  private static String mlpRow(String heads, String gemmMs, String actMs) {
    return String.join(
            ",", heads, "8", "4096", "14336", "True", "128", "1", gemmMs, gemmMs, gemmMs, gemmMs,
            actMs, "0.01")
        + "\n";
  }

  /** A case predicting from a profile folder whose {@code mlp.csv} has the given text. */
  private static Case profile(String name, String mlpCsv, String... expected) {
    return new Case(
        name,
        dir -> {
          Path root = dir.resolve("profiles");
          Cli.write(root.resolve("compute/a100/meta-llama/Meta-Llama-3-8B/mlp.csv"), mlpCsv);
          return List.of("--profiles", root.toString());
        },
        List.of(expected));
  }

  /** A minimal config.json of the reference simulator, with a length trace file name. */
  private static String referenceConfig(String traceFile) {
    return """
        {"seed": 42, "time_limit": 0,
         "cluster_config": {"num_replicas": 1,
           "replica_config": {"model_name": "meta-llama/Meta-Llama-3-8B", "device": "a100",
             "network_device": "a100_pairwise_nvlink", "tensor_parallel_size": 1,
             "num_pipeline_stages": 1, "memory_margin_fraction": 0.1},
           "global_scheduler_config": {"name": "round_robin"},
           "replica_scheduler_config": {"name": "sarathi", "batch_size_cap": 512,
             "block_size": 16, "chunk_size": 512}},
         "request_generator_config": {"name": "synthetic", "num_requests": 20, "max_tokens": 4096,
           "length_generator_config": {"name": "trace", "trace_file": "%s"},
           "interval_generator_config": {"name": "poisson", "qps": 1.0}}}
        """
        .formatted(traceFile);
  }

  /** A case simulating a reference config.json with the given text, plus extra arguments. */
  private static Case reference(String name, String json, List<String> extra, String... expected) {
    return new Case(
        name,
        dir -> {
          List<String> args = new ArrayList<>();
          args.add("--reference-config");
          args.add(Cli.write(dir.resolve("config.json"), json).toString());
          args.addAll(extra.stream().map(a -> a.replace("{dir}", dir.toString())).toList());
          return args;
        },
        List.of(expected));
  }

  static Stream<Case> cases() {
    return Stream.of(
        // catalog names
        flags(
            "unknown model",
            List.of("--model", "meta-llama/Llama-2-7b"),
            "cluster.model",
            "'meta-llama/Llama-2-7b'",
            "did you mean 'meta-llama/Llama-2-7b-hf'"),
        flags(
            "unknown SKU",
            List.of("--sku", "a200"),
            "cluster.sku",
            "'a200'",
            "did you mean 'a100'"),
        flags(
            "unknown node",
            List.of("--node", "a100_nvlink_pairs"),
            "cluster.node",
            "'a100_nvlink_pairs'",
            "a100_pairwise_nvlink"),
        flags(
            "node not matching SKU",
            List.of("--sku", "h100"),
            "cluster.node",
            "'a100_pairwise_nvlink'",
            "h100_dgx"),
        flags(
            "unknown scheduler",
            List.of("--scheduler", "vlm"),
            "scheduler.type",
            "'vlm'",
            "did you mean 'vllm'"),
        flags(
            "unknown router",
            List.of("--router", "roundrobin"),
            "router",
            "'roundrobin'",
            "did you mean 'round_robin'"),
        flags(
            "unknown preset",
            List.of("--preset", "chatt"),
            "workload.preset",
            "'chatt'",
            "did you mean 'chat'"),
        flags(
            "unknown predictor",
            List.of("--set", "predictor.type=lightgbmm"),
            "predictor.type",
            "'lightgbmm'",
            "did you mean 'lightgbm'",
            "roofline"),
        // operator profiles (--profiles); the quick start runs Meta-Llama-3-8B on a100 at TP1
        flags(
            "profiles not a folder",
            List.of("--profiles", "no-such-profiles"),
            "predictor.profiles",
            "no-such-profiles' is not a directory"),
        new Case(
            "profile file missing",
            dir -> List.of("--profiles", dir.toString()),
            List.of("predictor.profiles", "compute/a100/meta-llama/Meta-Llama-3-8B/mlp.csv")),
        profile(
            "profile missing column",
            MLP_HEADER.replace(",time_stats.mlp_up_proj.median", "") + "\n",
            "mlp.csv",
            "missing column 'time_stats.mlp_up_proj.median'"),
        profile(
            "profile non-numeric cell",
            MLP_HEADER + "\n" + mlpRow("32", "0.1", "fast"),
            "mlp.csv:2",
            "time_stats.mlp_act.median",
            "'fast'"),
        profile(
            "profile negative time",
            MLP_HEADER + "\n" + mlpRow("32", "-0.1", "0.1"),
            "mlp.csv:2",
            "negative time"),
        profile(
            "profile of another model shape",
            MLP_HEADER + "\n" + mlpRow("64", "0.1", "0.1"),
            "no rows for meta-llama/Meta-Llama-3-8B",
            "n_head=64 n_kv_head=8 n_embd=4096"),
        // parallelism and memory
        flags(
            "TP not dividing heads",
            List.of("--model", "meta-llama/Llama-2-7b-hf", "--node", "a100_dgx", "--tp", "3"),
            "cluster.tensor_parallel",
            "'3'",
            "32 attention heads"),
        flags(
            "PP not dividing layers",
            List.of("--pp", "3"),
            "cluster.pipeline_parallel",
            "'3'",
            "32 layers"),
        flags(
            "TP larger than a node",
            List.of("--tp", "8"),
            "cluster.tensor_parallel",
            "'8'",
            "at most 4",
            "a100_pairwise_nvlink"),
        flags("TP zero", List.of("--tp", "0"), "cluster.tensor_parallel", "'0'"),
        flags("fractional replicas", List.of("--replicas", "2.5"), "cluster.replicas", "2.5"),
        flags(
            "fractional TP",
            List.of("--set", "cluster.tensor_parallel=1.5"),
            "cluster.tensor_parallel",
            "1.5"),
        flags("replicas zero", List.of("--replicas", "0"), "cluster.replicas", "'0'"),
        flags(
            "model too big for memory",
            List.of("--model", "meta-llama/Llama-2-70b-hf"),
            "cluster.model",
            "meta-llama/Llama-2-70b-hf",
            "does not fit",
            "tensor_parallel 1"),
        flags(
            "phi-2 with TP 2",
            List.of("--model", "microsoft/phi-2", "--tp", "2"),
            "cluster.tensor_parallel",
            "'2'",
            "microsoft/phi-2"),
        flags(
            "memory_margin 1.5",
            List.of("--set", "cluster.memory_margin=1.5"),
            "cluster.memory_margin",
            "1.5"),
        flags(
            "lightllm with PP 2",
            List.of("--scheduler", "lightllm", "--pp", "2"),
            "cluster.pipeline_parallel",
            "'2'",
            "lightllm"),
        flags(
            "vllm max_tokens_in_batch below max_tokens",
            List.of("--scheduler", "vllm", "--set", "scheduler.max_tokens_in_batch=4096"),
            "scheduler.max_tokens_in_batch",
            "4096",
            "workload.max_tokens (16384)"),
        flags("zero chunk size", List.of("--chunk-size", "0"), "scheduler.chunk_size", "'0'"),
        flags("negative time limit", List.of("--set", "time_limit=-5"), "time_limit", "-5"),
        // workload numbers
        flags("negative QPS", List.of("--qps", "-1"), "workload.interval.qps", "-1"),
        flags("zero QPS", List.of("--qps", "0"), "workload.interval.qps", "value 0"),
        flags(
            "zero num_requests",
            List.of("--num-requests", "0"),
            "workload.num_requests",
            "value 0"),
        flags("non-numeric QPS flag", List.of("--qps", "fast"), "workload.interval.qps", "fast"),
        // config files
        yaml(
            "unknown config key",
            "scheduler: {chunk_sise: 256}\n",
            "scheduler.chunk_sise",
            "'chunk_sise'",
            "did you mean 'chunk_size'"),
        yaml(
            "unknown top-level key",
            "schedular:\n  type: vllm\n",
            "schedular",
            "did you mean 'scheduler'"),
        yaml("wrong type", "cluster: {replicas: two}\n", "cluster.replicas", "two", "integer"),
        yaml("mapping where a value belongs", "router: {name: random}\n", "router", "mapping"),
        yaml(
            "malformed YAML",
            "cluster:\n  model: [unclosed\nscheduler: {type: vllm\n",
            "bad.yaml",
            "malformed YAML"),
        yaml("empty config file", "", "bad.yaml", "empty"),
        yaml("comment-only config file", "# nothing here\n", "bad.yaml", "empty"),
        new Case(
            "missing config file",
            dir -> List.of("--config", dir.resolve("nope.yaml").toString()),
            List.of("nope.yaml", "no such file")),
        flags(
            "--set without '='",
            List.of("--set", "scheduler.chunk_size"),
            "--set",
            "'scheduler.chunk_size'",
            "key=value"),
        flags("--set unknown key", List.of("--set", "workload.qps=3"), "workload.qps", "'qps'"),
        flags("unknown option", List.of("--bogus"), "--bogus"),
        flags("option without its value", List.of("--num-requests"), "--num-requests"),
        flags(
            "--requests without --reference-config",
            List.of("--requests", "requests.csv"),
            "--requests",
            "--reference-config"),
        // reference configs
        reference(
            "reference config without cluster_config",
            "{\"seed\": 42}",
            List.of(),
            "cluster_config",
            "missing from the reference config"),
        reference(
            "reference config with an unknown length trace",
            referenceConfig("./data/my_private_trace.csv"),
            List.of(),
            "length_generator_config.trace_file",
            "'./data/my_private_trace.csv'",
            "--requests"),
        reference(
            "reference --requests file missing",
            referenceConfig("./data/processed_traces/splitwise_conv.csv"),
            List.of("--requests", "{dir}/requests.csv"),
            "--requests",
            "requests.csv",
            "no such file"),
        reference(
            "reference config not JSON", "{\"seed\": [1,", List.of(), "config.json", "malformed"),
        // traces
        new Case(
            "trace file missing",
            dir -> List.of("--trace", dir.resolve("missing.csv").toString()),
            List.of("workload.trace.file", "missing.csv", "does not exist")),
        trace(
            "trace missing column",
            "arrived_at,num_prefill_tokens\n0.1,100\n",
            "trace.csv:1",
            "missing column 'num_decode_tokens'"),
        trace(
            "trace empty cell",
            "arrived_at,num_prefill_tokens,num_decode_tokens\n0.1,100,10\n0.2,,10\n",
            "trace.csv:3",
            "empty cell",
            "num_prefill_tokens"),
        trace(
            "trace negative value",
            "arrived_at,num_prefill_tokens,num_decode_tokens\n-0.5,100,10\n",
            "trace.csv:2",
            "arrived_at",
            "-0.5"),
        trace(
            "trace non-numeric",
            "arrived_at,num_prefill_tokens,num_decode_tokens\n0.1,100,ten\n",
            "trace.csv:2",
            "num_decode_tokens",
            "'ten'"),
        trace(
            "trace zero tokens",
            "arrived_at,num_prefill_tokens,num_decode_tokens\n0.1,0,10\n",
            "trace.csv:2",
            "num_prefill_tokens",
            "value 0"),
        trace(
            "trace header only",
            "arrived_at,num_prefill_tokens,num_decode_tokens\n",
            "trace.csv",
            "no data rows"),
        trace("trace empty file", "", "trace.csv", "empty"),
        trace(
            "trace unknown header",
            "time,prompt,output\n0.1,100,10\n",
            "trace.csv",
            "[time, prompt, output]"));
  }

  @ParameterizedTest(name = "bench {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "--plot only      | --plot={dir}/s.png                        | --plot",
        "csv in no folder | --csv={dir}/missing/s.csv                 | --csv",
        "plot in no folder | --csv={dir}/s.csv --plot={dir}/no/s.png  | --plot",
        "repeat 0         | --repeat=0                                | --repeat"
      })
  void benchRefusesBadOptionsBeforeRunning(
      String name, String args, String field, @TempDir Path dir) {
    List<String> argv = new ArrayList<>(List.of("bench", "--sizes", "100"));
    for (String a : args.split(" ")) {
      argv.add(a.replace("{dir}", dir.toString()));
    }
    Cli.Result r = Cli.run(argv.toArray(String[]::new));
    assertEquals(2, r.status(), () -> name + ": " + r.err());
    assertEquals("", r.out(), "refused before any run");
    assertTrue(r.err().startsWith("error: " + field + ":"), r.err());
    assertFalse(Files.exists(dir.resolve("s.csv")), "nothing written");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void exitsTwoWithOneLine(Case c, @TempDir Path dir) throws IOException {
    Path out = dir.resolve("run");
    List<String> args = new ArrayList<>();
    args.add("simulate");
    args.addAll(c.args().apply(dir));
    args.add("--out");
    args.add(out.toString());

    Cli.Result r = Cli.run(args.toArray(String[]::new));

    String err = r.err();
    assertEquals(
        2, r.status(), () -> c + ": exit status; stderr:\n" + err + "\nstdout:\n" + r.out());
    List<String> lines = err.lines().toList();
    assertEquals(1, lines.size(), () -> c + ": stderr should be one line:\n" + err);
    String line = lines.get(0);
    assertTrue(line.startsWith("error: "), () -> c + ": " + line);
    assertFalse(line.contains("Exception"), () -> c + ": no exception names: " + line);
    assertFalse(err.contains("\tat "), () -> c + ": no stack trace: " + err);
    for (String want : c.expected()) {
      assertTrue(line.contains(want), () -> c + ": expected '" + want + "' in: " + line);
    }
    assertFalse(Files.exists(out), c + ": no run folder after an error");
    try (Stream<Path> s = Files.list(dir)) {
      List<String> left =
          s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
      assertEquals(List.of(), left, c + ": no staging folder left behind");
    }
  }
}
