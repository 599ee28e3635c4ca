package io.llmcap.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The shape of a transformer model, as far as serving cost is concerned. Names are Hugging Face
 * ids.
 */
public record ModelSpec(
    String name,
    int numLayers,
    @JsonProperty("num_q_heads") int numQHeads,
    int numKvHeads,
    int embeddingDim,
    int mlpHiddenDim,
    int vocabSize,
    boolean useGatedMlp,
    int maxPositionEmbeddings,
    String norm,
    String activation,
    boolean postAttnNorm,
    boolean noTensorParallel,
    String source) {

  public int headDim() {
    return embeddingDim / numQHeads;
  }

  /** Query heads on one tensor-parallel rank. */
  public int qHeadsPerRank(int tp) {
    return numQHeads / tp;
  }

  /** KV heads on one tensor-parallel rank: replicated when there are fewer KV heads than ranks. */
  public int kvHeadsPerRank(int tp) {
    return (numKvHeads + tp - 1) / tp;
  }

  /**
   * Weights of one transformer layer on one device (QKV, O and MLP GEMMs; embeddings, norms and
   * biases are left out as the reference does).
   */
  public long paramsPerLayerPerDevice(int tp) {
    long e = embeddingDim;
    long d = headDim();
    long qw = qHeadsPerRank(tp);
    long kvw = kvHeadsPerRank(tp);
    long attention = e * d * (qw + 2 * kvw) + e * d * qw;
    long mlp = (useGatedMlp ? 3L : 2L) * e * mlpHiddenDim / tp;
    return attention + mlp;
  }

  /** KV-cache bytes one token occupies on one device for {@code layers} layers (fp16 K and V). */
  public long kvBytesPerToken(int tp, int layers) {
    return 2L * 2L * headDim() * kvHeadsPerRank(tp) * layers;
  }
}
