package io.llmcap.kv;

import java.util.Arrays;

/**
 * One replica's host-memory (CPU) KV tier behind its GPU prefix cache, as vLLM 0.15.1's
 * OffloadingConnector with its LRU manager keeps it ({@code vllm/v1/kv_offload/lru_manager.py}):
 * full blocks found by content hash, at most {@link #capacity()} of them. A block is stored when a
 * request has computed it ({@link #store}; one already held is left where it is in the LRU order);
 * when the tier is full the least recently used block that no load holds is dropped, and when every
 * block is held the store is skipped. A hit is pinned ({@link #pin}) while its load runs, so it is
 * never dropped then, and becomes the most recently used when the load ends ({@link #unpin}).
 *
 * <p>Slots grow on demand up to the capacity, so a large tier costs memory only once it is used.
 */
public final class HostKvTier {

  private final int capacity;
  private final LongIntMap index = new LongIntMap();
  private long[] hash = new long[0];
  private int[] refs = new int[0];
  private final LruList lru = new LruList(0);
  private int used;
  private long stores;
  private long drops;

  /**
   * @param capacity blocks the tier holds (its bytes over the replica's bytes per KV block)
   */
  public HostKvTier(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("host KV tier of " + capacity + " blocks");
    }
    this.capacity = capacity;
  }

  /**
   * Host blocks for {@code bytes} of host memory when one KV block of the replica (all its layers,
   * on all its GPUs) takes {@code bytesPerBlock}.
   */
  public static int blocksFor(double bytes, long bytesPerBlock) {
    return (int) Math.min(Integer.MAX_VALUE, Math.floor(bytes / bytesPerBlock));
  }

  public int capacity() {
    return capacity;
  }

  /** Blocks held now; never more than {@link #capacity()}. */
  public int size() {
    return index.size();
  }

  /** Blocks stored so far (excluding those already held when stored). */
  public long stores() {
    return stores;
  }

  /** Blocks dropped (least recently used) to make room so far. */
  public long drops() {
    return drops;
  }

  /** Whether the tier holds the block with content hash {@code h}. */
  public boolean contains(long h) {
    return index.containsKey(h);
  }

  /** Loads running from block {@code h}, 0 when none or not held. */
  public int pins(long h) {
    int slot = index.get(h);
    return slot == LongIntMap.MISSING ? 0 : refs[slot];
  }

  /**
   * How many of {@code hashes[from]}, {@code hashes[from + 1]}, … up to {@code hashes[to - 1]} the
   * tier holds one after the other: the cached prefix continued from block {@code from}.
   */
  public int run(long[] hashes, int from, int to) {
    int n = 0;
    while (from + n < to && index.containsKey(hashes[from + n])) {
      n++;
    }
    return n;
  }

  /** Holds blocks {@code from} … {@code from + n − 1} of {@code hashes}, which must be held. */
  public void pin(long[] hashes, int from, int n) {
    for (int i = from; i < from + n; i++) {
      int slot = index.get(hashes[i]);
      if (refs[slot]++ == 0) {
        lru.unlink(slot);
      }
    }
  }

  /** Ends a load {@link #pin} started: the blocks become the most recently used. */
  public void unpin(long[] hashes, int from, int n) {
    for (int i = from; i < from + n; i++) {
      int slot = index.get(hashes[i]);
      if (slot == LongIntMap.MISSING || refs[slot] <= 0) {
        throw new IllegalStateException("host block " + hashes[i] + " is not pinned");
      }
      if (--refs[slot] == 0) {
        lru.append(slot);
      }
    }
  }

  /**
   * Stores the block with content hash {@code h}, dropping the least recently used unpinned block
   * when the tier is full. Returns false when the block was held already or no room could be made.
   */
  public boolean store(long h) {
    if (index.containsKey(h)) {
      return false;
    }
    int slot;
    if (used < capacity) {
      slot = used++;
      if (slot == hash.length) {
        grow();
      }
    } else if (lru.oldest() != LruList.NONE) {
      slot = lru.oldest();
      lru.unlink(slot);
      index.remove(hash[slot]);
      drops++;
    } else {
      return false;
    }
    hash[slot] = h;
    refs[slot] = 0;
    index.put(h, slot);
    lru.append(slot);
    stores++;
    return true;
  }

  private void grow() {
    int n = (int) Math.min(capacity, Math.max(64L, 2L * hash.length));
    hash = Arrays.copyOf(hash, n);
    refs = Arrays.copyOf(refs, n);
    lru.grow(n);
  }
}
