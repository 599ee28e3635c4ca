package io.llmcap.testing;

import io.llmcap.catalog.Deployment;
import io.llmcap.timing.BatchView;
import io.llmcap.timing.ExecutionTime;
import io.llmcap.timing.ExecutionTimePredictor;

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
    return new ExecutionTime(
        deployment.layersPerStage(),
        gemm,
        gemm / 2,
        0.001,
        0.001,
        0.002 + 1e-6 * kv,
        prefill * 1e-8,
        0.001,
        gemm * 2,
        gemm,
        0.001,
        0.001,
        0.001,
        comm,
        pp,
        0.1);
  }

  @Override
  public String describe() {
    return "linear test predictor";
  }
}
