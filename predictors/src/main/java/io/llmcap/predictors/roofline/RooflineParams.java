package io.llmcap.predictors.roofline;

/**
 * Efficiency and overhead parameters of {@link RooflinePredictor}. Efficiencies are fractions of
 * the device's peak (dense fp16 FLOP/s, HBM bandwidth, link bandwidth); overheads are milliseconds.
 * The defaults are generic, not fitted per (model, SKU); calibration fits them against measured
 * profiles.
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><th>parameter</th><th>default</th><th>rationale</th></tr>
 *   <tr><td>{@code gemmEffMax}</td><td>0.72</td><td>cuBLAS reaches ~70–80% of dense peak on large
 *       fp16 GEMMs; the A100 Llama-2-7B profile shows 0.69–0.74 at 2k–4k tokens.</td></tr>
 *   <tr><td>{@code gemmHalfTokens}</td><td>64</td><td>GEMM compute efficiency is {@code gemmEffMax
 *       · T / (T + gemmHalfTokens)}: skinny GEMMs fill few tiles. 64 matches the A100 profile's
 *       ~0.47 at 128 tokens and ~0.7 at 2k+.</td></tr>
 *   <tr><td>{@code effMemory}</td><td>0.80</td><td>Weight-streaming GEMMs reach ~80% of HBM
 *       bandwidth (A100 profile at 1–8 tokens: 0.78–0.82 after launch overhead).</td></tr>
 *   <tr><td>{@code effElementwise}</td><td>0.50</td><td>Norm, RoPE, SiLU·mul, residual add and
 *       KV-cache writes reach ~30–90% of HBM bandwidth in the A100/A30 profiles (RMSNorm worst,
 *       add best); 0.5 is the middle.</td></tr>
 *   <tr><td>{@code effPrefillAttn}</td><td>0.30</td><td>FlashAttention-2 reaches ~50–60% of peak
 *       standalone, but the vLLM attention profiles (A100 FlashAttention, A30 FlashInfer) show
 *       only ~20–35% for causal prefill, chunked prefill at the high end.</td></tr>
 *   <tr><td>{@code effDecodeAttn}</td><td>0.70</td><td>Paged decode attention reads the KV cache
 *       at ~60–80% of HBM bandwidth once the batch is large (A100 profile: 0.63–0.79).</td></tr>
 *   <tr><td>{@code effCollective}</td><td>0.60</td><td>NCCL bus bandwidth is ~70–80% of the link
 *       in microbenchmarks; the A100 DGX all-reduce profile shows ~55% of 300 GB/s NVLink at 64
 *       MiB, send/recv ~85%.</td></tr>
 *   <tr><td>{@code kernelLaunchMs}</td><td>0.005</td><td>Per-kernel launch and tail time; the
 *       profiles' 1-token GEMM and elementwise times exceed their roofline by 2–6 µs.</td></tr>
 *   <tr><td>{@code attentionLaunchMs}</td><td>0.012</td><td>Attention wrappers (metadata, paged
 *       block tables) cost more: 1-sequence short-KV decode measures 13–17 µs.</td></tr>
 *   <tr><td>{@code ncclLaunchMs}</td><td>0.02</td><td>The reference's NCCL CPU launch overhead per
 *       all-reduce.</td></tr>
 *   <tr><td>{@code cpuOverheadMs}</td><td>0</td><td>Per-iteration scheduling/sampling time; the
 *       reference skips CPU-overhead modelling by default, so 0 keeps results comparable.</td></tr>
 * </table>
 */
public record RooflineParams(
    double gemmEffMax,
    double gemmHalfTokens,
    double effMemory,
    double effElementwise,
    double effPrefillAttn,
    double effDecodeAttn,
    double effCollective,
    double kernelLaunchMs,
    double attentionLaunchMs,
    double ncclLaunchMs,
    double cpuOverheadMs) {

  public RooflineParams {
    requireFraction("gemmEffMax", gemmEffMax);
    requireFraction("effMemory", effMemory);
    requireFraction("effElementwise", effElementwise);
    requireFraction("effPrefillAttn", effPrefillAttn);
    requireFraction("effDecodeAttn", effDecodeAttn);
    requireFraction("effCollective", effCollective);
    requireNonNegative("gemmHalfTokens", gemmHalfTokens);
    requireNonNegative("kernelLaunchMs", kernelLaunchMs);
    requireNonNegative("attentionLaunchMs", attentionLaunchMs);
    requireNonNegative("ncclLaunchMs", ncclLaunchMs);
    requireNonNegative("cpuOverheadMs", cpuOverheadMs);
  }

  /** The documented, uncalibrated defaults. */
  public static RooflineParams defaults() {
    return new RooflineParams(0.72, 64, 0.80, 0.50, 0.30, 0.70, 0.60, 0.005, 0.012, 0.02, 0.0);
  }

  private static void requireFraction(String name, double value) {
    if (!(value > 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be in (0, 1], got " + value);
    }
  }

  private static void requireNonNegative(String name, double value) {
    if (!(value >= 0 && Double.isFinite(value))) {
      throw new IllegalArgumentException(name + " must be finite and >= 0, got " + value);
    }
  }
}
