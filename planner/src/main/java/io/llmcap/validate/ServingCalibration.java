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
 * fixed latency and the host time per step) with the simulator in the loop: each candidate
 * simulates every steady, dense row of a manifest (no flag) and scores the squared log errors of
 * its E2E and TTFT means; Nelder–Mead minimises their mean. Leave-one-model-out: the same fit on
 * the rows of all models but one, scored on the held-out model's rows.
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

  /** A fit: the parameters, and the median |error| of E2E and TTFT means on the rows scored. */
  public record Fit(
      ServingParams params, double objective, double e2eMedianAbs, double ttftMedianAbs) {}

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
    double[] x =
        NelderMead.minimize(
            v -> objective(rows, params(v, start)),
            new double[] {start.allReduceLatencyUs() / 10, start.stepOverheadMs()},
            0.5,
            MAX_EVALUATIONS);
    return score(rows, params(x, start));
  }

  /** Scores {@code params} on {@code rows}. */
  public Fit score(List<ManifestRow> rows, ServingParams params) {
    List<Outcome> out = validation(params, window).run(rows, o -> {});
    return new Fit(
        params,
        objective(out),
        Comparison.medianAbs(out, Metric.E2E_MEAN),
        Comparison.medianAbs(out, Metric.TTFT_MEAN));
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

  private double objective(List<ManifestRow> rows, ServingParams p) {
    return objective(validation(p, window).run(rows, o -> {}));
  }

  private static double objective(List<Outcome> outcomes) {
    double sum = 0;
    int n = 0;
    for (Outcome o : outcomes) {
      for (Metric m : new Metric[] {Metric.E2E_MEAN, Metric.TTFT_MEAN}) {
        Double p = o.predicted().get(m);
        Double v = o.measured().get(m);
        if (o.status() == Status.ok && p != null && v != null && p > 0) {
          double e = Math.log(p / v);
          sum += e * e;
          n++;
        }
      }
    }
    return n == 0 ? Double.POSITIVE_INFINITY : sum / n;
  }

  private static ServingParams params(double[] x, ServingParams start) {
    return new ServingParams(Math.abs(x[0]) * 10, Math.abs(x[1]));
  }

  private Validation validation(ServingParams p, double seconds) {
    return new Validation(catalog, overrides, baseDir, p, seconds);
  }
}
