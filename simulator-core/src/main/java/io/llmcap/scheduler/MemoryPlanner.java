package io.llmcap.scheduler;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Deployment;
import java.util.Locale;

/**
 * Sizes the KV cache: usable memory = device memory × (1 − margin) minus the weights per device;
 * each request may grow to {@code maxTokens}. Unlike the reference, a device's KV cache holds only
 * the layers of its own pipeline stage, so the slots computed here already cover all micro-batches.
 */
public final class MemoryPlanner {
  private MemoryPlanner() {}

  public static MemoryPlan plan(
      Deployment d, double memoryMargin, int maxTokens, int blockSize, Integer numBlocksOverride) {
    return plan(d, memoryMargin, maxTokens, blockSize, numBlocksOverride, null);
  }

  /**
   * As above, with a speculative-decoding draft model beside the target: its fp16 weights and its
   * KV cache per token also take memory. The draft's share is counted on every device of the
   * replica, which overstates it when the draft runs on fewer devices than the target.
   *
   * @param draft the draft model's deployment, or null when there is none
   */
  public static MemoryPlan plan(
      Deployment d,
      double memoryMargin,
      int maxTokens,
      int blockSize,
      Integer numBlocksOverride,
      Deployment draft) {
    if (blockSize > maxTokens) {
      throw ConfigException.invalid(
          "scheduler.block_size", blockSize, "at most workload.max_tokens (" + maxTokens + ")");
    }
    long available = (long) (d.sku().memoryBytes() * (1.0 - memoryMargin));
    long params = weightBytes(d);
    long kvPerToken = d.model().kvBytesPerToken(d.tp(), d.layersPerStage());
    if (draft != null) {
      params += weightBytes(draft);
      kvPerToken += draft.model().kvBytesPerToken(draft.tp(), draft.layersPerStage());
    }
    long kvPerRequest = kvPerToken * (long) maxTokens;
    long slots = (available - params) / kvPerRequest;
    if (available <= params || slots <= 0) {
      throw new ConfigException(
          "cluster.model",
          String.format(
              Locale.ROOT,
              "%s%s does not fit on %s at tensor_parallel %d, pipeline_parallel %d: %.1f GiB of"
                  + " weights per device and %.2f GiB of KV cache for one %d-token request, but"
                  + " only %.1f GiB usable (memory_margin %.2f); allowed: raise tensor_parallel or"
                  + " pipeline_parallel, pick a larger SKU, or lower workload.max_tokens",
              d.model().name(),
              draft == null ? "" : " with draft model " + draft.model().name(),
              d.sku().name(),
              d.tp(),
              d.pp(),
              params / GIB,
              kvPerRequest / GIB,
              maxTokens,
              available / GIB,
              memoryMargin));
    }
    int slotCount = (int) Math.min(slots, Integer.MAX_VALUE / 2);
    int maxBlocksPerSequence = (maxTokens + blockSize - 1) / blockSize;
    long blocks = (long) maxBlocksPerSequence * slotCount;
    int numBlocks =
        numBlocksOverride != null ? numBlocksOverride : (int) Math.min(blocks, Integer.MAX_VALUE);
    return new MemoryPlan(
        available, params, kvPerRequest, slotCount, blockSize, maxBlocksPerSequence, numBlocks);
  }

  /**
   * Transformer-layer weights on the most loaded device in bytes: every expert's weights of an MoE
   * model on the devices that own them ({@link Deployment#layerParamsPerDevice()}), each element in
   * the deployment's weight format.
   */
  static long weightBytes(Deployment d) {
    return (long) Math.ceil(d.layerParamsPerDevice() * d.weights().bytesPerElement());
  }

  private static final double GIB = 1024.0 * 1024.0 * 1024.0;
}
