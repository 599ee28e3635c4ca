package io.llmcap.catalog;

/**
 * A model placed on hardware: one replica spans {@code tp * dp * pp} devices of {@code node}.
 *
 * <p>{@code tp} shards attention and dense layers; {@code dp} is attention data parallelism inside
 * the replica (each of the dp groups runs its own batches through attention; the MoE layers process
 * the groups' tokens together); {@code ep} is the expert-parallel degree of MoE layers: 1 shards
 * each expert over the tp × dp devices, tp × dp places whole experts on each device (vLLM's {@code
 * --enable-expert-parallel}). {@code weights} and {@code kvCache} are the formats the weights and
 * the KV cache are stored in.
 */
public record Deployment(
    ModelSpec model,
    DeviceSku sku,
    NodeSku node,
    int tp,
    int pp,
    int ep,
    int dp,
    Precision weights,
    Precision kvCache) {

  /** A dense deployment in 16 bits: no expert or data parallelism. */
  public Deployment(ModelSpec model, DeviceSku sku, NodeSku node, int tp, int pp) {
    this(model, sku, node, tp, pp, 1, 1, Precision.BF16, Precision.BF16);
  }

  public int devicesPerReplica() {
    return tp * dp * pp;
  }

  public int layersPerStage() {
    return model.numLayers() / pp;
  }

  /** The first layer of pipeline stage {@code stage} (0-based). */
  public int firstLayer(int stage) {
    return stage * layersPerStage();
  }

  /** The MoE layers of pipeline stage {@code stage} (0 for a dense model). */
  public int moeLayers(int stage) {
    return model.isMoe() ? model.moe().moeLayers(firstLayer(stage), layersPerStage()) : 0;
  }

  /**
   * Transformer-layer weights on one device of pipeline stage {@code stage}, in elements: every
   * expert's weights of the stage's MoE layers held by the devices that own them ({@link
   * ModelSpec#moeFfnParamsPerLayer}).
   */
  public long layerParamsPerDevice(int stage) {
    return model.layerParamsPerDevice(firstLayer(stage), layersPerStage(), tp, dp);
  }

  /**
   * The transformer-layer weights of the most loaded device, in elements: the largest stage's
   * (stages differ when some layers are dense and others MoE). Memory is planned for it.
   */
  public long layerParamsPerDevice() {
    long max = 0;
    for (int s = 0; s < pp; s++) {
      max = Math.max(max, layerParamsPerDevice(s));
    }
    return max;
  }

  /**
   * Weights on the most loaded device, embedding and output head included (split over the TP ranks,
   * vLLM's vocabulary-parallel layers), in elements.
   */
  public long weightParamsPerDevice() {
    return layerParamsPerDevice() + model.embeddingParams() / tp;
  }

  /**
   * Sliding-window layers among this device's {@link #layersPerStage}: the model's share of them,
   * rounded (gpt-oss alternates sliding and full layers, so every stage of an even split gets
   * half).
   */
  public int slidingLayersPerStage() {
    SlidingWindow w = model.slidingWindow();
    if (w == null || w.layers() <= 0) {
      return 0;
    }
    return (int) Math.round((double) layersPerStage() * w.layers() / model.numLayers());
  }

  /**
   * KV-cache bytes of one token on one layer of one device, in the deployment's KV-cache format
   * (fp8: one byte per element; its per-tensor scales are negligible).
   */
  public long kvBytesPerTokenPerLayer() {
    return (long) (model.kvElementsPerTokenPerLayer(tp) * kvCache.bytesPerElement());
  }

  /** KV-cache bytes of one token on one device for {@code layers} layers. */
  public long kvBytesPerToken(int layers) {
    return kvBytesPerTokenPerLayer() * layers;
  }

  /**
   * Bytes of {@code elements} weight elements stored in the deployment's weight format, block
   * scales included. Embeddings, the output head and norms stay 16-bit in quantised checkpoints
   * (their quantisation configs leave {@code lm_head} and {@code embed_tokens} out): count those at
   * 2 bytes.
   */
  public double weightBytes(double elements) {
    return elements * weights.bytesPerElement();
  }

  /** True when one replica needs more devices than one node holds. */
  public boolean multiNode() {
    return devicesPerReplica() > node.devicesPerNode();
  }
}
