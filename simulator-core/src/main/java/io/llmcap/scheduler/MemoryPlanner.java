package io.llmcap.scheduler;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.Precision;
import java.util.Locale;

/**
 * Sizes the KV cache: usable memory = device memory × (1 − margin) minus the weights per device in
 * the deployment's weight format; each request may grow to {@code maxTokens} tokens of KV in the
 * deployment's KV-cache format ({@link Deployment#kvBytesPerToken}). Unlike the reference, a
 * device's KV cache holds only the layers of its own pipeline stage, so the slots computed here
 * already cover all micro-batches. Sliding-window layers are counted at full length here (the
 * schedulers that reserve whole requests up front model engines without windows); {@code vllm_v1}
 * caps them ({@link VllmKvCapacity}).
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
    long kvPerToken = d.kvBytesPerToken(d.layersPerStage());
    if (draft != null) {
      params += weightBytes(draft);
      kvPerToken += draft.kvBytesPerToken(draft.layersPerStage());
    }
    long kvPerRequest = kvPerToken * (long) maxTokens;
    long slots = (available - params) / kvPerRequest;
    if (available <= params || slots <= 0) {
      throw new ConfigException(
          "cluster.model",
          String.format(
              Locale.ROOT,
              "%s%s does not fit on %s at tensor_parallel %d, pipeline_parallel %d%s: %.1f GiB of"
                  + " weights per device and %.2f GiB of KV cache for one %d-token request, but"
                  + " only %.1f GiB usable (memory_margin %.2f); allowed: raise tensor_parallel or"
                  + " pipeline_parallel, pick a larger SKU, or lower workload.max_tokens",
              d.model().name(),
              draft == null ? "" : " with draft model " + draft.model().name(),
              d.sku().name(),
              d.tp(),
              d.pp(),
              formats(d),
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

  /** The formats, named when they are not the 16-bit default. */
  private static String formats(Deployment d) {
    if (d.weights() == Precision.BF16 && d.kvCache() == Precision.BF16) {
      return "";
    }
    return ", dtype " + d.weights().id() + ", kv_cache_dtype " + d.kvCache().id();
  }

  /**
   * Transformer-layer weights on the most loaded device in bytes: every expert's weights of an MoE
   * model on the devices that own them ({@link Deployment#layerParamsPerDevice()}), each element in
   * the deployment's weight format.
   */
  static long weightBytes(Deployment d) {
    return (long) Math.ceil(d.weightBytes(d.layerParamsPerDevice()));
  }

  private static final double GIB = 1024.0 * 1024.0 * 1024.0;
}
