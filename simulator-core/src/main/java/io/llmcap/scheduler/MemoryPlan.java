package io.llmcap.scheduler;

import io.llmcap.kv.KvLayout;

/**
 * How one replica's device memory splits into weights and KV cache. {@code requestSlots} is how
 * many max-length requests fit at once; {@code numBlocks} the paged KV capacity in blocks; {@code
 * layout} how blocks map to a request's tokens (one full-attention group unless the scheduler
 * models sliding-window layers, {@link KvLayout}).
 */
public record MemoryPlan(
    long availableBytes,
    long paramBytesPerDevice,
    long kvBytesPerRequest,
    int requestSlots,
    int blockSize,
    int maxBlocksPerSequence,
    int numBlocks,
    KvLayout layout) {

  public MemoryPlan {
    layout = layout == null ? KvLayout.dense(blockSize, 1) : layout;
  }

  /** A plan whose blocks each hold {@code blockSize} tokens of every layer. */
  public MemoryPlan(
      long availableBytes,
      long paramBytesPerDevice,
      long kvBytesPerRequest,
      int requestSlots,
      int blockSize,
      int maxBlocksPerSequence,
      int numBlocks) {
    this(
        availableBytes,
        paramBytesPerDevice,
        kvBytesPerRequest,
        requestSlots,
        blockSize,
        maxBlocksPerSequence,
        numBlocks,
        null);
  }
}
