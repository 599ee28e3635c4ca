package io.llmcap.testing;

import io.llmcap.catalog.Deployment;
import io.llmcap.timing.BatchView;
import io.llmcap.timing.ExecutionTime;
import io.llmcap.timing.ExecutionTimePredictor;
import io.llmcap.timing.Operator;

/**
 * A transparent predictor for engine tests: per-layer time linear in tokens and KV reads, so tests
 * exercise scheduling without depending on the roofline model's numbers.
 */
public final class LinearPredictor implements ExecutionTimePredictor {
  private final Deployment deployment;

  public LinearPredictor(Deployment deployment) {
    this.deployment = deployment;
  }

  @Override
  public ExecutionTime predict(BatchView b, int stage) {
    long kv = 0;
    long prefill = 0;
    for (int i = 0; i < b.size(); i++) {
      if (b.isPrefill(i) || b.isVerify(i)) {
        prefill += (long) b.numTokens(i) * (b.processedBefore(i) + b.numTokens(i));
      } else {
        kv += b.processedBefore(i);
      }
    }
    double gemm = 0.01 + 0.0004 * b.totalTokens();
    double comm = deployment.tp() > 1 ? 0.005 + 0.00001 * b.totalTokens() : 0;
    double pp = stage < deployment.pp() - 1 ? 0.02 : 0;
    return ExecutionTime.builder(deployment.layersPerStage())
        .set(Operator.ATTN_PRE_PROJ, gemm)
        .set(Operator.ATTN_POST_PROJ, gemm / 2)
        .set(Operator.ATTN_ROPE, 0.001)
        .set(Operator.ATTN_KV_CACHE_SAVE, 0.001)
        .set(Operator.ATTN_DECODE, 0.002 + 1e-6 * kv)
        .set(Operator.ATTN_PREFILL, prefill * 1e-8)
        .set(Operator.INPUT_LAYERNORM, 0.001)
        .set(Operator.MLP_UP_PROJ, gemm * 2)
        .set(Operator.MLP_DOWN_PROJ, gemm)
        .set(Operator.MLP_ACT, 0.001)
        .set(Operator.POST_ATTENTION_LAYERNORM, 0.001)
        .set(Operator.ADD, 0.001)
        .set(Operator.ALL_REDUCE, comm)
        .set(Operator.SEND_RECV, pp)
        .set(Operator.CPU_OVERHEAD, 0.1)
        .build();
  }

  @Override
  public String describe() {
    return "linear test predictor";
  }
}
