package io.llmcap.predictors.roofline;

import static io.llmcap.predictors.roofline.Fixtures.A100;
import static io.llmcap.predictors.roofline.Fixtures.A100_DGX;
import static io.llmcap.predictors.roofline.Fixtures.LLAMA2_7B;
import static io.llmcap.predictors.roofline.Fixtures.decodes;
import static io.llmcap.predictors.roofline.Fixtures.llama7b;
import static io.llmcap.predictors.roofline.Fixtures.mixed;
import static io.llmcap.predictors.roofline.Fixtures.predictor;
import static io.llmcap.predictors.roofline.Fixtures.prefill;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.DeviceSku;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.timing.ExecutionTime;
import org.junit.jupiter.api.Test;

class RooflinePredictorTest {
  private final RooflinePredictor tp1 = predictor(llama7b(1, 1));

  private static double totalMs(ExecutionTime time) {
    return time.totalSeconds() * 1e3;
  }

  private static double gemmMs(ExecutionTime time) {
    return time.attnPreProj() + time.attnPostProj() + time.mlpUpProj() + time.mlpDownProj();
  }

  @Test
  void llama7bDecodeOnA100IsWeightBandwidthBound() {
    // 13 GB of weights at ~2 TB/s: ~7 ms at peak bandwidth, ~10-13 ms measured in practice.
    double ms = totalMs(tp1.predict(decodes(1, 1024), 0));
    System.out.printf("Llama-2-7B A100 TP1 decode bs1 kv1024: %.2f ms%n", ms);
    assertTrue(ms > 8 && ms < 25, "decode " + ms + " ms");
  }

  @Test
  void llama7bPrefillOnA100IsComputeBound() {
    ExecutionTime time = tp1.predict(prefill(2048, 0), 0);
    double ms = totalMs(time);
    System.out.printf("Llama-2-7B A100 TP1 prefill 2048: %.1f ms%n", ms);
    // ~2 * 6.5e9 params * 2048 tokens = 27 TFLOP: 87 ms at peak, ~140 ms at cuBLAS efficiency.
    assertTrue(ms > 120 && ms < 400, "prefill " + ms + " ms");

    // Compute-bound: doubling FLOP/s nearly halves it, doubling bandwidth barely matters.
    DeviceSku fasterCompute = new DeviceSku("x", "", 624, 80, 2039, 300, "test");
    DeviceSku fasterMemory = new DeviceSku("y", "", 312, 80, 4078, 300, "test");
    double compute2x = totalMs(predictOn(fasterCompute, prefill(2048, 0)));
    double memory2x = totalMs(predictOn(fasterMemory, prefill(2048, 0)));
    assertTrue(compute2x < 0.6 * ms, "2x FLOP/s: " + compute2x);
    assertTrue(memory2x > 0.9 * ms, "2x bandwidth: " + memory2x);
  }

  private static ExecutionTime predictOn(DeviceSku sku, Fixtures.Batch batch) {
    return predictor(new Deployment(LLAMA2_7B, sku, A100_DGX, 1, 1)).predict(batch, 0);
  }

  @Test
  void timeGrowsWithTokens() {
    double previous = 0;
    for (int chunk = 1; chunk <= 8192; chunk += 7) {
      double ms = totalMs(tp1.predict(prefill(chunk, 0), 0));
      assertTrue(ms >= previous, "prefill " + chunk);
      previous = ms;
    }
    previous = 0;
    for (int size = 1; size <= 512; size++) {
      double ms = totalMs(tp1.predict(decodes(size, 512), 0));
      assertTrue(ms >= previous, "decode batch " + size);
      previous = ms;
    }
    assertTrue(
        totalMs(tp1.predict(prefill(4096, 0), 0))
            > 1.5 * totalMs(tp1.predict(prefill(2048, 0), 0)));
  }

  @Test
  void timeGrowsWithKvLength() {
    double previousDecode = 0;
    double previousPrefill = 0;
    double previousMixed = 0;
    for (int kv = 0; kv <= 16384; kv += 64) {
      ExecutionTime decode = tp1.predict(decodes(32, kv), 0);
      ExecutionTime chunk = tp1.predict(prefill(512, kv), 0);
      double mixedMs = totalMs(tp1.predict(mixed(256, 16, kv), 0));
      assertTrue(totalMs(decode) >= previousDecode, "decode kv " + kv);
      assertTrue(totalMs(chunk) >= previousPrefill, "prefill kv " + kv);
      assertTrue(mixedMs >= previousMixed, "mixed kv " + kv);
      previousDecode = totalMs(decode);
      previousPrefill = totalMs(chunk);
      previousMixed = mixedMs;
    }
    assertTrue(
        tp1.predict(decodes(32, 4096), 0).attnDecode()
            > 3 * tp1.predict(decodes(32, 1024), 0).attnDecode());
  }

  @Test
  void attentionOpsAreZeroWithoutTheirRequests() {
    ExecutionTime decodeOnly = tp1.predict(decodes(8, 100), 0);
    assertEquals(0, decodeOnly.attnPrefill());
    assertTrue(decodeOnly.attnDecode() > 0);
    ExecutionTime prefillOnly = tp1.predict(prefill(100, 0), 0);
    assertEquals(0, prefillOnly.attnDecode());
    assertTrue(prefillOnly.attnPrefill() > 0);
    ExecutionTime both = tp1.predict(mixed(100, 8, 100), 0);
    assertTrue(both.attnPrefill() > 0 && both.attnDecode() > 0);
  }

  @Test
  void mlpNormFollowsPostAttnNorm() {
    ModelSpec noPostNorm =
        new ModelSpec(
            "no-post-norm",
            32,
            32,
            32,
            4096,
            11008,
            32000,
            true,
            4096,
            "rms_norm",
            "silu",
            false,
            false,
            "test");
    RooflinePredictor predictor = predictor(new Deployment(noPostNorm, A100, A100_DGX, 1, 1));
    ExecutionTime time = predictor.predict(prefill(256, 0), 0);
    assertEquals(0, time.mlpNorm());
    assertTrue(time.attnNorm() > 0);
    assertEquals(time.attnNorm(), tp1.predict(prefill(256, 0), 0).mlpNorm());
  }

  @Test
  void tensorParallelHalvesGemmsAndAddsAllReduce() {
    RooflinePredictor tp2 = predictor(llama7b(2, 1));
    for (var batch : new Fixtures.Batch[] {prefill(2048, 0), decodes(1, 1024), decodes(64, 512)}) {
      ExecutionTime one = tp1.predict(batch, 0);
      ExecutionTime two = tp2.predict(batch, 0);
      double ratio = gemmMs(one) / gemmMs(two);
      assertTrue(ratio > 1.6 && ratio < 2.2, "TP1/TP2 GEMM ratio " + ratio);
      assertEquals(0, one.tensorParallelComm());
      assertTrue(two.tensorParallelComm() > 0);
    }
    // 2048 tokens * 4096 * 2 B = 16 MiB over 300 GB/s NVLink: tens of microseconds to ~0.1 ms.
    double allReduce = tp2.predict(prefill(2048, 0), 0).tensorParallelComm();
    assertTrue(allReduce > 0.05 && allReduce < 0.5, "all-reduce " + allReduce);
    assertTrue(
        predictor(llama7b(8, 1)).predict(prefill(2048, 0), 0).tensorParallelComm() > allReduce);
  }

  @Test
  void pipelineCommOnlyOnNonLastStages() {
    RooflinePredictor pp2 = predictor(llama7b(1, 2));
    ExecutionTime first = pp2.predict(prefill(1024, 0), 0);
    ExecutionTime last = pp2.predict(prefill(1024, 0), 1);
    assertEquals(16, first.layers());
    assertTrue(first.pipelineComm() > 0);
    assertEquals(0, last.pipelineComm());
    assertEquals(0, tp1.predict(prefill(1024, 0), 0).pipelineComm());
    assertThrows(IllegalArgumentException.class, () -> pp2.predict(prefill(8, 0), 2));
  }

  @Test
  void multiNodeSendRecvIsSlowerThanIntraNode() {
    Deployment intra = llama7b(4, 2);
    Deployment inter = llama7b(8, 2);
    assertTrue(inter.multiNode() && !intra.multiNode());
    for (int tokens : new int[] {1, 512, 4096}) {
      double intraMs = predictor(intra).predict(prefill(tokens, 0), 0).pipelineComm();
      double interMs = predictor(inter).predict(prefill(tokens, 0), 0).pipelineComm();
      assertTrue(interMs > intraMs, tokens + " tokens: " + interMs + " vs " + intraMs);
    }
  }

  @Test
  void predictIsDeterministic() {
    Fixtures.Batch batch = mixed(300, 40, 777);
    ExecutionTime first = tp1.predict(batch, 0);
    assertEquals(first, tp1.predict(batch, 0));
    assertEquals(first, predictor(llama7b(1, 1)).predict(batch, 0));
  }

  @Test
  void cpuOverheadComesFromParams() {
    RooflineParams withCpu = RooflineParams.defaults().withCpuOverheadMs(2.5);
    RooflinePredictor predictor = new RooflinePredictor(llama7b(1, 1), withCpu);
    ExecutionTime time = predictor.predict(decodes(4, 10), 0);
    assertEquals(2.5, time.cpuOverhead());
    assertEquals(0, tp1.predict(decodes(4, 10), 0).cpuOverhead());
  }

  @Test
  void describesItself() {
    assertEquals("roofline (built-in, uncalibrated defaults)", tp1.describe());
  }

  @Test
  void paramsRejectImpossibleEfficiencies() {
    assertThrows(IllegalArgumentException.class, () -> new RooflineParams.Gemm(1.2, 64, 0.8, 0));
    assertThrows(IllegalArgumentException.class, () -> new RooflineParams.Gemm(0.7, 64, 0.8, -1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new RooflineParams.Attention(0.3, 0.2, 0.01, 0.7, 0, 0.01, 0.5, 0.005));
  }

  @Test
  void profileRowsPredictWhatTheBatchPredictorDoes() {
    RooflineOps ops = new RooflineOps(llama7b(2, 1), RooflineParams.defaults());
    RooflinePredictor tp2 = predictor(llama7b(2, 1));
    ExecutionTime decode = tp2.predict(decodes(24, 700), 0);
    assertEquals(decode.attnDecode(), ops.predictMs("attn_decode", new double[] {24, 700}), 1e-12);
    ExecutionTime chunk = tp2.predict(prefill(300, 1024), 0);
    assertEquals(
        chunk.attnPrefill(), ops.predictMs("attn_prefill", new double[] {1024, 300 * 300}), 1e-12);
    assertEquals(chunk.mlpUpProj(), ops.predictMs("mlp_up_proj", new double[] {300}), 1e-12);
    assertEquals(
        chunk.tensorParallelComm(),
        ops.predictMs("all_reduce", new double[] {300})
            + RooflineParams.defaults().network().ncclLaunchMs(),
        1e-12);
    assertThrows(IllegalArgumentException.class, () -> ops.predictMs("emb_lookup", new double[1]));
  }
}
