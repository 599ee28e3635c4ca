package io.llmcap.kv;

/**
 * Content hash → block (or slot) index, without boxing: open addressing with linear probing and
 * backward-shift deletion. Keys are block hashes, never {@link BlockHashes#NONE}, which marks an
 * empty slot. The prefix caches look blocks up on every admission and every routing decision.
 */
final class LongIntMap {
  static final int MISSING = -1;

  private long[] keys = new long[64];
  private int[] values = new int[64];
  private int size;

  int size() {
    return size;
  }

  /** The value of {@code key}, or {@link #MISSING}. */
  int get(long key) {
    int mask = keys.length - 1;
    for (int i = slot(key, mask); ; i = (i + 1) & mask) {
      long k = keys[i];
      if (k == key) {
        return values[i];
      }
      if (k == BlockHashes.NONE) {
        return MISSING;
      }
    }
  }

  boolean containsKey(long key) {
    return get(key) != MISSING;
  }

  void put(long key, int value) {
    if (key == BlockHashes.NONE) {
      throw new IllegalArgumentException("the empty hash");
    }
    if (2 * (size + 1) > keys.length) {
      rehash(keys.length * 2);
    }
    int mask = keys.length - 1;
    int i = slot(key, mask);
    while (keys[i] != BlockHashes.NONE && keys[i] != key) {
      i = (i + 1) & mask;
    }
    if (keys[i] == BlockHashes.NONE) {
      size++;
    }
    keys[i] = key;
    values[i] = value;
  }

  void remove(long key) {
    int mask = keys.length - 1;
    int i = slot(key, mask);
    while (keys[i] != key) {
      if (keys[i] == BlockHashes.NONE) {
        return;
      }
      i = (i + 1) & mask;
    }
    size--;
    // shift later entries of the probe run back so lookups never stop at the hole
    int hole = i;
    for (int j = (hole + 1) & mask; keys[j] != BlockHashes.NONE; j = (j + 1) & mask) {
      int home = slot(keys[j], mask);
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        keys[hole] = keys[j];
        values[hole] = values[j];
        hole = j;
      }
    }
    keys[hole] = BlockHashes.NONE;
  }

  private static int slot(long key, int mask) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }

  private void rehash(int capacity) {
    long[] oldKeys = keys;
    int[] oldValues = values;
    keys = new long[capacity];
    values = new int[capacity];
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != BlockHashes.NONE) {
        put(oldKeys[i], oldValues[i]);
      }
    }
  }
}
