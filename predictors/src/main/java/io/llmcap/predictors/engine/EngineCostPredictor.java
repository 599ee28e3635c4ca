package io.llmcap.predictors.engine;

import io.llmcap.catalog.Deployment;
import io.llmcap.predictors.roofline.Link;
import io.llmcap.predictors.roofline.RooflineParams;
import io.llmcap.timing.BatchView;
import io.llmcap.timing.EngineFeatures;
import io.llmcap.timing.ExecutionTime;
import io.llmcap.timing.ExecutionTimePredictor;
import io.llmcap.timing.Operator;
import java.util.Locale;

/**
 * A predictor's step times as a serving engine with {@link EngineFeatures} runs them:
 *
 * <ul>
 *   <li><b>CUDA graphs.</b> A step of at most {@code cudaGraphMaxTokens} tokens replays captured
 *       graphs, so its GEMMs, elementwise kernels and KV writes pay no CPU launch latency (the
 *       launch terms the op-level calibration fitted for the SKU); a decode-only step replays one
 *       full graph, attention included, while a mixed step runs attention eagerly between graph
 *       pieces (vLLM's FULL_AND_PIECEWISE mode).
 *   <li><b>Custom all-reduce.</b> A tensor-parallel all-reduce of fewer than {@code
 *       customAllReduceMaxBytes} bytes reads the peers' buffers over NVLink instead of running
 *       NCCL's ring: one shot (each rank reads the n − 1 other buffers) at TP2 or below 512 KiB,
 *       else two shots (reduce-scatter then all-gather), at the node's NVLink bandwidth and the
 *       op-level calibration's all-reduce efficiency, plus a fixed latency ({@link ServingParams}).
 *   <li><b>Host time</b> per step that asynchronous scheduling does not hide ({@link
 *       ServingParams#stepOverheadMs}).
 *   <li><b>Client path</b>: the front end's time per request, in and out ({@link
 *       ServingParams#clientPathMs}), which the simulator adds once to each request's TTFT and E2E
 *       ({@link #clientPathSeconds()}).
 * </ul>
 */
public final class EngineCostPredictor implements ExecutionTimePredictor {
  private static final long ONE_SHOT_MAX_BYTES = 512L << 10;

  private final ExecutionTimePredictor base;
  private final EngineFeatures features;
  private final ServingParams serving;
  private final RooflineParams params;
  private final int tp;
  private final double bytesPerToken;
  private final double nvlinkBytesPerS;
  // the CPU launch latency a captured graph saves, per operator: decode-only steps, mixed steps
  private final double[] launchDecodeOnly;
  private final double[] launchMixed;

  public EngineCostPredictor(
      ExecutionTimePredictor base,
      Deployment deployment,
      EngineFeatures features,
      RooflineParams params,
      ServingParams serving) {
    this.base = base;
    this.features = features;
    this.serving = serving;
    this.params = params;
    this.tp = deployment.tp();
    this.bytesPerToken = 2.0 * deployment.model().embeddingDim();
    Link link = Link.of(deployment.node(), tp, false);
    RooflineParams.LinkFit fit = params.network().allReduce().get(link);
    double eff = fit != null ? fit.bandwidthEff() : params.network().defaultEff();
    this.nvlinkBytesPerS = link.bandwidthBytesPerS(deployment.node()) * eff;
    this.launchDecodeOnly = new double[Operator.COUNT];
    this.launchMixed = new double[Operator.COUNT];
    for (Operator op : Operator.values()) {
      launchDecodeOnly[op.ordinal()] = launchMs(op, true);
      launchMixed[op.ordinal()] = launchMs(op, false);
    }
  }

  @Override
  public ExecutionTime predict(BatchView batch, int stage) {
    ExecutionTime t = base.predict(batch, stage);
    double[] ms = t.msByOperator();
    int tokens = batch.totalTokens();
    boolean graphs = tokens <= features.cudaGraphMaxTokens();
    if (graphs) {
      boolean decodeOnly = true;
      for (int i = 0; i < batch.size() && decodeOnly; i++) {
        decodeOnly = !batch.isPrefill(i) && !batch.isVerify(i);
      }
      double[] launch = decodeOnly ? launchDecodeOnly : launchMixed;
      for (int k = 0; k < ms.length; k++) {
        if (launch[k] > 0 && ms[k] > 0) {
          ms[k] = Math.max(0, ms[k] - launch[k]);
        }
      }
    }
    double bytes = tokens * bytesPerToken;
    if (tp > 1
        && ms[Operator.ALL_REDUCE.ordinal()] > 0
        && bytes < features.customAllReduceMaxBytes()) {
      double moved =
          tp == 2 || bytes < ONE_SHOT_MAX_BYTES ? bytes * (tp - 1) : 2 * bytes * (tp - 1) / tp;
      double eagerLaunch = graphs ? 0 : params.network().ncclLaunchMs();
      ms[Operator.ALL_REDUCE.ordinal()] =
          serving.allReduceLatencyUs() * 1e-3 + moved / nvlinkBytesPerS * 1e3 + eagerLaunch;
    }
    ms[Operator.CPU_OVERHEAD.ordinal()] += serving.stepOverheadMs();
    return new ExecutionTime(t.layers(), ms);
  }

  @Override
  public double clientPathSeconds() {
    return serving.clientPathMs() * 1e-3;
  }

  /** The CPU launch latency a captured graph saves on {@code op}. */
  private double launchMs(Operator op, boolean decodeOnly) {
    return switch (op.kind()) {
      case GEMM -> params.gemm().launchMs();
      case ELEMENTWISE -> params.elementwise().launchMs();
      case KV_WRITE -> params.attention().kvSaveLaunchMs();
      case ATTENTION ->
          decodeOnly && op == Operator.ATTN_DECODE ? params.attention().decodeLaunchMs() : 0;
      default -> 0;
    };
  }

  @Override
  public String describe() {
    return base.describe()
        + String.format(
            Locale.ROOT,
            "; engine costs: CUDA graphs ≤ %d tokens, custom all-reduce < %d MiB (%.3g µs),"
                + " %.3g ms host per step, %.3g ms client path per request",
            features.cudaGraphMaxTokens(),
            features.customAllReduceMaxBytes() >> 20,
            serving.allReduceLatencyUs(),
            serving.stepOverheadMs(),
            serving.clientPathMs());
  }
}
