package io.llmcap.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The unboxed hash index agrees with a HashMap through puts, overwrites and removals. */
class LongIntMapTest {
  @Test
  void agreesWithAHashMap() {
    SplittableRandom rnd = new SplittableRandom(1);
    LongIntMap m = new LongIntMap();
    Map<Long, Integer> ref = new HashMap<>();
    for (int step = 0; step < 200_000; step++) {
      // a small key range forces collisions, long probe runs and backward shifts
      long key = 1 + rnd.nextInt(3000) * 64L;
      switch (rnd.nextInt(3)) {
        case 0 -> {
          m.put(key, step);
          ref.put(key, step);
        }
        case 1 -> {
          m.remove(key);
          ref.remove(key);
        }
        default -> assertEquals(ref.getOrDefault(key, LongIntMap.MISSING).intValue(), m.get(key));
      }
      assertEquals(ref.size(), m.size());
    }
    for (Map.Entry<Long, Integer> e : ref.entrySet()) {
      assertEquals(e.getValue().intValue(), m.get(e.getKey()));
    }
  }
}
