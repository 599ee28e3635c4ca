package io.llmcap.scheduler;

/**
 * How one replica's device memory splits into weights and KV cache. {@code requestSlots} is how
 * many max-length requests fit at once; {@code numBlocks} the paged KV capacity in blocks.
 */
public record MemoryPlan(
    long availableBytes,
    long paramBytesPerDevice,
    long kvBytesPerRequest,
    int requestSlots,
    int blockSize,
    int maxBlocksPerSequence,
    int numBlocks) {}
