package io.llmcap.predictors.calibration;

import java.util.Arrays;
import java.util.Comparator;
import java.util.function.ToDoubleFunction;

/**
 * Derivative-free minimisation (Nelder–Mead simplex with the standard coefficients), restarted from
 * the best point until a restart no longer improves it, so that a collapsed simplex does not stop
 * the search early. Deterministic: the same function and start give the same result.
 */
public final class NelderMead {
  private static final int MAX_RESTARTS = 6;

  private NelderMead() {}

  /** The minimiser of {@code f} from {@code start}; {@code step} sizes the initial simplex. */
  public static double[] minimize(
      ToDoubleFunction<double[]> f, double[] start, double step, int maxEvals) {
    double[] best = start.clone();
    double bestValue = f.applyAsDouble(best);
    for (int r = 0; r < MAX_RESTARTS; r++) {
      double[] x = run(f, best, step, maxEvals);
      double v = f.applyAsDouble(x);
      if (!(v < bestValue - 1e-12)) {
        break;
      }
      best = x;
      bestValue = v;
    }
    return best;
  }

  private static double[] run(ToDoubleFunction<double[]> f, double[] start, double step, int max) {
    int n = start.length;
    double[][] simplex = new double[n + 1][];
    double[] values = new double[n + 1];
    simplex[0] = start.clone();
    for (int i = 0; i < n; i++) {
      simplex[i + 1] = start.clone();
      simplex[i + 1][i] += step;
    }
    for (int i = 0; i <= n; i++) {
      values[i] = f.applyAsDouble(simplex[i]);
    }
    int evals = n + 1;
    Integer[] order = new Integer[n + 1];
    while (evals < max) {
      for (int i = 0; i <= n; i++) {
        order[i] = i;
      }
      final double[] v = values;
      Arrays.sort(order, Comparator.comparingDouble(i -> v[i]));
      double[][] s = new double[n + 1][];
      double[] sv = new double[n + 1];
      for (int i = 0; i <= n; i++) {
        s[i] = simplex[order[i]];
        sv[i] = values[order[i]];
      }
      simplex = s;
      values = sv;
      if (values[n] - values[0] < 1e-12) {
        break;
      }
      double[] centroid = new double[n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          centroid[j] += simplex[i][j] / n;
        }
      }
      double[] reflected = toward(centroid, simplex[n], -1);
      double fr = f.applyAsDouble(reflected);
      evals++;
      if (fr < values[0]) {
        double[] expanded = toward(centroid, simplex[n], -2);
        double fe = f.applyAsDouble(expanded);
        evals++;
        replaceWorst(simplex, values, fe < fr ? expanded : reflected, Math.min(fe, fr));
      } else if (fr < values[n - 1]) {
        replaceWorst(simplex, values, reflected, fr);
      } else {
        boolean outside = fr < values[n];
        double[] contracted = toward(centroid, outside ? reflected : simplex[n], 0.5);
        double fc = f.applyAsDouble(contracted);
        evals++;
        if (fc < Math.min(fr, values[n])) {
          replaceWorst(simplex, values, contracted, fc);
        } else {
          for (int i = 1; i <= n; i++) {
            simplex[i] = toward(simplex[0], simplex[i], 0.5);
            values[i] = f.applyAsDouble(simplex[i]);
          }
          evals += n;
        }
      }
    }
    int best = 0;
    for (int i = 1; i <= n; i++) {
      if (values[i] < values[best]) {
        best = i;
      }
    }
    return simplex[best];
  }

  /** {@code from + t · (to − from)}. */
  private static double[] toward(double[] from, double[] to, double t) {
    double[] x = new double[from.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = from[i] + t * (to[i] - from[i]);
    }
    return x;
  }

  private static void replaceWorst(double[][] simplex, double[] values, double[] x, double fx) {
    simplex[simplex.length - 1] = x;
    values[values.length - 1] = fx;
  }
}
