package io.llmcap.metrics;

import org.HdrHistogram.DoubleHistogram;

/**
 * A distribution of non-negative values: exact quantiles (linear interpolation, as numpy and
 * pandas) while it holds at most {@code exactLimit} values, then a quantile sketch with bounded
 * memory. The sketch is HdrHistogram's {@link DoubleHistogram} at {@value #SIGNIFICANT_DIGITS}
 * significant digits: a quantile it reports is within 0.1% (relative) of a value at that rank.
 * Count, mean and max stay exact either way.
 */
public final class Distribution {
  /** Values kept exactly by default: 8 MiB per distribution. */
  public static final int DEFAULT_EXACT_LIMIT = 1 << 20;

  static final int SIGNIFICANT_DIGITS = 3;

  private final int exactLimit;
  private DoubleSeries exact = new DoubleSeries(64);
  private DoubleHistogram sketch;
  // the sketch's last value and how often it came in a row, not yet recorded: the tokens of one
  // batch mostly share one gap, so this records a batch's gaps at once instead of a token at a time
  private double runValue = Double.NaN;
  private long runCount;
  private long count;
  private double sum;
  private double max = Double.NaN;

  public Distribution() {
    this(DEFAULT_EXACT_LIMIT);
  }

  public Distribution(int exactLimit) {
    this.exactLimit = exactLimit;
  }

  public void add(double v) {
    count++;
    sum += v;
    if (!(v <= max)) {
      max = v;
    }
    if (sketch != null) {
      if (v == runValue) {
        runCount++;
      } else {
        recordRun();
        runValue = v;
        runCount = 1;
      }
      return;
    }
    exact.add(v);
    if (exact.size() > exactLimit) {
      toSketch();
    }
  }

  /** Moves the exact values into the sketch: once per distribution, out of {@link #add}'s way. */
  private void toSketch() {
    sketch = new DoubleHistogram(SIGNIFICANT_DIGITS);
    for (int i = 0; i < exact.size(); i++) {
      sketch.recordValue(exact.get(i));
    }
    exact = null;
  }

  public long size() {
    return count;
  }

  /** True once the values no longer fit the exact limit and quantiles come from the sketch. */
  public boolean sketched() {
    return sketch != null;
  }

  /** The q-quantile (0 ≤ q ≤ 1), or NaN when empty. */
  public double quantile(double q) {
    if (count == 0) {
      return Double.NaN;
    }
    if (sketch == null) {
      return exact.quantile(q);
    }
    recordRun();
    return q >= 1 ? max : Math.min(max, sketch.getValueAtPercentile(100 * q));
  }

  private void recordRun() {
    if (runCount > 0) {
      sketch.recordValueWithCount(runValue, runCount);
      runCount = 0;
    }
  }

  public double mean() {
    return count == 0 ? Double.NaN : sum / count;
  }

  public double max() {
    return max;
  }
}
