package io.llmcap.kv;

import java.util.Arrays;

/**
 * The KV blocks one sequence (a request) holds, in token order. Only a {@link KvManager} changes
 * it; everyone else reads it (a request's block count for metrics, a block's id for a trace).
 */
public final class BlockTable {
  private static final int[] EMPTY = new int[0];

  int[] ids = EMPTY;
  int size;
  boolean holds;

  /** Blocks held. */
  public int size() {
    return size;
  }

  /**
   * True while the sequence holds an allocation, even of zero blocks (the reference's "in the
   * allocation map").
   */
  public boolean holds() {
    return holds;
  }

  /** The id of the {@code i}-th block, from 0. */
  public int blockId(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("block " + i + " of " + size);
    }
    return ids[i];
  }

  /**
   * Hands this table's blocks to {@code target}, which must hold none: the blocks stay allocated in
   * their manager, now under {@code target}, and this table holds nothing (so freeing it frees
   * nothing). Disaggregated serving keeps a finished prefill's KV this way until its transfer ends.
   */
  public void moveTo(BlockTable target) {
    if (target.holds || target.size > 0) {
      throw new IllegalStateException("moving KV blocks into a table that holds " + target.size);
    }
    target.ids = ids;
    target.size = size;
    target.holds = holds;
    ids = EMPTY;
    size = 0;
    holds = false;
  }

  void append(int id) {
    if (size == ids.length) {
      ids = Arrays.copyOf(ids, Math.max(4, size * 2));
    }
    ids[size++] = id;
  }

  void reserve(int more) {
    if (size + more > ids.length) {
      ids = Arrays.copyOf(ids, Math.max(size + more, size * 2));
    }
  }

  void clear() {
    ids = EMPTY;
    size = 0;
    holds = false;
  }
}
