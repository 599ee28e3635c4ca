package io.llmcap.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

class LengthGeneratorsTest {
  private static List<Lengths> draw(LengthGenerator g, int n) {
    List<Lengths> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(g.next());
    }
    return out;
  }

  private static void assertDeterministic(LongFunction<LengthGenerator> make) {
    assertEquals(draw(make.apply(7), 200), draw(make.apply(7), 200));
    assertNotEquals(draw(make.apply(7), 200), draw(make.apply(8), 200));
  }

  @Test
  void fixedRepeatsItsLengths() {
    assertEquals(List.of(new Lengths(3, 4), new Lengths(3, 4)), draw(new FixedLengths(3, 4), 2));
  }

  @Test
  void uniformStaysInRangeAndSplitsByRatio() {
    UniformLengths g = new UniformLengths(1024, 4096, 20, 1);
    int below = 0;
    for (Lengths l : draw(g, 20_000)) {
      int total = l.prefill() + l.decode();
      assertTrue(total >= 1024 && total <= 4096, "total " + total);
      assertEquals((int) Math.ceil(total / 21.0), l.decode());
      below += total < 2560 ? 1 : 0;
    }
    // Uniform: half the totals fall below the midpoint.
    assertEquals(0.5, below / 20_000.0, 0.02);
  }

  @Test
  void uniformKeepsOnePrefillTokenAtTinyRatios() {
    for (Lengths l : draw(new UniformLengths(2, 3, 1e-9, 1), 100)) {
      assertTrue(l.prefill() >= 1 && l.decode() >= 1, l.toString());
    }
  }

  @Test
  void zipfStaysInRangeFavoursSmallTotalsAndSplitsByRatio() {
    ZipfLengths g = new ZipfLengths(1024, 4096, 0.6, 20, 1);
    int atMin = 0;
    int lowHalf = 0;
    for (Lengths l : draw(g, 20_000)) {
      int total = l.prefill() + l.decode();
      assertTrue(total >= 1023 && total <= 4096, "total " + total);
      assertEquals(20.0, (double) l.prefill() / l.decode(), 1.5);
      atMin += total >= 1023 && total <= 1024 ? 1 : 0;
      lowHalf += total < 2560 ? 1 : 0;
    }
    // The most likely item is the minimum, with mass 1/zeta(n) (about 1 % for these numbers).
    assertTrue(atMin > 100, "at min " + atMin);
    assertTrue(lowHalf > 10_000, "low half " + lowHalf);
  }

  @Test
  void zipfHandlesOneAndTwoItems() {
    // A tiny ratio leaves the prompt 1 token and the output the rest, so P + D is the total.
    assertEquals(Set.of(10), totals(new ZipfLengths(10, 10, 0.6, 1e-9, 3)));
    assertEquals(Set.of(10, 11), totals(new ZipfLengths(10, 11, 0.6, 1e-9, 3)));
  }

  private static Set<Integer> totals(LengthGenerator g) {
    Set<Integer> out = new HashSet<>();
    for (Lengths l : draw(g, 1000)) {
      out.add(l.prefill() + l.decode());
    }
    return out;
  }

  @Test
  void generatorsAreDeterministicPerSeed() {
    Path lengths = WorkloadBuilder.resources().resolve("lengths.csv");
    assertDeterministic(s -> new UniformLengths(100, 10_000, 3, s));
    assertDeterministic(s -> new ZipfLengths(100, 10_000, 0.6, 3, s));
    assertDeterministic(s -> new TraceLengths(lengths, 1, 1, 16384, s));
    assertDeterministic(s -> Preset.CHAT.lengths(s));
  }

  @Test
  void traceLengthsScaleClipShuffleAndWrapAround() {
    Path file = WorkloadBuilder.resources().resolve("lengths.csv");
    TraceLengths g = new TraceLengths(file, 2, 1, 1000, 5);
    assertEquals(4, g.size());
    // (200, 10), (400, 20), (600, 30) fit; (6000, 40) loses ceil(5040·6000/6040) = 5007 prompt
    // and ceil(5040·40/6040) = 34 output tokens.
    Set<Lengths> rows =
        Set.of(
            new Lengths(200, 10), new Lengths(400, 20), new Lengths(600, 30), new Lengths(993, 6));
    List<Lengths> first = draw(g, 4);
    assertEquals(rows, new HashSet<>(first));
    List<Lengths> second = draw(g, 4);
    assertEquals(rows, new HashSet<>(second), "wraps around with every row again");
    // Four rows have only 24 orders, so compare several passes.
    assertNotEquals(
        draw(new TraceLengths(file, 2, 1, 1000, 5), 40),
        draw(new TraceLengths(file, 2, 1, 1000, 6), 40));
  }

  @Test
  void proportionalClipKeepsBothSidesPositiveAndUnderMax() {
    assertEquals(new Lengths(1, 49), LengthClip.proportional(1, 100, 50));
    assertEquals(new Lengths(1, 1), LengthClip.proportional(0, 0, 2));
    for (int p = 1; p < 60; p += 7) {
      for (int d = 1; d < 60; d += 5) {
        Lengths l = LengthClip.proportional(p, d, 10);
        assertTrue(l.prefill() >= 1 && l.decode() >= 1 && l.prefill() + l.decode() <= 10, "" + l);
      }
    }
  }
}
