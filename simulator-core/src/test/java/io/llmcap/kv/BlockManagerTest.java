package io.llmcap.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.kv.PromptContent.Segment;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BlockManagerTest {
  private static PromptContent content(long... idAndTokens) {
    Segment[] s = new Segment[idAndTokens.length / 2];
    for (int i = 0; i < s.length; i++) {
      s[i] = new Segment(idAndTokens[2 * i], (int) idAndTokens[2 * i + 1]);
    }
    return new PromptContent(List.of(s));
  }

  private static Set<Integer> ids(BlockTable t) {
    Set<Integer> out = new HashSet<>();
    for (int i = 0; i < t.size(); i++) {
      out.add(t.blockId(i));
    }
    return out;
  }

  @Test
  void neverOverAllocates() {
    BlockManager kv = new BlockManager(10, 16);
    BlockTable a = new BlockTable();
    BlockTable b = new BlockTable();
    kv.allocate(a, 6);
    assertFalse(kv.canAllocate(5));
    assertThrows(IllegalStateException.class, () -> kv.allocate(b, 5));
    assertEquals(6, kv.allocated(), "a refused allocation takes nothing");
    assertEquals(0, b.size());
    kv.allocate(b, 4);
    assertEquals(0, kv.free());
    assertThrows(IllegalStateException.class, () -> kv.allocate(a, 1));
    Set<Integer> all = ids(a);
    all.addAll(ids(b));
    assertEquals(10, all.size(), "every block is held by one sequence");
    assertEquals(10, kv.peakAllocated());
    assertEquals(2, kv.holders());
  }

  @Test
  void freeReturnsBlocks() {
    BlockManager kv = new BlockManager(8, 4);
    BlockTable a = new BlockTable();
    BlockTable b = new BlockTable();
    kv.allocate(a, 0);
    assertTrue(a.holds(), "an allocation of zero blocks still holds");
    assertEquals(1, kv.holders());
    kv.allocate(a, 5);
    kv.allocate(b, 3);
    Set<Integer> freed = ids(a);
    kv.release(a, 2);
    assertEquals(3, a.size());
    assertEquals(6, kv.allocated());
    kv.free(a);
    assertFalse(a.holds());
    assertEquals(0, a.size());
    assertEquals(5, kv.free());
    assertEquals(1, kv.holders());
    kv.free(a); // freeing a non-holder does nothing
    assertEquals(5, kv.free());
    BlockTable c = new BlockTable();
    kv.allocate(c, 5);
    assertEquals(freed, ids(c), "freed blocks are reused");
    assertThrows(IllegalStateException.class, () -> kv.release(c, 6));
  }

  @Test
  void sharedBlockIsFreedOnlyByItsLastHolder() {
    PrefixCachingBlockManager kv = new PrefixCachingBlockManager(8, 4);
    long[] h = BlockHashes.of(content(1, 8), 12, 4);
    assertEquals(2, h.length);
    BlockTable a = new BlockTable();
    kv.allocate(a, 3);
    kv.cacheFull(a, h, 2);
    BlockTable b = new BlockTable();
    assertEquals(2, kv.cachedPrefix(h));
    kv.allocateCached(b, h, 2);
    kv.allocate(b, 1);
    assertEquals(a.blockId(0), b.blockId(0));
    assertEquals(a.blockId(1), b.blockId(1));
    assertNotEquals(a.blockId(2), b.blockId(2));
    assertEquals(2, kv.refCount(a.blockId(0)));
    assertEquals(4, kv.allocated(), "a shared block counts once");
    kv.free(a);
    assertEquals(1, kv.refCount(b.blockId(0)));
    assertEquals(3, kv.allocated());
    assertEquals(0, kv.evictable(), "still referenced by b");
    kv.free(b);
    assertEquals(0, kv.allocated());
    assertEquals(2, kv.evictable(), "cached blocks wait for reuse");
    assertEquals(8, kv.free(), "cached unreferenced blocks count as free");
    assertEquals(2, kv.cachedBlocks());
  }

  @Test
  void hashesMatchOnlyIdenticalFullBlocksWithIdenticalPrefix() {
    // block size 4: [A:10][B:6] covers four blocks
    long[] x = BlockHashes.of(content(1, 10, 2, 6), 20, 4);
    assertEquals(4, x.length);
    long[] sameOtherSplit = BlockHashes.of(content(1, 10, 2, 6), 16, 4);
    assertArrayEquals(x, sameOtherSplit, "prompt tokens beyond the segments are not hashed");
    long[] divergesInBlock2 = BlockHashes.of(content(1, 10, 3, 6), 20, 4);
    assertEquals(x[0], divergesInBlock2[0]);
    assertEquals(x[1], divergesInBlock2[1]);
    assertNotEquals(x[2], divergesInBlock2[2], "block 2 mixes A's tail with another segment");
    assertNotEquals(x[3], divergesInBlock2[3]);
    // the same block content after a different prefix hashes differently
    long[] p = BlockHashes.of(content(7, 4, 8, 4), 8, 4);
    long[] q = BlockHashes.of(content(9, 4, 8, 4), 8, 4);
    assertNotEquals(p[1], q[1]);
    // a block only partly covered by segments is the request's own: not hashed
    assertEquals(1, BlockHashes.of(content(1, 6), 100, 4).length);
    assertEquals(0, BlockHashes.of(null, 100, 4).length);
    assertEquals(1, BlockHashes.of(content(1, 10), 7, 4).length, "a short prompt caps the blocks");
    // segment offsets matter: the 2nd block of A is not the 1st block of A
    long[] a8 = BlockHashes.of(content(1, 8), 8, 4);
    assertNotEquals(a8[0], a8[1]);

    PrefixCachingBlockManager kv = new PrefixCachingBlockManager(16, 4);
    BlockTable t = new BlockTable();
    kv.allocate(t, 4);
    kv.cacheFull(t, x, 4);
    assertEquals(4, kv.cachedPrefix(x));
    assertEquals(2, kv.cachedPrefix(divergesInBlock2));
    assertEquals(0, kv.cachedPrefix(BlockHashes.of(content(2, 6, 1, 10), 16, 4)));
    assertEquals(2, kv.cachedPrefix(BlockHashes.of(content(1, 8, 5, 8), 16, 4)));
  }

  @Test
  void evictsLeastRecentlyReleasedFirstAndOnlyWhenNeeded() {
    PrefixCachingBlockManager kv = new PrefixCachingBlockManager(4, 1);
    long[][] h = {
      BlockHashes.of(content(1, 1), 1, 1),
      BlockHashes.of(content(2, 1), 1, 1),
      BlockHashes.of(content(3, 1), 1, 1)
    };
    BlockTable[] t = new BlockTable[3];
    for (int i = 0; i < 3; i++) {
      t[i] = new BlockTable();
      kv.allocate(t[i], 1);
      kv.cacheFull(t[i], h[i], 1);
    }
    kv.free(t[0]);
    kv.free(t[2]);
    kv.free(t[1]);
    assertEquals(3, kv.evictable());
    BlockTable n = new BlockTable();
    kv.allocate(n, 1);
    assertEquals(3, kv.cachedBlocks(), "an unused block goes first: nothing evicted");
    kv.allocate(n, 1);
    assertEquals(0, kv.cachedPrefix(h[0]), "least recently released evicted first");
    assertEquals(1, kv.cachedPrefix(h[1]));
    assertEquals(1, kv.cachedPrefix(h[2]));
    kv.allocate(n, 1);
    assertEquals(0, kv.cachedPrefix(h[2]));
    assertEquals(1, kv.cachedPrefix(h[1]));
    // taking a cached block back out of the LRU protects it
    BlockTable again = new BlockTable();
    assertTrue(kv.canAllocate(h[1], 1, 0));
    kv.allocateCached(again, h[1], 1);
    assertEquals(0, kv.evictable());
    assertEquals(0, kv.free());
  }

  @Test
  void evictsASequencesTailBeforeItsHead() {
    PrefixCachingBlockManager kv = new PrefixCachingBlockManager(2, 4);
    long[] h = BlockHashes.of(content(1, 8), 8, 4);
    BlockTable a = new BlockTable();
    kv.allocate(a, 2);
    kv.cacheFull(a, h, 2);
    kv.free(a);
    kv.allocate(new BlockTable(), 1);
    assertEquals(1, kv.cachedPrefix(h), "the head block survives");
  }

  @Test
  void referencedBlockIsNeverEvicted() {
    PrefixCachingBlockManager kv = new PrefixCachingBlockManager(2, 1);
    long[] h1 = BlockHashes.of(content(1, 1), 1, 1);
    long[] h2 = BlockHashes.of(content(2, 1), 1, 1);
    BlockTable a = new BlockTable();
    kv.allocate(a, 1);
    kv.cacheFull(a, h1, 1);
    BlockTable b = new BlockTable();
    kv.allocate(b, 1);
    kv.cacheFull(b, h2, 1);
    kv.free(b);
    BlockTable c = new BlockTable();
    kv.allocate(c, 1);
    assertEquals(0, kv.cachedPrefix(h2), "the unreferenced block was evicted");
    assertFalse(kv.canAllocate(1));
    assertThrows(IllegalStateException.class, () -> kv.allocate(c, 1));
    assertEquals(1, kv.cachedPrefix(h1));
    assertEquals(1, kv.refCount(a.blockId(0)));
    assertTrue(kv.isCached(a.blockId(0)));
    assertFalse(kv.canAllocate(h1, 1, 1), "a shared hit frees nothing");
  }
}
