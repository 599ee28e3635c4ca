package io.llmcap.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DistributionTest {
  @Test
  void exactBelowTheLimitLikeNumpy() {
    Distribution d = new Distribution(10);
    for (double v : new double[] {4, 1, 3, 2}) {
      d.add(v);
    }
    assertFalse(d.sketched());
    assertEquals(2.5, d.quantile(0.5));
    assertEquals(3.7, d.quantile(0.9), 1e-12);
    assertEquals(4, d.max());
    assertEquals(2.5, d.mean());
  }

  @Test
  void sketchStaysWithinItsRelativeErrorAndKeepsCountMeanMax() {
    SplittableRandom rnd = new SplittableRandom(7);
    Distribution exact = new Distribution(Integer.MAX_VALUE - 8);
    Distribution sketch = new Distribution(1000);
    for (int i = 0; i < 200_000; i++) {
      // log-normal latencies from 1 ms to minutes, plus exact zeros (no scheduling delay)
      double v = i % 50 == 0 ? 0 : Math.exp(rnd.nextGaussian() * 2 - 3);
      exact.add(v);
      sketch.add(v);
    }
    assertTrue(sketch.sketched());
    assertEquals(exact.size(), sketch.size());
    assertEquals(exact.mean(), sketch.mean(), 1e-12 * exact.mean());
    assertEquals(exact.max(), sketch.max());
    for (double q : new double[] {0.5, 0.9, 0.99, 0.999}) {
      double e = exact.quantile(q);
      // rank error of one value at this density is far below the 0.1% value error
      assertEquals(e, sketch.quantile(q), 2e-3 * e, "q=" + q);
    }
    assertEquals(0, sketch.quantile(0.01));
  }

  @Test
  void repeatedValuesInTheSketchCountAsEachOne() {
    // a batch's tokens share one gap: runs of equal values go to the sketch at once
    Distribution runs = new Distribution(100);
    org.HdrHistogram.DoubleHistogram one = new org.HdrHistogram.DoubleHistogram(3);
    SplittableRandom rnd = new SplittableRandom(3);
    for (int i = 0; i < 100; i++) {
      runs.add(i);
      one.recordValue(i);
    }
    for (int i = 1; i < 5_000; i++) {
      double gap = 0.001 * (1 + rnd.nextInt(400));
      int tokens = 1 + rnd.nextInt(40);
      for (int t = 0; t < tokens; t++) {
        runs.add(gap);
        one.recordValue(gap);
      }
      if (i % 1000 == 0) {
        // reading in the middle of a run loses none of it
        assertEquals(one.getValueAtPercentile(50), runs.quantile(0.5));
      }
    }
    assertTrue(runs.sketched());
    assertEquals(one.getTotalCount(), runs.size());
    for (double q : new double[] {0.01, 0.5, 0.9, 0.99}) {
      assertEquals(Math.min(runs.max(), one.getValueAtPercentile(100 * q)), runs.quantile(q));
    }
  }

  @Test
  void earlyStopNeedsEnoughExceedancesToBeCertain() {
    // p90 of 100 values interpolates between ranks 89 and 90: 11 values above the bound decide it
    EarlyStop s = new EarlyStop("ttft", 0.9, 2.0, 100);
    assertEquals(11, s.exceedancesToStop());
    Distribution d = new Distribution();
    for (int i = 0; i < 89; i++) {
      d.add(0);
    }
    for (int i = 0; i < 11; i++) {
      d.add(3);
    }
    assertTrue(d.quantile(0.9) > 2.0);
    Distribution tenAbove = new Distribution();
    for (int i = 0; i < 90; i++) {
      tenAbove.add(0);
    }
    for (int i = 0; i < 10; i++) {
      tenAbove.add(2.0 + 1e-9);
    }
    assertTrue(tenAbove.quantile(0.9) <= 2.0, "ten are not enough");
  }
}
