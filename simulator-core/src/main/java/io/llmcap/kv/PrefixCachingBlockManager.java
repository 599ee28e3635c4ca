package io.llmcap.kv;

/**
 * A {@link BlockManager} with reference counts and content hashes, for prefix caching: a block is
 * referenced once per sequence holding it and goes back only when its last holder lets go; a full
 * block registered with its content hash ({@link BlockHashes}) can be found by that hash and shared
 * by later sequences with the same prefix. When its last holder lets go, a cached block is not
 * freed but kept in a least-recently-released order, and evicted (its hash forgotten) only when an
 * allocation finds the free list empty; a referenced block is never evicted.
 *
 * <p>vLLM V1's scheduler uses it (with {@code scheduler.prefix_caching}); the index is a plain map.
 */
public class PrefixCachingBlockManager extends BlockManager {

  /** Holders per block. */
  private final int[] refs;

  /** Content hash per block, {@link BlockHashes#NONE} when the block is not cached. */
  private final long[] hash;

  private final LongIntMap index = new LongIntMap();

  // unreferenced cached blocks, least recently released first
  private final LruList released;

  public PrefixCachingBlockManager(int numBlocks, int blockSize) {
    super(numBlocks, blockSize);
    refs = new int[numBlocks];
    hash = new long[numBlocks];
    released = new LruList(numBlocks);
  }

  /** Leading blocks of {@code hashes} that the cache holds: whole blocks only. */
  public final int cachedPrefix(long[] hashes) {
    return cachedPrefix(hashes, hashes.length);
  }

  /** {@link #cachedPrefix(long[])}, looking at no more than the first {@code max} blocks. */
  public final int cachedPrefix(long[] hashes, int max) {
    int limit = Math.min(max, hashes.length);
    int n = 0;
    while (n < limit && index.containsKey(hashes[n])) {
      n++;
    }
    return n;
  }

  /**
   * Whether a sequence can take the first {@code cached} blocks of {@code hashes} from the cache
   * ({@link #cachedPrefix}) and {@code newBlocks} new ones: cached blocks nobody references count
   * as free until taken.
   */
  public final boolean canAllocate(long[] hashes, int cached, int newBlocks) {
    int unreferencedHits = 0;
    for (int i = 0; i < cached; i++) {
      if (refs[index.get(hashes[i])] == 0) {
        unreferencedHits++;
      }
    }
    return free() - unreferencedHits >= newBlocks;
  }

  /**
   * Makes {@code t}, which holds no blocks, share the first {@code cached} blocks of {@code hashes}
   * from the cache ({@link #cachedPrefix} or fewer); grow it with {@link #allocate}.
   */
  public final void allocateCached(BlockTable t, long[] hashes, int cached) {
    if (t.size != 0) {
      throw new IllegalStateException("cached prefix for a sequence holding " + t.size + " blocks");
    }
    if (cached > hashes.length) {
      throw new IllegalArgumentException(cached + " cached blocks of " + hashes.length + " hashes");
    }
    hold(t);
    reserve(t, cached);
    for (int i = 0; i < cached; i++) {
      int id = index.get(hashes[i]);
      if (id == LongIntMap.MISSING) {
        throw new IllegalStateException("block " + i + " is not cached");
      }
      if (refs[id]++ == 0) {
        released.unlink(id);
        countAllocated(1);
      }
      t.append(id);
    }
  }

  /**
   * Registers the content of {@code t}'s first {@code blocks} blocks, which must be full, under
   * {@code hashes}: later sequences with that prefix find them. A block already cached keeps its
   * entry; a hash already held by another block is left to that block.
   */
  public final void cacheFull(BlockTable t, long[] hashes, int blocks) {
    cacheFull(t, hashes, 0, blocks);
  }

  /** {@link #cacheFull(BlockTable, long[], int)} for blocks {@code from} … {@code to − 1} only. */
  public final void cacheFull(BlockTable t, long[] hashes, int from, int to) {
    if (to > t.size || to > hashes.length) {
      throw new IllegalArgumentException(
          to + " blocks to cache, " + t.size + " held, " + hashes.length + " hashes");
    }
    for (int i = from; i < to; i++) {
      int id = t.ids[i];
      long h = hashes[i];
      if (hash[id] != BlockHashes.NONE) {
        if (hash[id] != h) {
          throw new IllegalStateException("block " + id + " is cached with other content");
        }
        continue;
      }
      if (!index.containsKey(h)) {
        hash[id] = h;
        index.put(h, id);
      }
    }
  }

  /** Reference count of block {@code id}: the sequences holding it. */
  public final int refCount(int id) {
    return refs[id];
  }

  /** Blocks the cache can find by content. */
  public final int cachedBlocks() {
    return index.size();
  }

  /** Cached blocks nobody references: evicted, least recently released first, when needed. */
  public final int evictable() {
    return released.size();
  }

  /** Whether block {@code id} holds registered content. */
  public final boolean isCached(int id) {
    return hash[id] != BlockHashes.NONE;
  }

  @Override
  protected final void takeBlocks(BlockTable t, int n) {
    for (int i = 0; i < n; i++) {
      int id = popFree();
      if (id < 0) {
        id = evict();
      }
      refs[id] = 1;
      t.ids[t.size++] = id;
    }
  }

  /** Frees the least recently released cached block, forgetting its content. */
  private int evict() {
    int id = released.oldest();
    if (id == LruList.NONE) {
      throw new IllegalStateException("KV blocks exhausted: none free, none cached unreferenced");
    }
    released.unlink(id);
    index.remove(hash[id]);
    hash[id] = BlockHashes.NONE;
    return id;
  }

  @Override
  protected final int dropBlocks(int[] ids, int from, int to) {
    int unreferenced = 0;
    // last block first: a sequence's tail is evicted before its shared head
    for (int i = to - 1; i >= from; i--) {
      int id = ids[i];
      if (--refs[id] == 0) {
        unreferenced++;
        if (hash[id] == BlockHashes.NONE) {
          pushFree(id);
        } else {
          released.append(id);
        }
      }
    }
    return unreferenced;
  }
}
