package io.llmcap.kv;

import java.util.Arrays;

/**
 * Paged KV blocks with identities, the plain manager: each block has an id in {@code [0,
 * numBlocks)}; a block is held by one sequence at a time and goes back to a free stack when
 * released. Ids move in bulk ({@code System.arraycopy}), so growing and freeing cost what copying a
 * few ints costs, even at one token per block. {@link PrefixCachingBlockManager} adds reference
 * counts per block (blocks shared by sequences with the same prefix), content hashes and a cache of
 * unreferenced blocks.
 */
public class BlockManager implements KvManager {
  private final int numBlocks;
  private final int blockSize;

  private final int[] freeStack;
  private int freeTop;

  /** Ids from here on were never handed out: the free list's lazy tail. */
  private int fresh;

  private int allocated;
  private int peakAllocated;
  private int holders;

  /**
   * Id arrays of freed sequences, handed to new holders: a run allocates block tables once, not
   * once per request.
   */
  private int[][] spareIds = new int[16][];

  private int spareCount;

  public BlockManager(int numBlocks, int blockSize) {
    if (numBlocks < 0 || blockSize < 1) {
      throw new IllegalArgumentException("KV blocks " + numBlocks + " of " + blockSize + " tokens");
    }
    this.numBlocks = numBlocks;
    this.blockSize = blockSize;
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
    reserve(t, blocks);
    takeBlocks(t, blocks);
    countAllocated(blocks);
  }

  @Override
  public final void release(BlockTable t, int blocks) {
    if (blocks < 0 || blocks > t.size) {
      throw new IllegalStateException(
          "KV release of " + blocks + " blocks from a request holding " + t.size);
    }
    int end = t.size;
    t.size -= blocks;
    allocated -= dropBlocks(t.ids, t.size, end);
  }

  @Override
  public final void free(BlockTable t) {
    if (!t.holds) {
      return;
    }
    allocated -= dropBlocks(t.ids, 0, t.size);
    if (t.ids.length > 0) {
      if (spareCount == spareIds.length) {
        spareIds = Arrays.copyOf(spareIds, spareCount * 2);
      }
      spareIds[spareCount++] = t.ids;
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

  /**
   * Appends {@code n} blocks to {@code t}, which has room for them; the caller checked that {@code
   * n} are free and counts them.
   */
  protected void takeBlocks(BlockTable t, int n) {
    int fromStack = Math.min(n, freeTop);
    freeTop -= fromStack;
    System.arraycopy(freeStack, freeTop, t.ids, t.size, fromStack);
    t.size += fromStack;
    for (int i = fromStack; i < n; i++) {
      t.ids[t.size++] = fresh++;
    }
  }

  /**
   * Lets go of the blocks {@code ids[from, to)}, which a sequence no longer holds.
   *
   * @return how many blocks lost their last holder (no longer allocated)
   */
  protected int dropBlocks(int[] ids, int from, int to) {
    System.arraycopy(ids, from, freeStack, freeTop, to - from);
    freeTop += to - from;
    return to - from;
  }

  /** A block from the free list, or -1 when it is empty. */
  protected final int popFree() {
    if (freeTop > 0) {
      return freeStack[--freeTop];
    }
    return fresh < numBlocks ? fresh++ : -1;
  }

  /** Puts block {@code id} on the free list. */
  protected final void pushFree(int id) {
    freeStack[freeTop++] = id;
  }

  /** Counts {@code n} blocks that became referenced. */
  protected final void countAllocated(int n) {
    allocated += n;
    peakAllocated = Math.max(peakAllocated, allocated);
  }

  /**
   * Makes room for {@code more} ids in {@code t}, from a freed sequence's array when it has none.
   */
  protected final void reserve(BlockTable t, int more) {
    if (t.ids.length == 0 && spareCount > 0) {
      t.ids = spareIds[--spareCount];
      spareIds[spareCount] = null;
    }
    t.reserve(more);
  }

  /** Makes {@code t} a holder if it is not one yet. */
  protected final void hold(BlockTable t) {
    if (!t.holds) {
      t.holds = true;
      holders++;
    }
  }
}
