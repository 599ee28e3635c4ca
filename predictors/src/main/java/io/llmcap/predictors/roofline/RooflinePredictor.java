package io.llmcap.predictors.roofline;

import io.llmcap.catalog.Deployment;
import io.llmcap.timing.BatchView;
import io.llmcap.timing.ExecutionTime;
import io.llmcap.timing.ExecutionTimePredictor;
import io.llmcap.timing.Operator;
import io.llmcap.timing.StageComposer;

/**
 * Batch times from first principles: the per-operator roofline of {@link RooflineOps}, composed as
 * the reference composes a stage (vidur-behaviour §3.5). {@link #predict} is one pass over the
 * batch and a handful of multiply-adds.
 */
public final class RooflinePredictor implements ExecutionTimePredictor {
  private final RooflineOps ops;
  private final RooflineParams params;
  private final StageComposer composer;

  public RooflinePredictor(Deployment deployment, RooflineParams params) {
    this.ops = new RooflineOps(deployment, params);
    this.params = params;
    this.composer = StageComposer.of(deployment);
  }

  /** The calibrated roofline of {@code calibration.yaml} for the deployment's SKU and node. */
  public static RooflinePredictor calibrated(Deployment deployment) {
    return new RooflinePredictor(
        deployment,
        RooflineCalibration.builtin().params(deployment.sku().name(), deployment.node().name()));
  }

  @Override
  public ExecutionTime predict(BatchView batch, int stage) {
    return composer.windowed()
        ? composer.compose(batch, stage, new Costs(), new Costs())
        : composer.compose(batch, stage, new Costs());
  }

  /** One batch's prefill work and KV reads, and the ops' roofline times. */
  private final class Costs implements StageComposer.BatchCosts {
    double prefillWork;
    double prefillKv;
    double prefillTokens;
    double decodeKv;
    int decodes;

    @Override
    public void prefill(int chunk, int processed) {
      double c = chunk;
      double p = processed;
      prefillWork += ops.prefillWork(c, p);
      prefillKv += p + c;
      prefillTokens += c;
    }

    @Override
    public void decode(int processed) {
      double p = processed;
      decodeKv += p + 1;
      decodes++;
    }

    @Override
    public double ms(Operator op, int totalTokens) {
      return switch (op) {
        case ATTN_DECODE -> ops.decodeMs(decodes, decodeKv);
        case ATTN_PREFILL -> ops.prefillMs(prefillWork, prefillKv, prefillTokens);
        case ALL_REDUCE -> ops.allReduceMs(totalTokens) + params.network().ncclLaunchMs();
        case MOE_ALL_TO_ALL -> ops.tokenMs(op, totalTokens) + params.network().ncclLaunchMs();
        case CPU_OVERHEAD -> params.cpuOverheadMs();
        default -> ops.tokenMs(op, totalTokens);
      };
    }
  }

  @Override
  public String describe() {
    return "roofline (built-in, " + params.source() + ")";
  }
}
