package io.llmcap.catalog;

/**
 * The mixture-of-experts part of a model: each MoE layer's FFN is {@code numExperts} routed experts
 * of width {@code expertHiddenDim}, of which a router picks {@code topK} per token, plus {@code
 * sharedExperts} experts every token goes through (width {@code sharedExpertHiddenDim}). The first
 * {@code denseLayers} layers keep a dense FFN of the model's {@code mlp_hidden_dim}; after them
 * every {@code layerStep}-th layer is an MoE layer (1: all of them).
 */
public record MoeSpec(
    int numExperts,
    int topK,
    int expertHiddenDim,
    int sharedExperts,
    int sharedExpertHiddenDim,
    int denseLayers,
    int layerStep) {

  /** How many of {@code layers} consecutive layers, counted from layer {@code first}, are MoE. */
  public int moeLayers(int first, int layers) {
    int n = 0;
    for (int l = first; l < first + layers; l++) {
      if (isMoe(l)) {
        n++;
      }
    }
    return n;
  }

  /** True when layer {@code layer} (0-based) has an MoE FFN. */
  public boolean isMoe(int layer) {
    int step = Math.max(1, layerStep);
    return layer >= denseLayers && (layer - denseLayers) % step == step - 1;
  }
}
