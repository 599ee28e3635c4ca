package io.llmcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictorsCommandTest {
  private static final List<String> OPS =
      List.of(
          "attn_pre_proj",
          "attn_post_proj",
          "mlp_up_proj",
          "mlp_down_proj",
          "mlp_act",
          "input_layernorm",
          "post_attention_layernorm",
          "attn_rope",
          "add");

  @TempDir Path tmp;

  /** A small Llama-2-7B mlp.csv for TP 1: 60 token counts, times linear in tokens. */
  @BeforeEach
  void profile() {
    StringBuilder sb = new StringBuilder();
    for (String op : OPS) {
      sb.append("time_stats.").append(op).append(".median,");
    }
    sb.append("n_head,n_kv_head,n_embd,n_expanded_embd,vocab_size,use_gated_mlp,num_tokens,")
        .append("num_tensor_parallel_workers\n");
    for (int i = 0; i < 60; i++) {
      int tokens = 8 * (i + 1);
      for (int k = 0; k < OPS.size(); k++) {
        double ms = (0.01 + 1e-4 * (k + 1) * tokens) * (1 + 0.01 * Math.sin(i));
        sb.append(String.format(Locale.ROOT, "%.6f,", ms));
      }
      sb.append("32,32,4096,11008,32000,True,").append(tokens).append(",1\n");
    }
    Cli.write(tmp.resolve("profiles/compute/a100/meta-llama/Llama-2-7b-hf/mlp.csv"), sb.toString());
  }

  @Test
  void evaluatePrintsAndWritesHeldOutMapePerOperator() {
    Path csv = tmp.resolve("out/eval.csv");
    Cli.Result r =
        Cli.run(
                "predictors",
                "evaluate",
                "--profiles",
                tmp.resolve("profiles").toString(),
                "--out",
                csv.toString(),
                "--threads",
                "2")
            .ok();
    assertTrue(r.out().contains("meta-llama/Llama-2-7b-hf"), r.out());
    assertTrue(r.out().contains("median over all operators: LightGBM"), r.out());
    List<String> lines = Cli.lines(csv);
    assertEquals(PredictorsCommand.Evaluate.HEADER, lines.get(0));
    assertEquals(1 + OPS.size(), lines.size());
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", -1);
      assertEquals("a100", f[0]);
      assertEquals("1", f[3]);
      assertEquals("60", f[5]);
      assertEquals("12", f[8]); // 20% held out
      assertTrue(Double.parseDouble(f[9]) < 15, line); // 48 training rows of a steep line
      assertTrue(!f[10].isEmpty(), "calibrated roofline MAPE: " + line);
    }
  }

  @Test
  void evaluateIsDeterministicWhateverTheThreadCount() {
    Path a = tmp.resolve("a.csv");
    Path b = tmp.resolve("b.csv");
    String profiles = tmp.resolve("profiles").toString();
    Cli.run("predictors", "evaluate", "--profiles", profiles, "--out", a + "", "--threads", "1")
        .ok();
    Cli.run("predictors", "evaluate", "--profiles", profiles, "--out", b + "", "--threads", "3")
        .ok();
    assertEquals(Cli.lines(a), Cli.lines(b));
  }

  @Test
  void helpDescribesTheEvaluation() {
    Cli.Result r = Cli.run("predictors", "evaluate", "--help").ok();
    assertTrue(r.out().contains("20% of each operator's rows"), r.out());
    assertTrue(r.err().isEmpty(), r.err());
  }

  @Test
  void userMistakesExitWithStatusTwo() {
    Cli.Result missing =
        Cli.run("predictors", "evaluate", "--profiles", tmp.resolve("nope").toString());
    assertEquals(2, missing.status());
    assertTrue(missing.err().startsWith("error: --profiles"), missing.err());

    Cli.Result empty =
        Cli.run("predictors", "evaluate", "--profiles", tmp.resolve("out").toString());
    assertEquals(2, empty.status());

    Cli.Result threads =
        Cli.run("predictors", "evaluate", "--profiles", tmp + "/profiles", "--threads", "0");
    assertEquals(2, threads.status());
    assertTrue(threads.err().contains("--threads"), threads.err());
  }
}
