package io.llmcap.workload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IntervalGeneratorsTest {
  private static double[] draw(IntervalGenerator g, int n) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = g.next();
    }
    return out;
  }

  private static double mean(double[] x) {
    return Arrays.stream(x).average().orElseThrow();
  }

  private static double cv(double[] x) {
    double m = mean(x);
    double var = Arrays.stream(x).map(v -> (v - m) * (v - m)).sum() / (x.length - 1);
    return Math.sqrt(var) / m;
  }

  @Test
  void constantArrivalsAreEvenlySpacedFromZero() {
    double[] gaps = draw(new ConstantIntervals(8), 5);
    double t = 0;
    for (int i = 0; i < gaps.length; i++) {
      t += gaps[i];
      assertEquals(i / 8.0, t, 1e-12, "request " + i + " arrives at i / rate");
    }
    assertThrows(IllegalArgumentException.class, () -> new ConstantIntervals(0));
  }

  @Test
  void poissonGapsAreUntruncatedExponentials() {
    double qps = 4;
    double[] gaps = draw(new PoissonIntervals(qps, 11), 20_000);
    assertEquals(1 / qps, mean(gaps), 0.03 / qps);
    assertEquals(1, cv(gaps), 0.03);
    // The reference truncates at 3/qps; about 5 % of true exponential gaps exceed it.
    assertTrue(Arrays.stream(gaps).max().orElseThrow() > 3 / qps);
    long over = Arrays.stream(gaps).filter(g -> g > 3 / qps).count();
    assertEquals(Math.exp(-3), over / 20_000.0, 0.01);
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.3, 0.5, 1, 2, 4})
  void gammaGapsHaveTheRequestedMeanAndCv(double cv) {
    double qps = 2.5;
    double[] gaps = draw(new GammaIntervals(qps, cv, 13), 50_000);
    assertTrue(Arrays.stream(gaps).allMatch(g -> g >= 0 && Double.isFinite(g)));
    // The estimators' own spread grows with cv (heavier tails), so the tolerance does too.
    double tolerance = cv <= 1 ? 0.03 : 0.06;
    assertEquals(1 / qps, mean(gaps), tolerance / qps, "mean");
    assertEquals(cv, cv(gaps), tolerance * cv, "cv");
  }

  @Test
  void intervalsAreDeterministicPerSeed() {
    assertArrayEquals(draw(new PoissonIntervals(1, 3), 100), draw(new PoissonIntervals(1, 3), 100));
    assertFalse(
        Arrays.equals(
            draw(new PoissonIntervals(1, 3), 100), draw(new PoissonIntervals(1, 4), 100)));
    assertArrayEquals(
        draw(new GammaIntervals(1, 2, 3), 100), draw(new GammaIntervals(1, 2, 3), 100));
    assertFalse(
        Arrays.equals(
            draw(new GammaIntervals(1, 2, 3), 100), draw(new GammaIntervals(1, 2, 4), 100)));
  }

  @Test
  void staticGapsAreZero() {
    assertArrayEquals(new double[3], draw(new StaticIntervals(), 3));
  }

  @Test
  void traceGapsAreSortedScaledDifferencesThenNegative() {
    TraceIntervals g = new TraceIntervals(WorkloadBuilder.resources().resolve("arrivals.csv"), 2);
    // arrivals.csv holds 0, 1, 0.5, 3: sorted gaps 0.5, 0.5, 2, doubled.
    double[] gaps = draw(g, 5);
    assertArrayEquals(new double[] {1, 1, 4, -1, -1}, gaps, 1e-12);
  }
}
