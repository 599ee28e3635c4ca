package io.llmcap.predictors.roofline;

import static io.llmcap.predictors.roofline.Fixtures.A100;
import static io.llmcap.predictors.roofline.Fixtures.A100_DGX;
import static io.llmcap.predictors.roofline.Fixtures.LLAMA2_7B;
import static io.llmcap.predictors.roofline.Fixtures.decodes;
import static io.llmcap.predictors.roofline.Fixtures.prefill;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.DeviceSku;
import io.llmcap.catalog.MlaSpec;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.catalog.Precision;
import io.llmcap.catalog.SlidingWindow;
import io.llmcap.timing.ExecutionTime;
import org.junit.jupiter.api.Test;

/**
 * Precision, MLA and sliding windows in the roofline, at the ideal parameters (100% of every peak,
 * no launch overheads) so that each time is a hand-computable bound.
 */
class RooflinePrecisionTest {
  /** H100 SXM-like: 989 dense fp16, 1979 dense fp8 TFLOP/s, 3350 GB/s. */
  private static final DeviceSku H100 =
      new DeviceSku("h100", "", 989, 80, 3350, 450, "test", 1979.0, null);

  private static final double TOL = 1e-12;

  private static RooflineOps ops(ModelSpec m, DeviceSku sku, int tp, Precision w, Precision kv) {
    return new RooflineOps(
        new Deployment(m, sku, A100_DGX, tp, 1, 1, 1, w, kv), RooflineParams.ideal());
  }

  // Llama-2-7B's MLP up-projection on one GPU: k = 4096, n = 2 × 11008 (gate and up)
  private static final double K = 4096;
  private static final double N = 2 * 11008;

  @Test
  void fp8WeightsStreamHalfTheBytesAndUseTheFp8Peak() {
    RooflineOps bf16 = ops(LLAMA2_7B, H100, 1, Precision.BF16, Precision.BF16);
    RooflineOps fp8 = ops(LLAMA2_7B, H100, 1, Precision.FP8, Precision.BF16);
    // one token: memory-bound, weights (2 B or 1 B each) plus 16-bit activations in and out
    assertEquals((2 * K * N + 2 * (K + N)) * 1e3 / 3350e9, bf16.mlpUpProjMs(1), TOL);
    assertEquals((1 * K * N + 2 * (K + N)) * 1e3 / 3350e9, fp8.mlpUpProjMs(1), TOL);
    // 8192 tokens: compute-bound, 2kn FLOPs per token at 989 or 1979 TFLOP/s
    assertEquals(2 * K * N * 8192 * 1e3 / 989e12, bf16.mlpUpProjMs(8192), TOL);
    assertEquals(2 * K * N * 8192 * 1e3 / 1979e12, fp8.mlpUpProjMs(8192), TOL);
  }

  @Test
  void weightOnlyFormatsPayForDequantisation() {
    // int4 (0.515625 B with its group scales) dequantised to 16 bits: 989 × 0.85 TFLOP/s
    RooflineOps int4 = ops(LLAMA2_7B, H100, 1, Precision.INT4, Precision.BF16);
    assertEquals((0.515625 * K * N + 2 * (K + N)) * 1e3 / 3350e9, int4.mlpUpProjMs(1), TOL);
    assertEquals(
        2 * K * N * 8192 * 1e3 / (989e12 * RooflineOps.DEQUANT_EFF), int4.mlpUpProjMs(8192), TOL);
    // fp8 on an A100, which has no fp8 tensor cores: one byte per weight, 312 × 0.85 TFLOP/s
    RooflineOps a100 = ops(LLAMA2_7B, A100, 1, Precision.FP8, Precision.BF16);
    assertEquals((K * N + 2 * (K + N)) * 1e3 / 2039e9, a100.mlpUpProjMs(1), TOL);
    assertEquals(
        2 * K * N * 8192 * 1e3 / (312e12 * RooflineOps.DEQUANT_EFF), a100.mlpUpProjMs(8192), TOL);
  }

  @Test
  void anFp8KvCacheHalvesTheDecodeReadsAndTheSave() {
    RooflineOps bf16 = ops(LLAMA2_7B, H100, 1, Precision.BF16, Precision.BF16);
    RooflineOps fp8 = ops(LLAMA2_7B, H100, 1, Precision.BF16, Precision.FP8);
    // 32 KV heads × 128 dims × K and V: 16,384 B per token and layer in bf16, 8,192 in fp8
    assertEquals(1000 * 16_384 * 1e3 / 3350e9, bf16.decodeMs(1, 1000), TOL);
    assertEquals(1000 * 8_192 * 1e3 / 3350e9, fp8.decodeMs(1, 1000), TOL);
    assertEquals(8_192 * 1e3 / 3350e9, fp8.kvSaveMs(1), TOL);
  }

  /** DeepSeek-V3's attention (61 layers, 128 heads, MLA), its MoE left out. */
  private static final ModelSpec MLA_MODEL =
      new ModelSpec(
          "deepseek-like",
          61,
          128,
          128,
          7168,
          18432,
          129280,
          true,
          163840,
          "rms_norm",
          "silu",
          true,
          false,
          "test",
          192,
          false,
          "fp8",
          null,
          new MlaSpec(512, 1536, 128, 64, 128),
          null,
          null,
          null);

  @Test
  void mlaDecodeReadsTheLatentOncePerRequestOnEveryRank() {
    for (int tp : new int[] {1, 8}) {
      RooflineOps bf16 = ops(MLA_MODEL, H100, tp, Precision.FP8, Precision.BF16);
      RooflineOps fp8 = ops(MLA_MODEL, H100, tp, Precision.FP8, Precision.FP8);
      // memory: (512 + 64) elements per cached token, whatever the TP
      double memBf16 = 4096 * 576 * 2 * 1e3 / 3350e9;
      // compute: per head and token 2 (512 + 64) FLOPs for the score and 2 · 512 for the value
      double compute = 4096 * 2.0 * (128 / tp) * (576 + 512) * 1e3 / 989e12;
      assertEquals(Math.max(memBf16, compute), bf16.decodeMs(1, 4096), TOL);
      assertEquals(Math.max(memBf16 / 2, compute), fp8.decodeMs(1, 4096), TOL);
    }
    // one request is bound by the latent's read (the 16 heads' math at TP8 is 13 times less)
    RooflineOps tp8 = ops(MLA_MODEL, H100, 8, Precision.FP8, Precision.BF16);
    assertEquals(4096 * 576 * 2 * 1e3 / 3350e9, tp8.decodeMs(1, 4096), TOL);
  }

  /** One k × n fp8 GEMM of T tokens on the H100 at the ideal: the slower of FLOPs and bytes. */
  private static double fp8Gemm(double k, double n, double t) {
    double compute = 2 * k * n * t * 1e3 / 1979e12;
    double memory = (k * n + 2 * (k + n) * t) * 1e3 / 3350e9;
    return Math.max(compute, memory);
  }

  @Test
  void mlaProjectionsAreTheLowRankGemms() {
    // TP8 (16 heads per rank), fp8 weights: before attention q_a 7168 × 1536, q_b 1536 × 16 · 192,
    // kv_a 7168 × 576, kv_b's key half 512 × 16 · 128; after it kv_b's value half 512 × 16 · 128
    // and o 16 · 128 × 7168. The narrow ones (kv_a) are bound by their 16-bit activations.
    RooflineOps o = ops(MLA_MODEL, H100, 8, Precision.FP8, Precision.BF16);
    for (double t : new double[] {1, 8192}) {
      double pre =
          fp8Gemm(7168, 1536, t)
              + fp8Gemm(1536, 16 * 192, t)
              + fp8Gemm(7168, 576, t)
              + fp8Gemm(512, 16 * 128, t);
      double post = fp8Gemm(512, 16 * 128, t) + fp8Gemm(16 * 128, 7168, t);
      assertEquals(pre, o.attnPreProjMs(t), 1e-12);
      assertEquals(post, o.attnPostProjMs(t), 1e-12);
    }
  }

  @Test
  void mlaPrefillUpProjectsTheCachedContext() {
    RooflineOps o = ops(MLA_MODEL, H100, 8, Precision.FP8, Precision.BF16);
    // a 1024-token chunk after 3072 cached tokens: attention with 192-wide keys and 128-wide
    // values over c (p + f (c + 1)) pairs (f = 0.5 at the ideal), plus kv_b over the 3072 cached
    // latents (512 × 16 · (128 + 128) per token) at the 16-bit peak
    double work = o.prefillWork(1024, 3072);
    assertEquals(1024 * (3072 + 0.5 * 1025), work);
    double attention = work * 2 * 16 * (192 + 128) * 1e3 / 989e12;
    double upProj = 3072 * 2.0 * 512 * 16 * 256 * 1e3 / 989e12;
    assertEquals(attention + upProj, o.prefillMs(work, 4096, 1024), 1e-9);
  }

  private static ModelSpec gptOssLike(SlidingWindow window) {
    // gpt-oss-20b's attention: 24 layers, 64 query and 8 KV heads of 64, hidden 2880, sinks
    return new ModelSpec(
        "gpt-oss-like",
        24,
        64,
        8,
        2880,
        2880,
        201088,
        true,
        131072,
        "rms_norm",
        "swiglu",
        true,
        false,
        "test",
        64,
        false,
        "bf16",
        null,
        null,
        window,
        true,
        null);
  }

  @Test
  void slidingLayersCostTheirWindowOnly() {
    // half the layers slide over 128 tokens (gpt-oss): a decode at 100k context costs on them
    // what a 128-token context costs, so attention per layer is about half the full model's
    RooflinePredictor full =
        new RooflinePredictor(
            new Deployment(gptOssLike(null), H100, A100_DGX, 1, 1), RooflineParams.ideal());
    RooflinePredictor sliding =
        new RooflinePredictor(
            new Deployment(gptOssLike(new SlidingWindow(128, 12)), H100, A100_DGX, 1, 1),
            RooflineParams.ideal());
    ExecutionTime f = full.predict(decodes(8, 100_000), 0);
    ExecutionTime s = sliding.predict(decodes(8, 100_000), 0);
    RooflineOps ops = ops(gptOssLike(null), H100, 1, Precision.BF16, Precision.BF16);
    double expected = (12 * ops.decodeMs(8, 8 * 100_001.0) + 12 * ops.decodeMs(8, 8 * 128.0)) / 24;
    assertEquals(expected, s.ms(io.llmcap.timing.Operator.ATTN_DECODE), TOL);
    assertTrue(s.ms(io.llmcap.timing.Operator.ATTN_DECODE) < 0.51 * f.attnDecode());
    // the same non-attention work
    assertEquals(f.mlpUpProj(), s.mlpUpProj());
    // a prompt inside the window costs the same as with full attention
    assertEquals(
        full.predict(prefill(100, 0), 0).totalSeconds(),
        sliding.predict(prefill(100, 0), 0).totalSeconds(),
        1e-15);
    assertTrue(
        sliding.predict(prefill(8192, 0), 0).attnPrefill()
            < 0.6 * full.predict(prefill(8192, 0), 0).attnPrefill());
  }
}
