package io.llmcap.kv;

import io.llmcap.kv.PromptContent.Segment;

/**
 * Content hashes of a prompt's full blocks, for prefix caching: block {@code i}'s hash chains block
 * {@code i - 1}'s hash with what block {@code i} holds (pieces of segments: id, offset, length), so
 * two blocks hash alike only when they and everything before them hold the same content. Only
 * blocks that the {@link PromptContent}'s segments fill are hashed: a prompt's own tokens after its
 * segments are never shared.
 */
public final class BlockHashes {
  /** The hash no block content has: "not cached". */
  public static final long NONE = 0L;

  private static final long SEED = 0x6c6c6d6361704b56L; // "llmcapKV"

  private BlockHashes() {}

  /**
   * Hashes of the full blocks of a prompt of {@code promptTokens} tokens that {@code content}
   * covers; empty when {@code content} is null.
   */
  public static long[] of(PromptContent content, int promptTokens, int blockSize) {
    if (blockSize < 1) {
      throw new IllegalArgumentException("block size " + blockSize);
    }
    if (content == null) {
      return new long[0];
    }
    int shared = Math.min(content.tokens(), promptTokens);
    long[] out = new long[shared / blockSize];
    int block = 0;
    int filled = 0;
    long acc = SEED;
    for (Segment s : content.segments()) {
      int offset = 0;
      while (offset < s.tokens() && block < out.length) {
        int take = Math.min(s.tokens() - offset, blockSize - filled);
        acc = mix(mix(mix(acc, s.id()), offset), take);
        offset += take;
        filled += take;
        if (filled == blockSize) {
          long h = acc == NONE ? 1L : acc;
          out[block++] = h;
          acc = mix(SEED, h);
          filled = 0;
        }
      }
    }
    return out;
  }

  private static long mix(long h, long v) {
    long z = h ^ (v + 0x9E3779B97F4A7C15L + (h << 6) + (h >>> 2));
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}
