package io.llmcap.predictors.roofline;

import java.util.Map;

/**
 * Efficiency and overhead parameters of the roofline model ({@link RooflineOps}). Efficiencies are
 * fractions of the device's peak (dense fp16 FLOP/s, HBM bandwidth, link bandwidth); overheads are
 * milliseconds. {@link #defaults()} are generic figures; {@link RooflineCalibration} holds the ones
 * fitted per GPU SKU and node type to measured profiles ({@code
 * profiles/catalog/calibration.yaml}).
 *
 * @param source where the figures come from, for {@code describe()} and run summaries
 */
public record RooflineParams(
    Gemm gemm,
    Elementwise elementwise,
    Attention attention,
    Network network,
    double cpuOverheadMs,
    String source) {

  public RooflineParams {
    requireNonNegative("cpuOverheadMs", cpuOverheadMs);
  }

  /**
   * The documented, uncalibrated defaults:
   *
   * <ul>
   *   <li>GEMM max efficiency 0.72, half-efficiency tokens 64: cuBLAS reaches ~70–80% of dense peak
   *       on large fp16 GEMMs, ~0.47 at 128 tokens (A100 Llama-2-7B profile).
   *   <li>Weight-streaming memory efficiency 0.80 (same profile at 1–8 tokens).
   *   <li>Elementwise ops (norms, RoPE, activation, add, KV-cache save) 0.50 of HBM bandwidth: the
   *       profiles show 30–90%, RMSNorm worst, add best.
   *   <li>Prefill attention 0.30 of peak over causal FLOPs; decode attention 0.70 of HBM bandwidth
   *       (vLLM FlashAttention / FlashInfer profiles).
   *   <li>Collectives 0.60 of link bandwidth with the catalog's link latency (A100 DGX all-reduce
   *       ~55% of NVLink at 64 MiB, send/recv ~85%).
   *   <li>Launch overheads: kernels 5 µs, attention 12 µs, NCCL 20 µs (the reference's figure); no
   *       CPU overhead per iteration, as the reference by default.
   * </ul>
   */
  public static RooflineParams defaults() {
    return new RooflineParams(
        new Gemm(0.72, 64, 0.80, 0.005),
        new Elementwise(0.5, 0.5, 0.5, 0.5, 0.005),
        new Attention(0.30, 0.5, 0.012, 0.70, 0, 0.012, 0.5, 0.005),
        new Network(Map.of(), Map.of(), 0.60, 0.02),
        0,
        "uncalibrated defaults");
  }

  /** Everything at 100% of peak and no overheads: the physical lower bound of each op. */
  public static RooflineParams ideal() {
    return new RooflineParams(
        new Gemm(1, 0, 1, 0),
        new Elementwise(1, 1, 1, 1, 0),
        new Attention(1, 0.5, 0, 1, 0, 0, 1, 0),
        new Network(Map.of(), Map.of(), 1, 0),
        0,
        "ideal");
  }

  public RooflineParams withCpuOverheadMs(double ms) {
    return new RooflineParams(gemm, elementwise, attention, network, ms, source);
  }

  /**
   * Dense fp16 GEMMs. Compute efficiency grows with the tokens T as {@code effMax · T / (T +
   * halfTokens)} (skinny GEMMs fill few tiles); small T streams the weights at {@code memoryEff} of
   * HBM bandwidth.
   */
  public record Gemm(double effMax, double halfTokens, double memoryEff, double launchMs) {
    public Gemm {
      requireFraction("gemm.effMax", effMax);
      requireNonNegative("gemm.halfTokens", halfTokens);
      requireFraction("gemm.memoryEff", memoryEff);
      requireNonNegative("gemm.launchMs", launchMs);
    }
  }

  /**
   * Memory-bound ops (norms, RoPE, activation, residual add; the KV-cache save is in {@link
   * Attention}), each at its own fraction of HBM bandwidth, plus one launch overhead.
   */
  public record Elementwise(
      double normEff, double ropeEff, double actEff, double addEff, double launchMs) {
    public Elementwise {
      requireFraction("elementwise.normEff", normEff);
      requireFraction("elementwise.ropeEff", ropeEff);
      requireFraction("elementwise.actEff", actEff);
      requireFraction("elementwise.addEff", addEff);
      requireNonNegative("elementwise.launchMs", launchMs);
    }
  }

  /**
   * Attention kernels. Prefill of a chunk c after p cached tokens costs {@code 4 · headDim · heads
   * · c · (p + causalFactor · (c + 1))} FLOPs at {@code prefillEff} of peak: 0.5 is exact causal
   * work, the measured kernels behave closer to 1 (masked tiles still cost). Decode reads the KV
   * cache at {@code decodeEff · u / (u + decodeHalfHeads)} of HBM bandwidth, u = requests × KV
   * heads per rank: few (request, head) pairs leave most of the GPU idle. The KV-cache save writes
   * K and V at {@code kvSaveEff} of HBM bandwidth (it is measured with attention).
   */
  public record Attention(
      double prefillEff,
      double prefillCausalFactor,
      double prefillLaunchMs,
      double decodeEff,
      double decodeHalfHeads,
      double decodeLaunchMs,
      double kvSaveEff,
      double kvSaveLaunchMs) {
    public Attention {
      requireFraction("attention.prefillEff", prefillEff);
      if (!(prefillCausalFactor >= 0.5 && prefillCausalFactor <= 4)) {
        throw new IllegalArgumentException(
            "attention.prefillCausalFactor must be in [0.5, 4], got " + prefillCausalFactor);
      }
      requireNonNegative("attention.prefillLaunchMs", prefillLaunchMs);
      requireFraction("attention.decodeEff", decodeEff);
      requireNonNegative("attention.decodeHalfHeads", decodeHalfHeads);
      requireNonNegative("attention.decodeLaunchMs", decodeLaunchMs);
      requireFraction("attention.kvSaveEff", kvSaveEff);
      requireNonNegative("attention.kvSaveLaunchMs", kvSaveLaunchMs);
    }
  }

  /** Bandwidth efficiency and per-step latency of one collective on one kind of link. */
  public record LinkFit(double bandwidthEff, double latencyUs) {
    public LinkFit {
      requireFraction("bandwidthEff", bandwidthEff);
      requireNonNegative("latencyUs", latencyUs);
    }
  }

  /**
   * Collectives of one node type: fitted {@link LinkFit}s keyed by {@link Link}; a link without one
   * uses {@code defaultEff} and the catalog's latency. {@code ncclLaunchMs} is the CPU launch
   * overhead the predictor adds to each all-reduce, as the reference does on top of its profiles.
   */
  public record Network(
      Map<Link, LinkFit> allReduce,
      Map<Link, LinkFit> sendRecv,
      double defaultEff,
      double ncclLaunchMs) {
    public Network {
      allReduce = Map.copyOf(allReduce);
      sendRecv = Map.copyOf(sendRecv);
      requireFraction("network.defaultEff", defaultEff);
      requireNonNegative("network.ncclLaunchMs", ncclLaunchMs);
    }
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
