package io.llmcap.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The shape of a transformer model, as far as serving cost is concerned. Names are Hugging Face
 * ids.
 *
 * <p>The components after {@code source} are optional in {@code models.yaml} and default to a dense
 * 16-bit model with full attention: {@code headDim} (0 or absent: {@code embeddingDim /
 * numQHeads}), {@code tiedEmbeddings} (the output head shares the embedding's weights), {@code
 * dtype} (the checkpoint's weight format, {@code torch_dtype} or its quantisation; absent: bf16),
 * {@code moe}, {@code mla}, {@code slidingWindow} (null: none), {@code attentionSinks} (a learned
 * sink logit per head, gpt-oss), {@code aliases} (other names that find this model).
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
    String source,
    Integer headDim,
    Boolean tiedEmbeddings,
    String dtype,
    MoeSpec moe,
    MlaSpec mla,
    SlidingWindow slidingWindow,
    Boolean attentionSinks,
    List<String> aliases) {

  public ModelSpec {
    if (headDim == null || headDim == 0) {
      headDim = numQHeads == 0 ? 0 : embeddingDim / numQHeads;
    }
    tiedEmbeddings = tiedEmbeddings != null && tiedEmbeddings;
    dtype = dtype == null ? Precision.BF16.id() : dtype;
    attentionSinks = attentionSinks != null && attentionSinks;
    aliases = aliases == null ? List.of() : List.copyOf(aliases);
  }

  /** A dense 16-bit model with full attention (the shape of the reference's models). */
  public ModelSpec(
      String name,
      int numLayers,
      int numQHeads,
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
    this(
        name,
        numLayers,
        numQHeads,
        numKvHeads,
        embeddingDim,
        mlpHiddenDim,
        vocabSize,
        useGatedMlp,
        maxPositionEmbeddings,
        norm,
        activation,
        postAttnNorm,
        noTensorParallel,
        source,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** The checkpoint's weight format. */
  public Precision weightPrecision() {
    return Precision.parse("models.yaml: " + name + ".dtype", dtype);
  }

  public boolean isMoe() {
    return moe != null;
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

  /**
   * KV-cache elements one token occupies on one layer of one tensor-parallel rank: K and V of the
   * rank's KV heads, or under multi-head latent attention the latent and the rotary key, which
   * every rank keeps whole (MLA has one shared latent, not heads to shard: the reason vLLM offers
   * attention data parallelism for it).
   */
  public long kvElementsPerTokenPerLayer(int tp) {
    return mla != null ? mla.cachedElementsPerToken() : 2L * headDim() * kvHeadsPerRank(tp);
  }

  /**
   * KV-cache bytes one token occupies on one device for {@code layers} layers with a 16-bit cache;
   * {@link Deployment#kvBytesPerToken} counts the deployment's KV-cache format.
   */
  public long kvBytesPerToken(int tp, int layers) {
    return 2L * kvElementsPerTokenPerLayer(tp) * layers;
  }
}
