package io.llmcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed search inputs (the search config, the traces and profiles it names, the command line):
 * each exits 2 before Spark starts, with one line {@code error: ...} naming the file, the field
 * path and what is allowed, never a stack trace, and leaves no results folder. {@link BadInputTest}
 * holds the same table for simulation configs, traces and profiles of {@code simulate}.
 */
class SearchBadInputTest {
  /** A valid search space, two deployments; each case breaks one thing. */
  static final String VALID =
      """
      name: bad
      models:
        - name: meta-llama/Llama-2-7b-hf
      clusters:
        - {sku: a100, node: a100_pairwise_nvlink, gpus: 2}
      tensor_parallel: [1, 2]
      schedulers:
        - {type: vllm}
      batch_size_caps: [64]
      workloads:
        - {name: chat, preset: chat, requests: 100, min_duration: 10, start_qps: 4}
      predictor: {type: roofline}
      """;

  /**
   * One malformed input.
   *
   * @param space the search config's text
   * @param files writes extra files (traces, profiles) into the scratch folder
   * @param extra arguments after {@code search space.yml}
   * @param expected substrings of the error line; "{dir}" stands for the scratch folder
   */
  record Case(
      String name, String space, Consumer<Path> files, List<String> extra, List<String> expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Case text(String name, String space, String... expected) {
    return new Case(name, space, dir -> {}, List.of(), List.of(expected));
  }

  /** The valid config with {@code from} replaced by {@code to} (which must occur). */
  private static Case edit(String name, String from, String to, String... expected) {
    if (!VALID.contains(from)) {
      throw new IllegalArgumentException(from);
    }
    return text(name, VALID.replace(from, to), expected);
  }

  private static Case args(String name, List<String> extra, String... expected) {
    return new Case(name, VALID, dir -> {}, extra, List.of(expected));
  }

  /** A workload replaying the length trace {@code trace.csv} with the given text. */
  private static Case trace(String name, String csv, String... expected) {
    return new Case(
        name,
        VALID.replace("preset: chat,", "trace_file: trace.csv,"),
        dir -> Cli.write(dir.resolve("trace.csv"), csv),
        List.of(),
        List.of(expected));
  }

  /** A LightGBM predictor over a profile folder whose Llama-2-7B {@code mlp.csv} is given. */
  private static Case profile(String name, String mlpCsv, String... expected) {
    return new Case(
        name,
        VALID.replace("predictor: {type: roofline}", "predictor: {type: lightgbm, profiles: prof}"),
        dir -> Cli.write(dir.resolve("prof/compute/a100/meta-llama/Llama-2-7b-hf/mlp.csv"), mlpCsv),
        List.of(),
        List.of(expected));
  }

  static final String F = "space.yml";

  static Stream<Case> cases() {
    return Stream.of(
        // the file itself
        text("malformed YAML", "models: [unclosed\nclusters: {\n", F, "malformed YAML", "line"),
        text("empty file", "", F, "empty"),
        text("a list, not a mapping", "- a\n- b\n", F, "mapping"),
        new Case("missing file", null, dir -> {}, List.of(), List.of("nope.yml", "no such file")),
        // keys and types
        edit(
            "unknown top-level key",
            "batch_size_caps:",
            "batch_caps:",
            F,
            "batch_caps",
            "did you mean 'batch_size_caps'",
            "allowed keys"),
        edit(
            "unknown key in a cluster",
            "gpus: 2}",
            "gpu: 2}",
            F,
            "clusters[0].gpu",
            "did you mean 'gpus'"),
        edit(
            "unknown key in a workload",
            "start_qps: 4",
            "start_qs: 4",
            F,
            "workloads[0].start_qs",
            "did you mean 'start_qps'"),
        edit(
            "wrong type in a list",
            "tensor_parallel: [1, 2]",
            "tensor_parallel: [1, two]",
            F,
            "tensor_parallel[1]",
            "two",
            "integer"),
        edit(
            "scalar where a list belongs",
            "tensor_parallel: [1, 2]",
            "tensor_parallel: {one: 1}",
            F,
            "tensor_parallel",
            "list"),
        edit(
            "fractional GPU budget",
            "gpus: 2}",
            "gpus: 2.5}",
            F,
            "clusters[0].gpus",
            "2.5",
            "integer"),
        edit("bad name", "name: bad", "name: my search", F, "name", "'my search'", "letters"),
        // lists
        edit(
            "empty model list",
            "models:\n  - name: meta-llama/Llama-2-7b-hf",
            "models: []",
            F,
            "models",
            "non-empty list"),
        edit(
            "empty scheduler list",
            "schedulers:\n  - {type: vllm}",
            "schedulers: []",
            F,
            "schedulers",
            "non-empty list"),
        edit(
            "duplicated model",
            "  - name: meta-llama/Llama-2-7b-hf",
            "  - name: meta-llama/Llama-2-7b-hf\n  - name: meta-llama/Llama-2-7b-hf",
            F,
            "models",
            "lists 'meta-llama/Llama-2-7b-hf' twice"),
        edit(
            "duplicated TP",
            "tensor_parallel: [1, 2]",
            "tensor_parallel: [2, 2]",
            F,
            "tensor_parallel",
            "lists 2 twice"),
        edit(
            "duplicated workload name",
            "  - {name: chat, preset: chat, requests: 100, min_duration: 10, start_qps: 4}",
            "  - {name: chat, preset: chat}\n  - {name: chat, preset: code}",
            F,
            "workloads",
            "lists 'chat' twice"),
        edit(
            "duplicated cluster",
            "  - {sku: a100, node: a100_pairwise_nvlink, gpus: 2}",
            "  - {sku: a100, node: a100_pairwise_nvlink, gpus: 2}\n"
                + "  - {sku: a100, node: a100_pairwise_nvlink, gpus: 2}",
            F,
            "clusters",
            "twice"),
        // numbers
        edit(
            "zero TP",
            "tensor_parallel: [1, 2]",
            "tensor_parallel: [0]",
            F,
            "tensor_parallel[0]",
            "'0'",
            "an integer ≥ 1"),
        edit(
            "negative PP",
            "batch_size_caps:",
            "pipeline_parallel: [-2]\nbatch_size_caps:",
            F,
            "pipeline_parallel[0]",
            "'-2'",
            "an integer ≥ 1"),
        edit(
            "zero GPU budget",
            "gpus: 2}",
            "gpus: 0}",
            F,
            "clusters[0].gpus",
            "'0'",
            "a GPU budget ≥ 1"),
        edit(
            "zero start QPS",
            "start_qps: 4",
            "start_qps: 0",
            F,
            "workloads[0].start_qps",
            "'0.0'",
            "a positive QPS"),
        edit(
            "negative start QPS",
            "start_qps: 4",
            "start_qps: -3",
            F,
            "workloads[0].start_qps",
            "'-3.0'",
            "a positive QPS"),
        edit(
            "zero requests",
            "requests: 100",
            "requests: 0",
            F,
            "workloads[0].requests",
            "an integer ≥ 1"),
        edit(
            "zero max_tokens",
            "start_qps: 4}",
            "start_qps: 4, max_tokens: 0}",
            F,
            "workloads[0].max_tokens",
            "'0'"),
        edit(
            "granularity above 1",
            "predictor:",
            "search: {granularity: 1.5}\npredictor:",
            F,
            "search.granularity",
            "'1.5'",
            "a fraction in (0, 1)"),
        edit(
            "granularity zero",
            "predictor:",
            "search: {granularity: 0}\npredictor:",
            F,
            "search.granularity",
            "a fraction in (0, 1)"),
        edit(
            "one probe",
            "predictor:",
            "search: {max_probes: 1}\npredictor:",
            F,
            "search.max_probes",
            "at least 2"),
        // SLOs
        edit(
            "SLO on an unknown metric",
            "predictor:",
            "slos: [{metric: ttfb, quantile: 0.9, max_s: 2}]\npredictor:",
            F,
            "slos[0].metric",
            "'ttfb'",
            "did you mean 'ttft'",
            "allowed: ttft, tbt"),
        edit(
            "SLO quantile 1",
            "predictor:",
            "slos: [{metric: ttft, quantile: 1.0, max_s: 2}]\npredictor:",
            F,
            "slos[0].quantile",
            "'1.0'",
            "(0, 1)"),
        edit(
            "SLO quantile 0",
            "predictor:",
            "slos: [{metric: ttft, quantile: 0, max_s: 2}]\npredictor:",
            F,
            "slos[0].quantile",
            "(0, 1)"),
        edit(
            "SLO percent as quantile",
            "predictor:",
            "slos: [{metric: tbt, quantile: 99, max_s: 0.2}]\npredictor:",
            F,
            "slos[0].quantile",
            "'99.0'",
            "(0, 1)"),
        edit(
            "SLO negative bound",
            "predictor:",
            "slos: [{metric: ttft, quantile: 0.9, max_s: -1}]\npredictor:",
            F,
            "slos[0].max_s",
            "a positive number of seconds"),
        edit("empty SLO list", "predictor:", "slos: []\npredictor:", F, "slos", "non-empty list"),
        // catalog names
        edit(
            "unknown model",
            "name: meta-llama/Llama-2-7b-hf",
            "name: meta-llama/Llama-2-7b",
            F,
            "models[0].name",
            "'meta-llama/Llama-2-7b'",
            "did you mean 'meta-llama/Llama-2-7b-hf'"),
        edit(
            "unknown SKU",
            "sku: a100,",
            "sku: a200,",
            F,
            "clusters[0].sku",
            "'a200'",
            "did you mean 'a100'"),
        edit(
            "unknown node",
            "node: a100_pairwise_nvlink",
            "node: a100_nvlink",
            F,
            "clusters[0].node",
            "'a100_nvlink'",
            "a100_pairwise_nvlink"),
        edit(
            "node of another SKU",
            "sku: a100,",
            "sku: h100,",
            F,
            "clusters[0].node",
            "'a100_pairwise_nvlink'",
            "h100"),
        edit(
            "unknown scheduler",
            "{type: vllm}",
            "{type: vlm}",
            F,
            "schedulers[0].type",
            "'vlm'",
            "did you mean 'vllm'"),
        edit(
            "unknown preset",
            "preset: chat,",
            "preset: chatt,",
            F,
            "workloads[0]",
            "'chatt'",
            "did you mean 'chat'"),
        edit(
            "unknown price book",
            "predictor:",
            "price_book: coreweave\npredictor:",
            F,
            "price_book",
            "'coreweave'",
            "coreweave-2024-02"),
        edit(
            "unknown predictor",
            "{type: roofline}",
            "{type: rooflin}",
            F,
            "predictor.type",
            "'rooflin'",
            "did you mean 'roofline'"),
        edit(
            "two length sources",
            "preset: chat,",
            "preset: chat, trace_file: t.csv,",
            F,
            "workloads[0]",
            "exactly one of preset, trace_file"),
        // shapes: every combination impossible
        text(
            "TP not dividing the model",
            VALID
                .replace("tensor_parallel: [1, 2]", "tensor_parallel: [3]")
                .replace("gpus: 2", "gpus: 4"),
            F,
            "every combination was skipped",
            "cluster.tensor_parallel",
            "32 attention heads",
            "allowed"),
        text(
            "PP not dividing the model",
            VALID
                .replace("tensor_parallel: [1, 2]", "pipeline_parallel: [3]")
                .replace("gpus: 2", "gpus: 4"),
            F,
            "every combination was skipped",
            "cluster.pipeline_parallel",
            "32 layers",
            "allowed"),
        edit(
            "budget smaller than one replica",
            "tensor_parallel: [1, 2]",
            "tensor_parallel: [4]",
            F,
            "every combination was skipped",
            "a replica needs 4 GPUs, more than the cluster's budget of 2"),
        // traces named by a workload
        new Case(
            "trace file missing",
            VALID.replace("preset: chat,", "trace_file: missing.csv,"),
            dir -> {},
            List.of(),
            List.of(F, "workloads[0].trace_file", "missing.csv", "does not exist")),
        trace(
            "trace missing column",
            "num_prefill_tokens\n100\n",
            "trace.csv:1",
            "missing column 'num_decode_tokens'"),
        trace(
            "trace negative value",
            "num_prefill_tokens,num_decode_tokens\n100,-10\n",
            "trace.csv:2",
            "num_decode_tokens",
            "-10"),
        trace(
            "trace empty cell",
            "num_prefill_tokens,num_decode_tokens\n100,\n",
            "trace.csv:2",
            "empty cell"),
        trace("trace empty file", "", "trace.csv", "empty"),
        // profiles named by the predictor
        new Case(
            "profile folder missing",
            VALID.replace(
                "predictor: {type: roofline}", "predictor: {type: lightgbm, profiles: nope}"),
            dir -> {},
            List.of(),
            List.of(F, "predictor.profiles", "nope", "not a directory")),
        profile(
            "profile missing column",
            "n_head,n_kv_head,n_embd\n32,32,4096\n",
            "mlp.csv",
            "missing column"),
        // the command line
        args(
            "--set without '='",
            List.of("--set", "tensor_parallel"),
            "--set",
            "'tensor_parallel'",
            "key=value"),
        args(
            "--set of an unknown key",
            List.of("--set", "search.max_probe=3"),
            F,
            "search.max_probe",
            "did you mean 'max_probes'"),
        args("--sample 0", List.of("--sample", "0"), "--sample", "'0'", "an integer ≥ 1"),
        args(
            "malformed --master",
            List.of("--master", "local[two]"),
            "--master",
            "'local[two]'",
            "local[*]",
            "spark://HOST:PORT"),
        args(
            "--resume with --force",
            List.of("--resume", "--force"),
            "--resume",
            "one of --resume or --force"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void exitsTwoWithOneLine(Case c, @TempDir Path dir) throws IOException {
    Path space = c.space() == null ? dir.resolve("nope.yml") : dir.resolve(F);
    if (c.space() != null) {
      Cli.write(space, c.space());
    }
    c.files().accept(dir);
    Path out = dir.resolve("results");
    List<String> args = new ArrayList<>(List.of("search", space.toString()));
    args.addAll(c.extra());
    if (!c.extra().contains("--master")) {
      args.addAll(List.of("--master", "local[1]"));
    }
    args.addAll(List.of("--out", out.toString()));

    Cli.Result r = Cli.run(args.toArray(String[]::new));

    String err = r.err();
    assertEquals(
        2, r.status(), () -> c + ": exit status; stderr:\n" + err + "\nstdout:\n" + r.out());
    List<String> lines = err.lines().toList();
    assertEquals(1, lines.size(), () -> c + ": stderr should be one line:\n" + err);
    String line = lines.get(0);
    assertTrue(line.startsWith("error: "), () -> c + ": " + line);
    assertFalse(line.contains("Exception"), () -> c + ": no exception names: " + line);
    for (String want : c.expected()) {
      assertTrue(
          line.contains(want.replace("{dir}", dir.toString())),
          () -> c + ": expected '" + want + "' in: " + line);
    }
    assertFalse(Files.exists(out), c + ": no results folder after an error");
    try (Stream<Path> s = Files.list(dir)) {
      List<String> left =
          s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
      assertEquals(List.of(), left, c + ": no staging folder left behind");
    }
  }
}
