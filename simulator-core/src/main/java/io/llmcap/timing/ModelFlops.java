package io.llmcap.timing;

import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.ModelSpec;

/**
 * Model FLOPs of a batch on one pipeline stage of one tensor-parallel rank, and model FLOPs
 * utilisation: the one place both are computed. A stage's FLOPs are its weight GEMMs (2 FLOPs per
 * parameter per token) plus causal attention over each request's context (4 · heads · head dim per
 * query token and attended token).
 */
public final class ModelFlops {
  private final double gemmFlopsPerTokenLayer;
  private final int layers;
  private final double attnPerToken;

  public ModelFlops(Deployment deployment) {
    this(deployment, 0);
  }

  /**
   * The FLOPs of pipeline stage {@code stage}: for an MoE model its MoE layers count the active
   * parameters (top-k experts, the shared experts and the router) and its dense layers the dense
   * FFN; per token of the device's own batch, since under attention data parallelism a device runs
   * every group's tokens through 1 / dp of the experts.
   */
  public ModelFlops(Deployment deployment, int stage) {
    ModelSpec model = deployment.model();
    int tp = deployment.tp();
    this.layers = deployment.layersPerStage();
    if (model.isMoe()) {
      int moe = deployment.moeLayers(stage);
      double params =
          (double) model.attentionParamsPerLayer(tp) * layers
              + (double) model.activeFfnParamsPerLayer(tp, true) * moe
              + (double) model.activeFfnParamsPerLayer(tp, false) * (layers - moe);
      this.gemmFlopsPerTokenLayer = 2.0 * params / layers;
    } else {
      this.gemmFlopsPerTokenLayer = 2.0 * model.paramsPerLayerPerDevice(tp);
    }
    // Integer-valued products, exact in any order.
    this.attnPerToken = attentionPerTokenPair(model.qHeadsPerRank(tp), model.headDim()) * layers;
  }

  /** FLOPs of one token through a {@code k} × {@code n} weight GEMM: a multiply-add per weight. */
  public static double gemmPerToken(double k, double n) {
    return 2 * k * n;
  }

  /**
   * Attention FLOPs per query token and attended token on one layer: QKᵀ and PV, a multiply-add per
   * head dimension each, for each of {@code queryHeads} heads.
   */
  public static double attentionPerTokenPair(double queryHeads, double headDim) {
    return 4 * headDim * queryHeads;
  }

  /** FLOPs of {@code batch} on one stage of one rank. */
  public double stage(BatchView batch) {
    double f = gemmFlopsPerTokenLayer * layers * batch.totalTokens();
    for (int i = 0; i < batch.size(); i++) {
      int n = batch.numTokens(i);
      f += attnPerToken * n * (n + batch.processedBefore(i));
    }
    return f;
  }

  /**
   * Model FLOPs utilisation: {@code flops} done over {@code peakFlops} (FLOP/s of the devices that
   * did them) for {@code seconds}; 0 for no time.
   */
  public static double mfu(double flops, double peakFlops, double seconds) {
    return seconds > 0 ? flops / (peakFlops * seconds) : 0.0;
  }
}
