package io.llmcap.metrics;

import java.util.Arrays;

/** A growable array of doubles with exact quantiles (linear interpolation, as numpy and pandas). */
public final class DoubleSeries {
  private double[] values;
  private int size;
  private double[] sorted;

  public DoubleSeries() {
    this(64);
  }

  public DoubleSeries(int capacity) {
    values = new double[Math.max(1, capacity)];
  }

  public void add(double v) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = v;
    sorted = null;
  }

  public int size() {
    return size;
  }

  public double get(int i) {
    return values[i];
  }

  /** The q-quantile (0 ≤ q ≤ 1), or NaN when empty. */
  public double quantile(double q) {
    if (size == 0) {
      return Double.NaN;
    }
    if (sorted == null) {
      sorted = Arrays.copyOf(values, size);
      Arrays.sort(sorted);
    }
    double pos = q * (size - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, size - 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  }

  public double mean() {
    if (size == 0) {
      return Double.NaN;
    }
    double s = 0;
    for (int i = 0; i < size; i++) {
      s += values[i];
    }
    return s / size;
  }

  public double max() {
    return size == 0 ? Double.NaN : quantile(1.0);
  }
}
