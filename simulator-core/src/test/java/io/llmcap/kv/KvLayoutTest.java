package io.llmcap.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Blocks per request under vLLM's hybrid KV-cache groups ({@link KvLayout}). */
class KvLayoutTest {
  @Test
  void aDenseModelIsOneGroupOfEveryLayer() {
    KvLayout dense = KvLayout.of(16, 32, 0, 0);
    assertEquals(new KvLayout(16, 1, 0, 0, 32), dense);
    assertEquals(63, dense.blocksFor(1000, 1001)); // ceil(1001 / 16)
    assertEquals(256, dense.peakBlocks(4096, 2048));
  }

  @Test
  void gptOssHasOneFullAndOneSlidingGroupOfTwelveLayers() {
    // gpt-oss-20b: 24 layers alternating sliding (window 128) and full attention
    KvLayout l = KvLayout.of(16, 12, 12, 128);
    assertEquals(new KvLayout(16, 1, 1, 128, 12), l);
    // a decode after 1000 computed tokens: full ceil(1001 / 16) = 63 blocks; sliding frees the
    // blocks before token 1000 − 128 + 1 = 873, i.e. the first 873 / 16 = 54: 63 − 54 = 9
    assertEquals(63 + 9, l.blocksFor(1000, 1001));
    // a sliding group never holds more than ceil(128 / 16) + 1 = 9 blocks while decoding
    for (int computed = 0; computed < 5000; computed++) {
      int sliding = l.blocksFor(computed, computed + 1) - (computed + 1 + 15) / 16;
      assertTrue(sliding <= 9, "sliding blocks at " + computed + ": " + sliding);
    }
    // a 2048-token first chunk needs slots for all its tokens in both groups: 2 × 128
    assertEquals(256, l.blocksFor(0, 2048));
    // the peak of a 4096-token request in chunks of 2048: full 256; sliding
    // ceil((128 − 1 + 2048) / 16) + 1 = 137
    assertEquals(256 + 137, l.peakBlocks(4096, 2048));
  }

  @Test
  void anAllSlidingModelIsOneSlidingGroup() {
    // Mistral-7B-v0.1: every one of 32 layers attends over the last 4096 tokens
    KvLayout l = KvLayout.of(16, 0, 32, 4096);
    assertEquals(new KvLayout(16, 0, 1, 4096, 32), l);
    assertEquals(257, l.blocksFor(10_000, 10_001)); // ceil(4096 / 16) + 1
    assertEquals(100, l.blocksFor(0, 1600));
  }

  @Test
  void unevenCountsGroupByTheirGreatestCommonDivisor() {
    // 5 sliding layers to each full one (Gemma-3-style), 30 + 6 layers: groups of 6 layers
    KvLayout l = KvLayout.of(16, 6, 30, 1024);
    assertEquals(new KvLayout(16, 1, 5, 1024, 6), l);
  }
}
