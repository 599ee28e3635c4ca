package io.llmcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code llmcap explain} and {@code llmcap profile calibrate --serving}. */
class ExplainAndServingCalibrationTest {
  @Test
  void explainListsOperatorsThatAddUpToTheStage() {
    Cli.Result r =
        Cli.run(
                "explain",
                "--model",
                "meta-llama/Llama-2-70b-hf",
                "--sku",
                "h100",
                "--node",
                "h100_dgx",
                "--tp",
                "4",
                "--scheduler",
                "vllm_v1",
                "--decodes",
                "40",
                "--context",
                "650",
                "--set",
                "predictor.type=roofline")
            .ok();
    assertTrue(r.out().contains("engine costs: CUDA graphs"), r.out());
    assertTrue(r.out().contains("ms client path per request"), r.out());
    double sum = 0;
    double total = Double.NaN;
    Matcher m =
        Pattern.compile("(?m)^(\\S+)\\s+.*?\\s(\\d+\\.\\d{4})\\s+\\d+\\.\\d%$").matcher(r.out());
    while (m.find()) {
      sum += Double.parseDouble(m.group(2));
    }
    Matcher t = Pattern.compile("(?m)^stage total\\s+(\\d+\\.\\d+)$").matcher(r.out());
    assertTrue(t.find(), r.out());
    total = Double.parseDouble(t.group(1));
    assertEquals(total, sum, 0.002, "operators add up to the stage: " + r.out());
    assertTrue(r.out().contains("all_reduce"), "TP4 all-reduces: " + r.out());
  }

  @Test
  void explainRejectsAnEmptyBatch() {
    Cli.Result r = Cli.run("explain", "--decodes", "0");
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().startsWith("error: --decodes"), r.err());
  }

  @Test
  void servingCalibrationFitsAndReportsLeaveOneModelOut(@TempDir Path tmp) {
    String header =
        "id,engine,model,gpu,node,tp,arrival,rate,duration_s,input_tokens,output_tokens,"
            + "max_num_batched_tokens,max_num_seqs,ttft_mean_ms,e2e_mean_ms\n";
    Path manifest =
        Cli.write(
            tmp.resolve("tiny.csv"),
            header
                + "a,vllm,meta-llama/Llama-2-7b-hf,h100,h100_dgx,1,constant,2,8,300,30,2048,64,20,300\n"
                + "b,vllm,meta-llama/Llama-2-7b-hf,h100,h100_dgx,1,constant,4,8,300,30,2048,64,22,320\n"
                + "c,vllm,codellama/CodeLlama-34b-Instruct-hf,h100,h100_dgx,2,constant,2,8,300,30,"
                + "2048,64,40,600\n"
                + "d,vllm,codellama/CodeLlama-34b-Instruct-hf,h100,h100_dgx,2,constant,4,8,300,30,"
                + "2048,64,42,650\n");
    Path out = tmp.resolve("serving.yaml");
    Cli.Result r =
        Cli.run("profile", "calibrate", "--serving", manifest.toString(), "--out", out.toString())
            .ok();
    assertTrue(r.out().contains("held out meta-llama/Llama-2-7b-hf"), r.out());
    JsonNode y = Cli.yaml(out);
    assertTrue(y.at("/params/allreduce_latency_us").asDouble() >= 0, y.toString());
    assertTrue(y.at("/params/step_overhead_ms").asDouble() >= 0, y.toString());
    assertTrue(y.at("/params/client_path_ms").asDouble() >= 0, y.toString());
    assertTrue(y.at("/fit/after").has("tpot_mean_median_abs_error"), y.toString());
    // the written file is one ServingParams can read back
    assertEquals(
        y.at("/params/client_path_ms").asDouble(),
        io.llmcap.predictors.engine.ServingParams.read(out).clientPathMs(),
        1e-12);
    assertEquals(4, y.at("/fit/rows").asInt());
    JsonNode lomo = y.at("/fit/leave_one_model_out");
    assertEquals(2, lomo.size(), y.toString());
    assertTrue(lomo.has("codellama/CodeLlama-34b-Instruct-hf"), y.toString());
    // The fit can only improve on the starting parameters in sample.
    assertTrue(
        y.at("/fit/after/e2e_mean_median_abs_error").asDouble()
            <= y.at("/fit/before/e2e_mean_median_abs_error").asDouble() + 0.02,
        y.toString());
  }
}
