package io.llmcap.kv;

/**
 * One replica's KV cache as its scheduler sees it: a fixed number of blocks of {@link #blockSize}
 * tokens, handed to sequences ({@link BlockTable}s) whole. Allocation beyond capacity is a
 * scheduler bug and fails loudly. Made per replica by a {@link KvManagerFactory}.
 */
public interface KvManager {
  /** Capacity in blocks. */
  int numBlocks();

  /** Tokens per block. */
  int blockSize();

  /** Whether {@code blocks} more blocks can be allocated now. */
  default boolean canAllocate(int blocks) {
    return free() >= blocks;
  }

  /**
   * Appends {@code blocks} new blocks to {@code t}; the first call makes {@code t} a holder, even
   * of zero blocks.
   *
   * @throws IllegalStateException when fewer than {@code blocks} are free
   */
  void allocate(BlockTable t, int blocks);

  /**
   * Gives back the last {@code blocks} of {@code t}'s blocks (speculative tokens the target
   * rejected); {@code t} keeps its allocation.
   */
  void release(BlockTable t, int blocks);

  /** Gives back all of {@code t}'s blocks; {@code t} no longer holds an allocation. */
  void free(BlockTable t);

  /** True while {@code t} holds an allocation. */
  default boolean holds(BlockTable t) {
    return t.holds();
  }

  /** Blocks {@code t} holds. */
  default int blocksOf(BlockTable t) {
    return t.size();
  }

  /**
   * Blocks that can be allocated now: never used, freed, or (with prefix caching) cached but
   * unreferenced.
   */
  int free();

  /** Blocks referenced by at least one sequence. */
  int allocated();

  /** The most blocks referenced at once so far. */
  int peakAllocated();

  /** Sequences holding an allocation. */
  int holders();
}
