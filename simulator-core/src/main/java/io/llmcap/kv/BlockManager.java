package io.llmcap.kv;

/**
 * Paged KV blocks with identities: each block has an id in {@code [0, numBlocks)} and a reference
 * count; unreferenced blocks wait on a free stack. A block is referenced once per sequence holding
 * it, so a block shared by several sequences (prefix caching, {@link PrefixCachingBlockManager})
 * goes back only when its last holder lets go.
 *
 * <p>The hot path (allocate, grow, free) touches int arrays only: no boxing, no allocation beyond a
 * sequence's growing id array.
 */
public class BlockManager implements KvManager {
  private final int numBlocks;
  private final int blockSize;

  /** Holders per block. */
  protected final int[] refs;

  private final int[] freeStack;
  private int freeTop;

  /** Ids from here on were never handed out: the free list's lazy tail. */
  private int fresh;

  private int allocated;
  private int peakAllocated;
  private int holders;

  public BlockManager(int numBlocks, int blockSize) {
    if (numBlocks < 0 || blockSize < 1) {
      throw new IllegalArgumentException("KV blocks " + numBlocks + " of " + blockSize + " tokens");
    }
    this.numBlocks = numBlocks;
    this.blockSize = blockSize;
    this.refs = new int[numBlocks];
    this.freeStack = new int[numBlocks];
  }

  @Override
  public final int numBlocks() {
    return numBlocks;
  }

  @Override
  public final int blockSize() {
    return blockSize;
  }

  @Override
  public final boolean canAllocate(int blocks) {
    return numBlocks - allocated >= blocks;
  }

  @Override
  public final void allocate(BlockTable t, int blocks) {
    if (blocks < 0 || allocated + blocks > numBlocks) {
      throw new IllegalStateException(
          "KV over-allocation: " + allocated + " + " + blocks + " > " + numBlocks + " blocks");
    }
    hold(t);
    t.reserve(blocks);
    for (int i = 0; i < blocks; i++) {
      int id = takeBlock();
      refs[id] = 1;
      t.ids[t.size++] = id;
    }
    allocated += blocks;
    peakAllocated = Math.max(peakAllocated, allocated);
  }

  @Override
  public final void release(BlockTable t, int blocks) {
    if (blocks < 0 || blocks > t.size) {
      throw new IllegalStateException(
          "KV release of " + blocks + " blocks from a request holding " + t.size);
    }
    for (int i = 0; i < blocks; i++) {
      unref(t.ids[--t.size]);
    }
  }

  @Override
  public final void free(BlockTable t) {
    if (!t.holds) {
      return;
    }
    // last block first: with caching, a sequence's tail is evicted before its shared head
    for (int i = t.size - 1; i >= 0; i--) {
      unref(t.ids[i]);
    }
    t.clear();
    holders--;
  }

  @Override
  public final int free() {
    return numBlocks - allocated;
  }

  @Override
  public final int allocated() {
    return allocated;
  }

  @Override
  public final int peakAllocated() {
    return peakAllocated;
  }

  @Override
  public final int holders() {
    return holders;
  }

  /** Reference count of block {@code id}. */
  public final int refCount(int id) {
    return refs[id];
  }

  /** Makes {@code t} a holder if it is not one yet. */
  protected final void hold(BlockTable t) {
    if (!t.holds) {
      t.holds = true;
      holders++;
    }
  }

  /** Counts a block that went from unreferenced to referenced without {@link #takeBlock}. */
  protected final void referenced(int id) {
    allocated++;
    peakAllocated = Math.max(peakAllocated, allocated);
  }

  private void unref(int id) {
    if (--refs[id] == 0) {
      allocated--;
      unreferenced(id);
    }
  }

  /** A block for a new allocation; the caller has checked that one is free. */
  protected int takeBlock() {
    if (freeTop > 0) {
      return freeStack[--freeTop];
    }
    if (fresh < numBlocks) {
      return fresh++;
    }
    return evict();
  }

  /** Frees a cached block for reuse when the free list is empty; none here. */
  protected int evict() {
    throw new IllegalStateException("KV free list empty with " + allocated + " blocks allocated");
  }

  /** Block {@code id} lost its last holder: back on the free list. */
  protected void unreferenced(int id) {
    freeStack[freeTop++] = id;
  }
}
