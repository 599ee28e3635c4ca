package io.llmcap.kv;

/**
 * How a replica's KV blocks map to tokens when a model mixes full-attention and sliding-window
 * layers, as vLLM 0.15.1's hybrid KV cache manager lays them out ({@code
 * vllm/v1/core/kv_cache_utils.py} groups layers of one attention type into KV-cache groups of
 * {@code layersPerGroup} layers each; {@code single_type_kv_cache_manager.py}). A block is {@code
 * blockSize} tokens of one group, and all groups draw on one pool of blocks. A request holds, per
 * full-attention group, a block per {@code blockSize} tokens; per sliding-window group only the
 * blocks that still hold a token of the window ({@code SlidingWindowManager.remove_skipped_blocks}:
 * blocks before token {@code computed − window + 1} go back), so a decoding request's sliding
 * groups stop growing at {@code ceil(window / blockSize) + 1} blocks each.
 *
 * <p>A model without sliding-window layers is one full group of all its layers: {@link #blocksFor}
 * is {@code ceil(tokens / blockSize)}, exactly as before.
 *
 * @param fullGroups full-attention groups
 * @param slidingGroups sliding-window groups
 * @param window the sliding layers' window in tokens (0 without sliding groups)
 * @param layersPerGroup layers whose KV one block holds
 */
public record KvLayout(
    int blockSize, int fullGroups, int slidingGroups, int window, int layersPerGroup) {

  public KvLayout {
    if (blockSize <= 0 || fullGroups < 0 || slidingGroups < 0 || fullGroups + slidingGroups == 0) {
      throw new IllegalArgumentException(
          "KV layout of " + fullGroups + " full and " + slidingGroups + " sliding groups");
    }
    if (slidingGroups > 0 && window <= 0) {
      throw new IllegalArgumentException("sliding groups need a window, not " + window);
    }
  }

  /** One full-attention group of all {@code layers} layers. */
  public static KvLayout dense(int blockSize, int layers) {
    return new KvLayout(blockSize, 1, 0, 0, layers);
  }

  /**
   * The groups of {@code full} full-attention and {@code sliding} sliding-window layers: groups of
   * gcd(full, sliding) layers (vLLM groups by the smaller count and pads; the two agree when one
   * count divides the other, as in gpt-oss's 1:1 and Mistral's all-sliding models).
   */
  public static KvLayout of(int blockSize, int full, int sliding, int window) {
    if (sliding == 0 || window <= 0) {
      return dense(blockSize, full + sliding);
    }
    if (full == 0) {
      return new KvLayout(blockSize, 0, 1, window, sliding);
    }
    int g = gcd(full, sliding);
    return new KvLayout(blockSize, full / g, sliding / g, window, g);
  }

  private static int gcd(int a, int b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  /** True when some layers attend over a window. */
  public boolean windowed() {
    return slidingGroups > 0;
  }

  /**
   * Blocks a request holds once it has slots for {@code total} tokens, {@code computed} of them
   * already computed: full groups keep every block, sliding groups free those wholly before the
   * window of the next token to compute.
   */
  public int blocksFor(int computed, int total) {
    int all = blocks(total + blockSize - 1);
    if (slidingGroups == 0) {
      return fullGroups * all;
    }
    int skipped = blocks(Math.max(0, computed - window + 1));
    return fullGroups * all + slidingGroups * Math.max(0, all - skipped);
  }

  /**
   * Whole blocks of {@code blockSize} tokens in {@code tokens} (≥ 0) tokens: a shift for the usual
   * power-of-two block size (schedulers ask this of every running request every step, and a
   * division costs more).
   */
  public static int wholeBlocks(int tokens, int blockSize) {
    return (blockSize & (blockSize - 1)) == 0
        ? tokens >>> Integer.numberOfTrailingZeros(blockSize)
        : tokens / blockSize;
  }

  private int blocks(int tokens) {
    return wholeBlocks(tokens, blockSize);
  }

  /**
   * The most blocks one request of {@code maxTokens} tokens holds when it computes at most {@code
   * chunk} tokens a step: its last step's window plus chunk on the sliding groups (vLLM's {@code
   * SlidingWindowSpec.max_memory_usage_bytes}: {@code cdiv(min(window − 1 + chunk, max_model_len),
   * block) + 1}).
   */
  public int peakBlocks(int maxTokens, int chunk) {
    int all = (maxTokens + blockSize - 1) / blockSize;
    if (slidingGroups == 0) {
      return fullGroups * all;
    }
    long span = Math.min((long) window - 1 + chunk, maxTokens);
    int sliding = (int) Math.min(all, (span + blockSize - 1) / blockSize + 1);
    return fullGroups * all + slidingGroups * sliding;
  }
}
