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
   * Weights of one dense transformer layer on one device (QKV, O and MLP GEMMs; embeddings, norms
   * and biases are left out as the reference does). For an MoE model this is a layer with its dense
   * FFN; {@link #layerParamsPerDevice} counts each layer as it is.
   */
  public long paramsPerLayerPerDevice(int tp) {
    return attentionParamsPerLayer(tp) + denseFfnParamsPerLayer(tp);
  }

  /**
   * Attention weights of one layer on one device, in elements. Grouped-query: Q, K, V and O
   * projections, heads split over the TP ranks (KV heads replicated when fewer than ranks). MLA
   * (DeepSeek-V3, {@code modeling_deepseek.py}): the down-projections {@code q_a_proj} (hidden ×
   * q_lora_rank) and {@code kv_a_proj_with_mqa} (hidden × (kv_lora_rank + rope dim)) are replicated
   * on every rank (vLLM's {@code ReplicatedLinear}), the up-projections {@code q_b_proj}
   * (q_lora_rank × heads · (nope + rope)), {@code kv_b_proj} (kv_lora_rank × heads · (nope + v))
   * and {@code o_proj} (heads · v × hidden) are split by heads. Norm weights are left out.
   */
  public long attentionParamsPerLayer(int tp) {
    long e = embeddingDim;
    long qw = qHeadsPerRank(tp);
    if (mla != null) {
      long qHead = (long) mla.qkNopeHeadDim() + mla.qkRopeHeadDim();
      long q =
          mla.qLoraRank() > 0
              ? e * mla.qLoraRank() + (long) mla.qLoraRank() * qw * qHead
              : e * qw * qHead;
      long kv =
          e * (mla.kvLoraRank() + mla.qkRopeHeadDim())
              + (long) mla.kvLoraRank() * qw * (mla.qkNopeHeadDim() + mla.vHeadDim());
      long o = qw * mla.vHeadDim() * e;
      return q + kv + o;
    }
    long d = headDim();
    long kvw = kvHeadsPerRank(tp);
    return e * d * (qw + 2 * kvw) + e * d * qw;
  }

  /** The dense FFN of one layer on one device ({@code mlp_hidden_dim}, split over TP). */
  public long denseFfnParamsPerLayer(int tp) {
    return ffnMatrices() * embeddingDim * mlpHiddenDim / tp;
  }

  /** Weight matrices of one FFN: gate, up and down when gated, else up and down. */
  private long ffnMatrices() {
    return useGatedMlp ? 3L : 2L;
  }

  /** One routed expert's weights, whole (0 for a dense model). */
  public long expertParams() {
    return moe == null ? 0 : ffnMatrices() * embeddingDim * moe.expertHiddenDim();
  }

  /** The shared experts' weights of one MoE layer, whole. */
  public long sharedExpertParams() {
    return moe == null
        ? 0
        : ffnMatrices() * embeddingDim * moe.sharedExperts() * (long) moe.sharedExpertHiddenDim();
  }

  /** The router's weights of one MoE layer (hidden × experts), replicated on every device. */
  public long routerParams() {
    return moe == null ? 0 : (long) embeddingDim * moe.numExperts();
  }

  /**
   * The FFN weights of one MoE layer on one device, in elements: every routed expert's, owned by
   * the {@code tp × dp} devices that share the layer (with expert parallelism each holds {@code
   * experts / (tp · dp)} whole experts; without, a {@code 1 / (tp · dp)} slice of each: the same
   * count), the shared experts split over the TP ranks of the device's group, and the router.
   */
  public long moeFfnParamsPerLayer(int tp, int dp) {
    return (long) moe.numExperts() * expertParams() / ((long) tp * dp)
        + sharedExpertParams() / tp
        + routerParams();
  }

  /**
   * FFN weights one token goes through on one layer, per device of its TP group: the dense FFN, or
   * top-k experts, the shared experts and the router (the MoE layer's active parameters).
   */
  public long activeFfnParamsPerLayer(int tp, boolean moeLayer) {
    if (!moeLayer || moe == null) {
      return denseFfnParamsPerLayer(tp);
    }
    return ((long) moe.topK() * expertParams() + sharedExpertParams()) / tp + routerParams();
  }

  /** True when layer {@code layer} (0-based) has an MoE FFN. */
  public boolean isMoeLayer(int layer) {
    return moe != null && moe.isMoe(layer);
  }

  /**
   * The weights of layers {@code first} to {@code first + count − 1} on one device of a {@code tp}
   * × {@code dp} group: attention plus each layer's dense or MoE FFN, in elements.
   */
  public long layerParamsPerDevice(int first, int count, int tp, int dp) {
    if (moe == null) {
      return paramsPerLayerPerDevice(tp) * count;
    }
    int moeLayers = moe.moeLayers(first, count);
    return attentionParamsPerLayer(tp) * count
        + denseFfnParamsPerLayer(tp) * (count - moeLayers)
        + moeFfnParamsPerLayer(tp, dp) * moeLayers;
  }

  /** Embedding and output-head weights, whole: one matrix when tied, else two. */
  public long embeddingParams() {
    return (tiedEmbeddings ? 1L : 2L) * vocabSize * embeddingDim;
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
