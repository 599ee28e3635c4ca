package io.llmcap.predictors.roofline;

import io.llmcap.catalog.Deployment;
import io.llmcap.timing.BatchView;
import io.llmcap.timing.ExecutionTime;
import io.llmcap.timing.ExecutionTimePredictor;

/**
 * Batch times from first principles: the per-operator roofline of {@link RooflineOps}, composed as
 * the reference composes a stage (vidur-behaviour §3.5). {@link #predict} is one pass over the
 * batch and a handful of multiply-adds.
 */
public final class RooflinePredictor implements ExecutionTimePredictor {
  private final RooflineOps ops;
  private final RooflineParams params;
  private final int layers;
  private final int pp;
  private final boolean postAttnNorm;
  private final boolean tensorParallel;

  public RooflinePredictor(Deployment deployment, RooflineParams params) {
    this.ops = new RooflineOps(deployment, params);
    this.params = params;
    this.layers = deployment.layersPerStage();
    this.pp = deployment.pp();
    this.postAttnNorm = deployment.model().postAttnNorm();
    this.tensorParallel = deployment.tp() > 1;
  }

  /** The calibrated roofline of {@code calibration.yaml} for the deployment's SKU and node. */
  public static RooflinePredictor calibrated(Deployment deployment) {
    return new RooflinePredictor(
        deployment,
        RooflineCalibration.builtin().params(deployment.sku().name(), deployment.node().name()));
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
    int decodes = 0;
    boolean anyPrefill = false;
    int n = batch.size();
    for (int i = 0; i < n; i++) {
      double c = batch.numTokens(i);
      double p = batch.processedBefore(i);
      // a speculative verify pass attends like a prefill chunk over its KV prefix
      if (batch.isPrefill(i) || batch.isVerify(i)) {
        prefillWork += ops.prefillWork(c, p);
        prefillKv += p + c;
        prefillTokens += c;
        anyPrefill = true;
      } else {
        decodeKv += p + 1;
        decodes++;
      }
    }
    int t = batch.totalTokens();
    double norm = ops.normMs(t);
    double tpComm = tensorParallel ? ops.allReduceMs(t) + params.network().ncclLaunchMs() : 0;
    double ppComm = stage < pp - 1 ? ops.sendRecvMs(t) : 0;

    return new ExecutionTime(
        layers,
        ops.attnPreProjMs(t),
        ops.attnPostProjMs(t),
        ops.ropeMs(t),
        ops.kvSaveMs(t),
        decodes > 0 ? ops.decodeMs(decodes, decodeKv) : 0,
        anyPrefill ? ops.prefillMs(prefillWork, prefillKv, prefillTokens) : 0,
        norm,
        ops.mlpUpProjMs(t),
        ops.mlpDownProjMs(t),
        ops.actMs(t),
        postAttnNorm ? norm : 0,
        ops.addMs(t),
        tpComm,
        ppComm,
        params.cpuOverheadMs());
  }

  @Override
  public String describe() {
    return "roofline (built-in, " + params.source() + ")";
  }
}
