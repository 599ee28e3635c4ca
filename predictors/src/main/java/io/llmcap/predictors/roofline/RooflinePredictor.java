package io.llmcap.predictors.roofline;

import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.catalog.NodeSku;
import io.llmcap.timing.BatchView;
import io.llmcap.timing.ExecutionTime;
import io.llmcap.timing.ExecutionTimePredictor;

/**
 * Operator times from first principles: each op takes the larger of its compute time and its memory
 * time at an achievable fraction of peak ({@link RooflineParams}), plus a launch overhead. Shapes
 * are those of one tensor-parallel rank, tensors are fp16. Everything that depends only on the
 * deployment is folded into per-token millisecond coefficients here, so {@link #predict} is one
 * pass over the batch and a handful of multiply-adds.
 */
public final class RooflinePredictor implements ExecutionTimePredictor {
  private static final double BYTES = 2; // fp16

  private final RooflineParams params;
  private final int layers;
  private final int pp;
  private final boolean postAttnNorm;

  private final Gemm attnPreProj;
  private final Gemm attnPostProj;
  private final Gemm mlpUpProj;
  private final Gemm mlpDownProj;

  // Memory-bound elementwise ops: milliseconds per token (launch added separately).
  private final double ropeMsPerToken;
  private final double normMsPerToken;
  private final double addMsPerToken;
  private final double actMsPerToken;
  private final double kvSaveMsPerToken;

  // Prefill attention: per unit of causal work sum(c * (p + (c + 1) / 2)), per KV token read, and
  // per query token (Q read + O written).
  private final double prefillMsPerWork;
  private final double prefillKvMsPerToken;
  private final double prefillQoMsPerToken;
  // Decode attention, per KV-cache token read: memory side and compute side.
  private final double decodeMemMsPerKv;
  private final double decodeComputeMsPerKv;

  private final boolean tensorParallel;
  private final double allReduceMsPerToken;
  private final double allReduceFixedMs;
  private final double sendRecvMsPerToken;
  private final double sendRecvFixedMs;

  public RooflinePredictor(Deployment deployment, RooflineParams params) {
    this.params = params;
    ModelSpec model = deployment.model();
    NodeSku node = deployment.node();
    int tp = deployment.tp();
    this.layers = deployment.layersPerStage();
    this.pp = deployment.pp();
    this.postAttnNorm = model.postAttnNorm();

    double peak = deployment.sku().peakFlops();
    double hbm = deployment.sku().memoryBandwidthGbps() * 1e9;
    double gemmFlopMs = 1e3 / (peak * params.gemmEffMax());
    double gemmByteMs = 1e3 / (hbm * params.effMemory());
    double elemByteMs = 1e3 / (hbm * params.effElementwise());

    double e = model.embeddingDim();
    double d = model.headDim();
    double qw = model.qHeadsPerRank(tp);
    double kvw = model.kvHeadsPerRank(tp);
    double fPerRank = (double) model.mlpHiddenDim() / tp;
    double launch = params.kernelLaunchMs();
    double halfTokens = params.gemmHalfTokens();

    this.attnPreProj = Gemm.of(e, d * (qw + 2 * kvw), gemmFlopMs, gemmByteMs, halfTokens, launch);
    this.attnPostProj = Gemm.of(d * qw, e, gemmFlopMs, gemmByteMs, halfTokens, launch);
    double upWidth = (model.useGatedMlp() ? 2 : 1) * fPerRank;
    this.mlpUpProj = Gemm.of(e, upWidth, gemmFlopMs, gemmByteMs, halfTokens, launch);
    this.mlpDownProj = Gemm.of(fPerRank, e, gemmFlopMs, gemmByteMs, halfTokens, launch);

    // Accesses per element: RoPE and norms read and write; add reads two and writes one; the
    // gated activation reads gate and up and writes one; the KV-cache save writes K and V.
    this.ropeMsPerToken = 2 * BYTES * d * (qw + kvw) * elemByteMs;
    this.normMsPerToken = 2 * BYTES * e * elemByteMs;
    this.addMsPerToken = 3 * BYTES * e * elemByteMs;
    this.actMsPerToken = (model.useGatedMlp() ? 3 : 2) * BYTES * fPerRank * elemByteMs;
    this.kvSaveMsPerToken = 2 * BYTES * d * kvw * elemByteMs;

    double attnFlopMs = 1e3 / (peak * params.effPrefillAttn());
    this.prefillMsPerWork = 4 * d * qw * attnFlopMs;
    this.prefillKvMsPerToken = 2 * BYTES * d * kvw * gemmByteMs;
    this.prefillQoMsPerToken = 2 * BYTES * d * qw * gemmByteMs;
    this.decodeMemMsPerKv = 2 * BYTES * d * kvw * 1e3 / (hbm * params.effDecodeAttn());
    this.decodeComputeMsPerKv = 4 * d * qw * attnFlopMs;

    // Ring all-reduce: each rank sends and receives 2 (TP - 1) / TP of the buffer in 2 (TP - 1)
    // latency-bound steps.
    this.tensorParallel = tp > 1;
    double ringFactor = 2.0 * (tp - 1) / tp;
    this.allReduceMsPerToken =
        ringFactor * BYTES * e * 1e3 / (node.bandwidthFor(tp) * params.effCollective());
    this.allReduceFixedMs = 2.0 * (tp - 1) * node.latencyFor(tp) * 1e3 + params.ncclLaunchMs();

    // Consecutive stages are neighbours in one node unless the replica spans several nodes.
    boolean multiNode = deployment.multiNode();
    double linkBw = multiNode ? node.interNodeBandwidthGbps() * 1e9 : node.bandwidthFor(2);
    double linkLatency = multiNode ? node.interNodeLatencyUs() * 1e-6 : node.latencyFor(2);
    this.sendRecvMsPerToken = BYTES * e * 1e3 / (linkBw * params.effCollective());
    this.sendRecvFixedMs = linkLatency * 1e3;
  }

  @Override
  public ExecutionTime predict(BatchView batch, int stage) {
    if (stage < 0 || stage >= pp) {
      throw new IllegalArgumentException("stage " + stage + " outside 0.." + (pp - 1));
    }
    double prefillWork = 0;
    double prefillKv = 0;
    double prefillTokens = 0;
    double decodeKv = 0;
    boolean anyPrefill = false;
    boolean anyDecode = false;
    int n = batch.size();
    for (int i = 0; i < n; i++) {
      double c = batch.numTokens(i);
      double p = batch.processedBefore(i);
      if (batch.isPrefill(i)) {
        prefillWork += c * (p + (c + 1) / 2);
        prefillKv += p + c;
        prefillTokens += c;
        anyPrefill = true;
      } else {
        decodeKv += p + 1;
        anyDecode = true;
      }
    }
    int t = batch.totalTokens();
    double launch = params.kernelLaunchMs();
    double attnLaunch = params.attentionLaunchMs();

    double attnPrefill =
        anyPrefill
            ? Math.max(
                    prefillWork * prefillMsPerWork,
                    prefillKv * prefillKvMsPerToken + prefillTokens * prefillQoMsPerToken)
                + attnLaunch
            : 0;
    double attnDecode =
        anyDecode
            ? Math.max(decodeKv * decodeMemMsPerKv, decodeKv * decodeComputeMsPerKv) + attnLaunch
            : 0;
    double norm = t * normMsPerToken + launch;
    double tpComm = tensorParallel ? t * allReduceMsPerToken + allReduceFixedMs : 0;
    double ppComm = stage < pp - 1 ? t * sendRecvMsPerToken + sendRecvFixedMs : 0;

    return new ExecutionTime(
        layers,
        attnPreProj.ms(t),
        attnPostProj.ms(t),
        t * ropeMsPerToken + launch,
        t * kvSaveMsPerToken + launch,
        attnDecode,
        attnPrefill,
        norm,
        mlpUpProj.ms(t),
        mlpDownProj.ms(t),
        t * actMsPerToken + launch,
        postAttnNorm ? norm : 0,
        t * addMsPerToken + launch,
        tpComm,
        ppComm,
        params.cpuOverheadMs());
  }

  @Override
  public String describe() {
    return params.equals(RooflineParams.defaults())
        ? "roofline (built-in, uncalibrated defaults)"
        : "roofline (built-in, " + params + ")";
  }

  /**
   * One [T × k] · [k × n] fp16 GEMM as millisecond coefficients. Compute time is FLOPs / (peak ·
   * eff) with eff = effMax · T / (T + halfTokens), i.e. 2kn · (T + halfTokens) / (peak · effMax):
   * linear in T, with no division by T. Memory time streams the weights once plus the activations.
   */
  private record Gemm(
      double computeMsPerToken,
      double computeFixedMs,
      double weightMs,
      double activationMsPerToken,
      double launchMs) {

    static Gemm of(
        double k, double n, double flopMs, double byteMs, double halfTokens, double launchMs) {
      double flopsPerToken = 2 * k * n;
      return new Gemm(
          flopsPerToken * flopMs,
          flopsPerToken * halfTokens * flopMs,
          BYTES * k * n * byteMs,
          BYTES * (k + n) * byteMs,
          launchMs);
    }

    double ms(int tokens) {
      double compute = tokens * computeMsPerToken + computeFixedMs;
      double memory = weightMs + tokens * activationMsPerToken;
      return Math.max(compute, memory) + launchMs;
    }
  }
}
