package io.llmcap.predictors.lgbm;

import io.llmcap.predictors.profile.OpSamples;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rows of an operator's samples that a model should fit.
 *
 * <p>Dropped: rows with a non-finite value or a negative time ({@code invalid}); zero times when
 * the operator otherwise takes time ({@code zeros}: an absent measurement, e.g. an empty cell read
 * as 0); and outliers, rows whose time differs by more than {@value #OUTLIER_FACTOR}× from the
 * median of their neighbours. Neighbours: rows with equal values of all but the last feature are
 * scanned in increasing order of the last one (tokens, KV length, chunk²), and each row is compared
 * with the median of the last {@value #WINDOW} rows kept (at the start, of the first {@value
 * #WINDOW} rows). Times in these profiles never change 10× between neighbouring grid points, while
 * the A30 Qwen-2-7B profile has runs of {@code attn_pre_proj} times ~100× too small that a global
 * fit would chase.
 */
public record TrainingRows(OpSamples kept, int invalid, int zeros, int outliers) {
  static final double OUTLIER_FACTOR = 10;
  static final int WINDOW = 5;
  private static final int MIN_GROUP = 3;

  public int dropped() {
    return invalid + zeros + outliers;
  }

  /** True when no row takes time: the operator is absent (e.g. no KV-save measurement). */
  public boolean allZero() {
    return kept.size() == 0 && zeros > 0;
  }

  public static TrainingRows of(OpSamples s) {
    int n = s.size();
    boolean[] keep = new boolean[n];
    int invalid = 0;
    int positive = 0;
    for (int i = 0; i < n; i++) {
      boolean ok = Double.isFinite(s.targetMs()[i]) && s.targetMs()[i] >= 0;
      for (double f : s.features()[i]) {
        ok &= Double.isFinite(f);
      }
      keep[i] = ok;
      invalid += ok ? 0 : 1;
      positive += ok && s.targetMs()[i] > 0 ? 1 : 0;
    }
    int zeros = 0;
    for (int i = 0; i < n; i++) {
      if (keep[i] && s.targetMs()[i] == 0) {
        zeros++;
        keep[i] = false;
      }
    }
    if (positive == 0) {
      return new TrainingRows(select(s, keep), invalid, zeros, 0);
    }
    int outliers = markOutliers(s, keep);
    return new TrainingRows(select(s, keep), invalid, zeros, outliers);
  }

  private static int markOutliers(OpSamples s, boolean[] keep) {
    int last = s.featureNames().length - 1;
    Map<List<Double>, List<Integer>> groups = new TreeMap<>(TrainingRows::compareLists);
    for (int i = 0; i < s.size(); i++) {
      if (keep[i]) {
        double[] f = s.features()[i];
        List<Double> head = new ArrayList<>();
        for (int j = 0; j < last; j++) {
          head.add(f[j]);
        }
        groups.computeIfAbsent(head, k -> new ArrayList<>()).add(i);
      }
    }
    int outliers = 0;
    for (List<Integer> rows : groups.values()) {
      if (rows.size() < MIN_GROUP) {
        continue;
      }
      rows.sort(
          Comparator.<Integer>comparingDouble(i -> s.features()[i][last]).thenComparingInt(i -> i));
      double[] window = new double[WINDOW];
      int filled = Math.min(WINDOW, rows.size());
      for (int k = 0; k < filled; k++) {
        window[k] = s.targetMs()[rows.get(k)];
      }
      int next = 0;
      for (int i : rows) {
        double ref = median(Arrays.copyOf(window, filled));
        double y = s.targetMs()[i];
        if (y * OUTLIER_FACTOR < ref || y > ref * OUTLIER_FACTOR) {
          keep[i] = false;
          outliers++;
        } else {
          window[next] = y;
          next = (next + 1) % WINDOW;
        }
      }
    }
    return outliers;
  }

  private static int compareLists(List<Double> a, List<Double> b) {
    for (int i = 0; i < a.size(); i++) {
      int c = Double.compare(a.get(i), b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  private static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    int m = c.length / 2;
    return c.length % 2 == 1 ? c[m] : (c[m - 1] + c[m]) / 2;
  }

  private static OpSamples select(OpSamples s, boolean[] keep) {
    int count = 0;
    for (boolean k : keep) {
      count += k ? 1 : 0;
    }
    double[][] f = new double[count][];
    double[] y = new double[count];
    int j = 0;
    for (int i = 0; i < keep.length; i++) {
      if (keep[i]) {
        f[j] = s.features()[i];
        y[j++] = s.targetMs()[i];
      }
    }
    return new OpSamples(s.op(), s.featureNames(), f, y, s.source());
  }
}
