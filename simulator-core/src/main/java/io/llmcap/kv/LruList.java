package io.llmcap.kv;

import java.util.Arrays;

/**
 * An intrusive least-recently-used order over slots 0 … n − 1 (block ids, tier slots): a doubly
 * linked list in two int arrays, so appending, unlinking and taking the oldest cost O(1) and no
 * allocation. A slot is in the list or not; {@link #grow} makes room for more slots.
 */
final class LruList {
  static final int NONE = -1;

  private int[] prev;
  private int[] next;
  private int head = NONE;
  private int tail = NONE;
  private int size;

  LruList(int slots) {
    prev = new int[slots];
    next = new int[slots];
    Arrays.fill(prev, NONE);
    Arrays.fill(next, NONE);
  }

  /** Room for slots up to {@code slots} − 1; those in the list stay where they are. */
  void grow(int slots) {
    int old = prev.length;
    prev = Arrays.copyOf(prev, slots);
    next = Arrays.copyOf(next, slots);
    Arrays.fill(prev, old, slots, NONE);
    Arrays.fill(next, old, slots, NONE);
  }

  /** Makes {@code slot}, which is not in the list, the most recently used. */
  void append(int slot) {
    prev[slot] = tail;
    next[slot] = NONE;
    if (tail == NONE) {
      head = slot;
    } else {
      next[tail] = slot;
    }
    tail = slot;
    size++;
  }

  /** Takes {@code slot}, which is in the list, out of it. */
  void unlink(int slot) {
    int p = prev[slot];
    int n = next[slot];
    if (p == NONE) {
      head = n;
    } else {
      next[p] = n;
    }
    if (n == NONE) {
      tail = p;
    } else {
      prev[n] = p;
    }
    prev[slot] = NONE;
    next[slot] = NONE;
    size--;
  }

  /** The least recently used slot, or {@link #NONE} when the list is empty. */
  int oldest() {
    return head;
  }

  /** Slots in the list. */
  int size() {
    return size;
  }
}
