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
