package io.llmcap.workload;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Gaps between consecutive arrivals of a CSV's {@code arrived_at} column (seconds), sorted and
 * scaled by {@code timeScale}. As in the reference, n rows give n − 1 gaps, so the first synthetic
 * request arrives at the first gap; after that {@link #next} returns −1.
 */
public final class TraceIntervals implements IntervalGenerator {
  private final double[] gaps;
  private int next;

  public TraceIntervals(Path path, double timeScale) {
    double[] times = new double[16];
    int n = 0;
    try (Csv csv = Csv.open(path)) {
      int column = csv.column("arrived_at");
      while (csv.next()) {
        if (n == times.length) {
          times = Arrays.copyOf(times, 2 * n);
        }
        times[n++] = csv.nonNegative(column);
      }
      if (n < 2) {
        throw csv.fileError("the trace has " + n + " data rows; arrival gaps need at least 2");
      }
    }
    Arrays.sort(times, 0, n);
    gaps = new double[n - 1];
    for (int i = 1; i < n; i++) {
      gaps[i - 1] = (times[i] - times[i - 1]) * timeScale;
    }
  }

  @Override
  public double next() {
    return next < gaps.length ? gaps[next++] : -1;
  }
}
