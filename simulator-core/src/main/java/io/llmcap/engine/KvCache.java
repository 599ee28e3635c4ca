package io.llmcap.engine;

/**
 * Paged KV-cache accounting of one replica: a fixed number of blocks, handed to requests whole.
 * Allocation beyond capacity is a scheduler bug and fails loudly.
 */
public final class KvCache {
  private final int numBlocks;
  private int allocated;
  private int holders;
  private int peakAllocated;

  public KvCache(int numBlocks) {
    this.numBlocks = numBlocks;
  }

  public boolean canAllocate(int blocks) {
    return numBlocks - allocated >= blocks;
  }

  public void allocate(Request r, int blocks) {
    if (blocks < 0 || allocated + blocks > numBlocks) {
      throw new IllegalStateException(
          "KV over-allocation: " + allocated + " + " + blocks + " > " + numBlocks + " blocks");
    }
    if (!r.holdsBlocks) {
      r.holdsBlocks = true;
      holders++;
    }
    r.allocatedBlocks += blocks;
    allocated += blocks;
    peakAllocated = Math.max(peakAllocated, allocated);
  }

  /**
   * Gives back {@code blocks} of the blocks {@code r} holds (speculative tokens the target
   * rejected); the request keeps its allocation.
   */
  public void release(Request r, int blocks) {
    if (blocks < 0 || blocks > r.allocatedBlocks) {
      throw new IllegalStateException(
          "KV release of " + blocks + " blocks from a request holding " + r.allocatedBlocks);
    }
    r.allocatedBlocks -= blocks;
    allocated -= blocks;
  }

  public void free(Request r) {
    if (!r.holdsBlocks) {
      return;
    }
    allocated -= r.allocatedBlocks;
    r.allocatedBlocks = 0;
    r.holdsBlocks = false;
    holders--;
  }

  /** True while {@code r} holds an allocation (the reference's "in the allocation map"). */
  public boolean holds(Request r) {
    return r.holdsBlocks;
  }

  public int blocksOf(Request r) {
    return r.allocatedBlocks;
  }

  public int numBlocks() {
    return numBlocks;
  }

  public int free() {
    return numBlocks - allocated;
  }

  public int allocated() {
    return allocated;
  }

  public int peakAllocated() {
    return peakAllocated;
  }

  /** Number of requests holding blocks. */
  public int holders() {
    return holders;
  }
}
