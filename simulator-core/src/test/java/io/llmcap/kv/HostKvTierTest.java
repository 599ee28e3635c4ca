package io.llmcap.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The host tier: LRU by content hash, capacity never exceeded, pinned blocks never dropped. */
class HostKvTierTest {
  private static final long[] H = {11, 12, 13, 14, 15, 16};

  @Test
  void dropsTheLeastRecentlyUsedWhenFull() {
    HostKvTier t = new HostKvTier(3);
    assertTrue(t.store(11));
    assertTrue(t.store(12));
    assertTrue(t.store(13));
    assertFalse(t.store(12), "held already");
    // a load of 11 makes it the most recently used
    t.pin(H, 0, 1);
    t.unpin(H, 0, 1);
    assertTrue(t.store(14));
    assertEquals(3, t.size());
    assertFalse(t.contains(12), "12 was the least recently used");
    assertTrue(t.contains(11) && t.contains(13) && t.contains(14));
    assertEquals(1, t.drops());
  }

  @Test
  void runContinuesTheCachedPrefix() {
    HostKvTier t = new HostKvTier(8);
    t.store(12);
    t.store(13);
    t.store(15);
    assertEquals(2, t.run(H, 1, H.length), "12, 13, then 14 is missing");
    assertEquals(1, t.run(H, 1, 2), "stops at the cap");
    assertEquals(0, t.run(H, 0, H.length));
  }

  @Test
  void pinnedBlocksAreNeverDroppedAndAFullyPinnedTierSkipsStores() {
    HostKvTier t = new HostKvTier(2);
    t.store(11);
    t.store(12);
    t.pin(H, 0, 2);
    assertFalse(t.store(13), "no unpinned block to drop");
    assertTrue(t.contains(11) && t.contains(12));
    t.unpin(H, 0, 1);
    assertTrue(t.store(13), "11 is unpinned now");
    assertTrue(t.contains(12), "12 is still loading");
    assertThrows(IllegalStateException.class, () -> t.unpin(H, 0, 1));
  }

  @Test
  void randomTrafficKeepsTheInvariants() {
    SplittableRandom rnd = new SplittableRandom(5);
    HostKvTier t = new HostKvTier(50);
    long[] hashes = new long[200];
    for (int i = 0; i < hashes.length; i++) {
      hashes[i] = 1000 + i;
    }
    for (int step = 0; step < 20_000; step++) {
      int from = rnd.nextInt(hashes.length - 10);
      int run = t.run(hashes, from, from + 10);
      t.pin(hashes, from, run);
      for (int k = 0; k < 5; k++) {
        t.store(hashes[rnd.nextInt(hashes.length)]);
      }
      for (int k = from; k < from + run; k++) {
        assertTrue(t.contains(hashes[k]), "a pinned block was dropped");
      }
      t.unpin(hashes, from, run);
      assertTrue(t.size() <= t.capacity());
    }
    assertEquals(50, t.size());
  }

  @Test
  void blocksForRoundsDown() {
    // 4 GiB over Llama-2-7B's 8 MiB blocks
    assertEquals(512, HostKvTier.blocksFor(4.0 * (1L << 30), 8L << 20));
    assertEquals(0, HostKvTier.blocksFor(1e6, 8L << 20));
  }
}
