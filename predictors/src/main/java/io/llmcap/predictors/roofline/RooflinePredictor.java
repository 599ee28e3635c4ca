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
  private final Costs costs = new Costs();

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
    return composer.compose(batch, stage, costs, composer.windowed() ? costs : null);
  }

  /** The ops' roofline times from a batch's sums; the prefill term is the attention work. */
  private final class Costs implements StageComposer.BatchCosts {
    @Override
    public double prefillTerm(int chunk, int processed) {
      return ops.prefillWork(chunk, processed);
    }

    @Override
    public double ms(Operator op, StageComposer.BatchSums b) {
      return switch (op) {
        case ATTN_DECODE -> ops.decodeMs(b.decodes(), b.decodeCached() + b.decodes());
        case ATTN_PREFILL ->
            ops.prefillMs(
                b.prefillTerm(), b.prefillCached() + b.prefillTokens(), b.prefillTokens());
        case ALL_REDUCE -> ops.allReduceMs(b.totalTokens()) + params.network().ncclLaunchMs();
        case MOE_ALL_TO_ALL -> ops.tokenMs(op, b.totalTokens()) + params.network().ncclLaunchMs();
        case CPU_OVERHEAD -> params.cpuOverheadMs();
        default -> ops.tokenMs(op, b.totalTokens());
      };
    }
  }

  @Override
  public String describe() {
    return "roofline (built-in, " + params.source() + ")";
  }
}
