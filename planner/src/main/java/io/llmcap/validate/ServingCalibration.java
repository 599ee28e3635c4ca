package io.llmcap.validate;

import io.llmcap.catalog.Catalog;
import io.llmcap.predictors.calibration.NelderMead;
import io.llmcap.predictors.engine.ServingParams;
import io.llmcap.validate.Validation.Outcome;
import io.llmcap.validate.Validation.Status;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Fits the serving-level engine-cost parameters ({@link ServingParams}: the custom all-reduce's
 * fixed latency, the host time per step and the front end's client path per request) with the
 * simulator in the loop: each candidate simulates every steady, dense row of a manifest (no flag)
 * and scores the squared log errors of its E2E and TTFT means; the fit minimises their mean.
 *
 * <p>The client path adds the same constant to every request's TTFT and E2E of an open-loop row (it
 * shifts the arrivals rigidly), so it is projected out: Nelder–Mead searches the two step costs,
 * and for each candidate's simulations the best client path is a one-dimensional search on the
 * shifted means, with no further simulation. (A closed-loop row's load also moves with the client
 * path; its shift is exact only to first order there, and the final score simulates the fitted
 * client path itself.) Leave-one-model-out: the same fit on the rows of all models but one, scored
 * on the held-out model's rows.
 */
public final class ServingCalibration {
  /** Simulated seconds of each row in the fit (rows are steady operating points). */
  public static final double FIT_WINDOW_S = 90;

  /** Simulations per Nelder–Mead run: two parameters settle within about 20. */
  static final int MAX_EVALUATIONS = 24;

  private final Catalog catalog;
  private final List<String> overrides;
  private final Path baseDir;
  private final double window;
  private final Consumer<String> log;

  public ServingCalibration(
      Catalog catalog, List<String> overrides, Path baseDir, double window, Consumer<String> log) {
    this.catalog = catalog;
    this.overrides = List.copyOf(overrides);
    this.baseDir = baseDir;
    this.window = window;
    this.log = log;
  }

  /**
   * A fit: the parameters, and the median |error| of E2E, TTFT and TPOT means on the rows scored,
   * with the rows' outcomes.
   */
  public record Fit(
      ServingParams params,
      double objective,
      double e2eMedianAbs,
      double ttftMedianAbs,
      double tpotMedianAbs,
      List<Outcome> outcomes) {}

  /** The rows a fit uses: simulated ok with the shipped parameters, dense and unflagged. */
  public List<ManifestRow> usable(List<ManifestRow> rows) {
    List<ManifestRow> out = new ArrayList<>();
    Validation probe = validation(ServingParams.builtin(), 1);
    for (ManifestRow r : rows) {
      if (r.flags().isEmpty()
          && Metric.E2E_MEAN.measured(r) != null
          && probe.run(r).status() == Status.ok) {
        out.add(r);
      }
    }
    return out;
  }

  /** The parameters that minimise the objective on {@code rows}, from {@code start}. */
  public Fit fit(List<ManifestRow> rows, ServingParams start) {
    double c0 = start.clientPathMs();
    double ceiling = ceiling(rows);
    double[] x =
        NelderMead.minimize(
            v -> {
              List<Outcome> out = validation(params(v, c0), window).run(rows, o -> {});
              return objective(out, bestShift(out, c0, ceiling));
            },
            new double[] {start.allReduceLatencyUs() / 10, start.stepOverheadMs()},
            0.5,
            MAX_EVALUATIONS);
    ServingParams steps = params(x, c0);
    double shift = bestShift(validation(steps, window).run(rows, o -> {}), c0, ceiling);
    return score(
        rows, new ServingParams(steps.allReduceLatencyUs(), steps.stepOverheadMs(), c0 + shift));
  }

  /** Scores {@code params} on {@code rows}. */
  public Fit score(List<ManifestRow> rows, ServingParams params) {
    List<Outcome> out = validation(params, window).run(rows, o -> {});
    return new Fit(
        params,
        objective(out, 0),
        Comparison.medianAbs(out, Metric.E2E_MEAN),
        Comparison.medianAbs(out, Metric.TTFT_MEAN),
        Comparison.medianAbs(out, Metric.TPOT_MEAN),
        out);
  }

  /** Leave-one-model-out: for each model, the fit on the others scored on its rows. */
  public Map<String, Fit> leaveOneModelOut(List<ManifestRow> rows, ServingParams start) {
    Map<String, Fit> out = new LinkedHashMap<>();
    for (String model : rows.stream().map(r -> r.text("model")).distinct().toList()) {
      List<ManifestRow> train = rows.stream().filter(r -> !model.equals(r.text("model"))).toList();
      List<ManifestRow> test = rows.stream().filter(r -> model.equals(r.text("model"))).toList();
      Fit f = fit(train, start);
      log.accept("  without " + model + ": " + f.params());
      out.put(model, score(test, f.params()));
    }
    return out;
  }

  /**
   * The client path can be no longer than the shortest measured TTFT mean (the path is part of
   * every TTFT), in ms.
   */
  private static double ceiling(List<ManifestRow> rows) {
    double min = Double.POSITIVE_INFINITY;
    for (ManifestRow r : rows) {
      Double v = Metric.TTFT_MEAN.measured(r);
      if (v != null) {
        min = Math.min(min, v);
      }
    }
    return Double.isFinite(min) ? min : 0;
  }

  /**
   * The change of client path (ms), from the {@code c0} the outcomes were simulated with to a value
   * in [0, {@code ceiling}], that minimises the objective with every predicted E2E and TTFT mean
   * shifted by it: a golden-section search (the objective is convex in the shift while predictions
   * stay below e times the measurements).
   */
  static double bestShift(List<Outcome> outcomes, double c0, double ceiling) {
    double lo = -c0;
    double hi = Math.max(lo, ceiling - c0);
    double g = (Math.sqrt(5) - 1) / 2;
    double a = hi - g * (hi - lo);
    double b = lo + g * (hi - lo);
    double fa = objective(outcomes, a);
    double fb = objective(outcomes, b);
    for (int i = 0; i < 60 && hi - lo > 1e-6; i++) {
      if (fa <= fb) {
        hi = b;
        b = a;
        fb = fa;
        a = hi - g * (hi - lo);
        fa = objective(outcomes, a);
      } else {
        lo = a;
        a = b;
        fa = fb;
        b = lo + g * (hi - lo);
        fb = objective(outcomes, b);
      }
    }
    double mid = (lo + hi) / 2;
    // the interval's ends win when the optimum lies there (no client path, or the ceiling)
    double best = mid;
    for (double d : new double[] {-c0, Math.max(-c0, ceiling - c0)}) {
      if (objective(outcomes, d) < objective(outcomes, best)) {
        best = d;
      }
    }
    return best;
  }

  /**
   * The mean squared log error of E2E and TTFT means, each prediction shifted by {@code shiftMs};
   * +∞ when none is scored or a shifted prediction is not positive.
   */
  static double objective(List<Outcome> outcomes, double shiftMs) {
    double sum = 0;
    int n = 0;
    for (Outcome o : outcomes) {
      for (Metric m : new Metric[] {Metric.E2E_MEAN, Metric.TTFT_MEAN}) {
        Double p = o.predicted().get(m);
        Double v = o.measured().get(m);
        if (o.status() == Status.ok && p != null && v != null && p > 0) {
          if (!(p + shiftMs > 0)) {
            return Double.POSITIVE_INFINITY;
          }
          double e = Math.log((p + shiftMs) / v);
          sum += e * e;
          n++;
        }
      }
    }
    return n == 0 ? Double.POSITIVE_INFINITY : sum / n;
  }

  private static ServingParams params(double[] x, double clientPathMs) {
    return new ServingParams(Math.abs(x[0]) * 10, Math.abs(x[1]), clientPathMs);
  }

  private Validation validation(ServingParams p, double seconds) {
    return new Validation(catalog, overrides, baseDir, p, seconds);
  }
}
