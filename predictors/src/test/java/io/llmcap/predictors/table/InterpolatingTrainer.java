package io.llmcap.predictors.table;

import io.llmcap.predictors.model.OpRegressor;
import io.llmcap.predictors.model.OpTrainer;
import io.llmcap.predictors.profile.OpSamples;
import java.util.Map;
import java.util.TreeMap;

/**
 * A deterministic stand-in for a learned model: piecewise-linear interpolation over the samples
 * (times at equal features averaged), linear extrapolation from the end segments. With two features
 * the rows are grouped by the first feature, each group is interpolated along the second, and
 * neighbouring groups are blended linearly. Reproduces any function linear in its features.
 */
public final class InterpolatingTrainer implements OpTrainer {
  @Override
  public OpRegressor train(OpSamples samples) {
    if (samples.featureNames().length == 1) {
      TreeMap<Double, double[]> sums = new TreeMap<>();
      for (int i = 0; i < samples.size(); i++) {
        double[] s = sums.computeIfAbsent(samples.features()[i][0], k -> new double[2]);
        s[0] += samples.targetMs()[i];
        s[1]++;
      }
      Line line = Line.of(sums);
      return rows -> {
        double[] y = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
          y[i] = line.at(rows[i][0]);
        }
        return y;
      };
    }
    TreeMap<Double, TreeMap<Double, double[]>> groups = new TreeMap<>();
    for (int i = 0; i < samples.size(); i++) {
      double[] x = samples.features()[i];
      double[] s =
          groups
              .computeIfAbsent(x[0], k -> new TreeMap<>())
              .computeIfAbsent(x[1], k -> new double[2]);
      s[0] += samples.targetMs()[i];
      s[1]++;
    }
    double[] keys = groups.keySet().stream().mapToDouble(Double::doubleValue).toArray();
    Line[] lines = groups.values().stream().map(Line::of).toArray(Line[]::new);
    return rows -> {
      double[] y = new double[rows.length];
      for (int i = 0; i < rows.length; i++) {
        y[i] = blend(keys, lines, rows[i][0], rows[i][1]);
      }
      return y;
    };
  }

  private static double blend(double[] keys, Line[] lines, double x0, double x1) {
    if (keys.length == 1) {
      return lines[0].at(x1);
    }
    int hi = Line.segment(keys, x0);
    double w = (x0 - keys[hi - 1]) / (keys[hi] - keys[hi - 1]);
    return lines[hi - 1].at(x1) * (1 - w) + lines[hi].at(x1) * w;
  }

  /** A piecewise-linear function through sorted points. */
  private record Line(double[] x, double[] y) {
    static Line of(TreeMap<Double, double[]> sums) {
      double[] x = new double[sums.size()];
      double[] y = new double[sums.size()];
      int i = 0;
      for (Map.Entry<Double, double[]> e : sums.entrySet()) {
        x[i] = e.getKey();
        y[i] = e.getValue()[0] / e.getValue()[1];
        i++;
      }
      return new Line(x, y);
    }

    /** Index hi of the segment [hi - 1, hi] holding (or nearest to) v; needs two points. */
    static int segment(double[] x, double v) {
      int lo = 0;
      int hi = x.length - 1;
      while (hi - lo > 1) {
        int mid = (lo + hi) >>> 1;
        if (x[mid] <= v) {
          lo = mid;
        } else {
          hi = mid;
        }
      }
      return hi;
    }

    double at(double v) {
      if (x.length == 1) {
        return y[0];
      }
      int hi = segment(x, v);
      double w = (v - x[hi - 1]) / (x[hi] - x[hi - 1]);
      return y[hi - 1] + w * (y[hi] - y[hi - 1]);
    }
  }
}
