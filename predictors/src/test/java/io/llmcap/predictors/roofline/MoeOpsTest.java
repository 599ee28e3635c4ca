package io.llmcap.predictors.roofline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.Precision;
import io.llmcap.timing.ExecutionTime;
import io.llmcap.timing.Operator;
import org.junit.jupiter.api.Test;

/** The MoE FFN's roofline against hand computations, with every efficiency at 100%. */
class MoeOpsTest {
  private static final Catalog C = Catalog.builtin();
  private static final RooflineParams IDEAL = RooflineParams.ideal();
  private static final RooflineOps.Gemm.Shape BF16_SHAPE =
      new RooflineOps.Gemm.Shape(1e3 / 989e12, 2, 1e3 / 3350e9, IDEAL.gemm());

  private static Deployment mixtralTp2() {
    return new Deployment(
        C.model("mistralai/Mixtral-8x7B-v0.1", "m"),
        C.sku("h100", "s"),
        C.node("h100_dgx", "n"),
        2,
        1);
  }

  /**
   * One decoding token of Mixtral at TP2 picks 2 of 8 experts: the up projection reads those two
   * experts' gate and up slices, 2 · 4096 · (2 · 7168) elements of 2 B, plus the activations (4096
   * in, 14336 out per pair), at 3.35 TB/s; a batch of 64 tokens touches 8 · (1 − 0.75^64) ≈ 8.
   */
  @Test
  void smallBatchDecodeReadsTheTouchedExpertsWeights() {
    RooflineOps ops = new RooflineOps(mixtralTp2(), IDEAL);
    double hbm = 3350e9;
    double oneToken = (2 * 4096.0 * 14336 * 2 + 2 * (4096 + 14336) * 2) / hbm * 1e3;
    assertEquals(oneToken, ops.tokenMs(Operator.MOE_UP_PROJ, 1), 1e-12);
    double batch = (8 * (1 - Math.pow(0.75, 64)) * 4096.0 * 14336 * 2) / hbm * 1e3;
    double activations = 64 * 2 * (4096 + 14336) * 2 / hbm * 1e3;
    assertEquals(batch + activations, ops.tokenMs(Operator.MOE_UP_PROJ, 64), 1e-9);
    // Four times the weights for 64 times the tokens: memory-bound on the touched experts.
    assertTrue(ops.tokenMs(Operator.MOE_UP_PROJ, 64) < 4.1 * oneToken);
  }

  /**
   * A 2048-token prefill is compute-bound: 2 FLOPs per weight for each of the 2048 · 2 (token,
   * expert) pairs through the TP2 slice of the down projection (7168 × 4096), at 989 TF/s.
   */
  @Test
  void largeBatchesAreComputeBoundOnTheRoutedPairs() {
    RooflineOps ops = new RooflineOps(mixtralTp2(), IDEAL);
    double flops = 2048 * 2 * 2.0 * 7168 * 4096;
    assertEquals(flops / 989e12 * 1e3, ops.tokenMs(Operator.MOE_DOWN_PROJ, 2048), 1e-9);
  }

  /**
   * With expert parallelism the busiest of ep devices runs μ · (1 + √(2 ln ep · (1 − 1/ep) / μ))
   * pairs, μ = T · k / ep: Qwen3-30B-A3B (128 experts, top-8) at EP8 and 2048 tokens, μ = 2048.
   */
  @Test
  void expertParallelBusiestDevice() {
    Deployment d =
        new Deployment(
            C.model("Qwen/Qwen3-30B-A3B", "m"),
            C.sku("h100", "s"),
            C.node("h100_dgx", "n"),
            8,
            1,
            8,
            1,
            Precision.BF16,
            Precision.BF16);
    MoeOps moe = new MoeOps(d, IDEAL, BF16_SHAPE, BF16_SHAPE, 3350e9);
    double mu = 2048;
    assertEquals(mu * (1 + Math.sqrt(2 * Math.log(8) * (7.0 / 8) / mu)), moe.pairs(2048), 1e-9);
    assertEquals(8 * 8.0 / 8, moe.pairs(8), 1e-12 + 8 * 2, "capped at ep times the mean");
    // 16 local experts; one token touches 16 · (1 − (1 − 8/128)) = 1 of them on average.
    assertEquals(1.0, moe.touchedExperts(1), 1e-12);
  }

  /**
   * DeepSeek-V3 with attention DP8 and EP8 on one H200 node: each device sends its T tokens' 8
   * copies, 7/8 of them to other devices, 7168 · 2 B each, and receives as many back, over 450 GB/s
   * NVLink, plus the link's 5 µs latency each way. TP8 without data parallelism has no dispatch.
   */
  @Test
  void dispatchAndCombineUnderAttentionDataParallelism() {
    Deployment dp8 =
        new Deployment(
            C.model("deepseek-ai/DeepSeek-V3", "m"),
            C.sku("h200", "s"),
            C.node("h200_dgx", "n"),
            1,
            1,
            8,
            8,
            Precision.FP8,
            Precision.BF16);
    RooflineOps ops = new RooflineOps(dp8, IDEAL);
    double perDirection = 100 * 8 * 7168 * 2 * 7.0 / 8 / 450e9 * 1e3 + 5e-3;
    assertEquals(2 * perDirection, ops.tokenMs(Operator.MOE_ALL_TO_ALL, 100), 1e-12);

    RooflinePredictor withDp = new RooflinePredictor(dp8, IDEAL);
    ExecutionTime t = withDp.predict(Fixtures.decodes(16, 512), 0);
    assertTrue(t.ms(Operator.MOE_ALL_TO_ALL) > 0);
    // 58 of 61 layers are MoE: the dense FFN is timed for the other 3.
    assertTrue(t.mlpUpProj() > 0 && t.ms(Operator.MOE_UP_PROJ) > 0);

    Deployment tp8 =
        new Deployment(
            C.model("deepseek-ai/DeepSeek-V3", "m"),
            C.sku("h200", "s"),
            C.node("h200_dgx", "n"),
            8,
            1,
            1,
            1,
            Precision.FP8,
            Precision.BF16);
    ExecutionTime t8 = new RooflinePredictor(tp8, IDEAL).predict(Fixtures.decodes(16, 512), 0);
    assertEquals(0, t8.ms(Operator.MOE_ALL_TO_ALL));
    assertTrue(t8.tensorParallelComm() > 0);
  }

  /** Mixtral has no dense layer: the dense FFN ops are not timed at all. */
  @Test
  void allMoeModelsRunNoDenseFfn() {
    ExecutionTime t =
        new RooflinePredictor(mixtralTp2(), RooflineParams.defaults())
            .predict(Fixtures.decodes(8, 100), 0);
    assertEquals(0, t.mlpUpProj());
    assertEquals(0, t.mlpAct());
    assertTrue(t.ms(Operator.MOE_GATE) > 0 && t.ms(Operator.MOE_ACT) > 0);
  }
}
