package io.llmcap.catalog;

/**
 * Multi-head latent attention (DeepSeek-V2/V3): keys and values are cached as one compressed latent
 * of {@code kvLoraRank} plus a shared rotary key of {@code qkRopeHeadDim} per token and layer;
 * queries go through a {@code qLoraRank} bottleneck (0: none); each head has a {@code qkNopeHeadDim
 * + qkRopeHeadDim} query/key width and a {@code vHeadDim} value width.
 */
public record MlaSpec(
    int kvLoraRank, int qLoraRank, int qkNopeHeadDim, int qkRopeHeadDim, int vHeadDim) {

  /** Cached elements per token and layer: the latent and the rotary key, not split over TP. */
  public int cachedElementsPerToken() {
    return kvLoraRank + qkRopeHeadDim;
  }
}
