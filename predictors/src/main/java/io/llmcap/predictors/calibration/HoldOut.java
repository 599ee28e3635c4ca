package io.llmcap.predictors.calibration;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The train/held-out split of a parameter group's rows: the distinct feature vectors (token counts,
 * (batch, KV) pairs, message sizes) of all its rows are sorted, and every fifth one, starting with
 * the third, is held out.
 */
final class HoldOut {
  private HoldOut() {}

  /** {@code groups} with every row whose features are a held-out vector marked as a test row. */
  static List<Rows> split(List<Rows> groups) {
    TreeSet<List<Double>> keys = new TreeSet<>(HoldOut::compareKeys);
    for (Rows r : groups) {
      for (Rows.Sample s : r.samples()) {
        keys.add(key(s.x()));
      }
    }
    Map<List<Double>, Boolean> test = new TreeMap<>(HoldOut::compareKeys);
    int i = 0;
    for (List<Double> k : keys) {
      test.put(k, i++ % 5 == 2);
    }
    List<Rows> out = new ArrayList<>();
    for (Rows r : groups) {
      List<Rows.Sample> samples = new ArrayList<>();
      for (Rows.Sample s : r.samples()) {
        samples.add(new Rows.Sample(s.op(), s.x(), s.y(), test.get(key(s.x()))));
      }
      out.add(new Rows(r.ops(), samples));
    }
    return out;
  }

  private static List<Double> key(double[] x) {
    return Arrays.stream(x).boxed().toList();
  }

  private static int compareKeys(List<Double> a, List<Double> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = Double.compare(a.get(i), b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }
}
