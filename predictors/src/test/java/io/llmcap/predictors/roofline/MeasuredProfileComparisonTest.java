package io.llmcap.predictors.roofline;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.timing.ExecutionTime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Reports the roofline against the measured A100 Llama-2-7B operator profile and checks only a
 * generous bound: the defaults are generic, fitting them is calibration's job.
 */
class MeasuredProfileComparisonTest {
  private static final Path PROFILE =
      Path.of(
          System.getProperty("llmcap.shared", "../../shared"),
          "data/profiles/compute/a100/meta-llama/Llama-2-7b-hf/mlp.csv");
  private static final Set<Integer> TOKENS = Set.of(1, 8, 64, 128, 256, 512, 1024, 2048, 4096);
  private static final Set<String> GEMMS =
      Set.of("attn_pre_proj", "attn_post_proj", "mlp_up_proj", "mlp_down_proj");

  /** Profile column name to the matching roofline op. */
  private static final Map<String, ToDoubleFunction<ExecutionTime>> OPS = new LinkedHashMap<>();

  static {
    OPS.put("attn_pre_proj", ExecutionTime::attnPreProj);
    OPS.put("attn_post_proj", ExecutionTime::attnPostProj);
    OPS.put("mlp_up_proj", ExecutionTime::mlpUpProj);
    OPS.put("mlp_down_proj", ExecutionTime::mlpDownProj);
    OPS.put("input_layernorm", ExecutionTime::attnNorm);
    OPS.put("post_attention_layernorm", ExecutionTime::mlpNorm);
    OPS.put("attn_rope", ExecutionTime::attnRope);
    OPS.put("mlp_act", ExecutionTime::mlpAct);
    OPS.put("add", ExecutionTime::add);
  }

  @Test
  void rooflineTracksMeasuredA100Profile() throws IOException {
    Assumptions.assumeTrue(Files.isRegularFile(PROFILE), "no profile at " + PROFILE);
    List<String> lines = Files.readAllLines(PROFILE);
    List<String> header = Arrays.asList(lines.get(0).split(","));
    int tokensCol = header.indexOf("num_tokens");
    int tpCol = header.indexOf("num_tensor_parallel_workers");

    for (int tp : new int[] {1, 2}) {
      RooflinePredictor predictor = Fixtures.predictor(Fixtures.llama7b(tp, 1));
      System.out.printf("A100 Llama-2-7B TP%d, roofline / measured (measured ms)%n", tp);
      System.out.printf("%6s", "tokens");
      OPS.keySet().forEach(op -> System.out.printf(" %20s", op));
      System.out.println();
      Set<Integer> seen = new HashSet<>();
      for (String line : lines.subList(1, lines.size())) {
        String[] cells = line.split(",", -1);
        int tokens = Integer.parseInt(cells[tokensCol]);
        // The profile repeats some token counts; report the first row of each.
        if (Integer.parseInt(cells[tpCol]) != tp || !TOKENS.contains(tokens) || !seen.add(tokens)) {
          continue;
        }
        ExecutionTime time = predictor.predict(Fixtures.prefill(tokens, 0), 0);
        System.out.printf("%6d", tokens);
        for (var op : OPS.entrySet()) {
          double measured =
              Double.parseDouble(cells[header.indexOf("time_stats." + op.getKey() + ".median")]);
          double ratio = op.getValue().applyAsDouble(time) / measured;
          System.out.printf(" %9.2f (%7.4f)", ratio, measured);
          if (tp == 1 && GEMMS.contains(op.getKey())) {
            // GEMMs dominate a layer; generous, so that recalibrated defaults still pass.
            assertTrue(ratio > 1 / 3.0 && ratio < 3, op.getKey() + " at " + tokens + ": " + ratio);
          }
        }
        System.out.println();
      }
    }
  }
}
