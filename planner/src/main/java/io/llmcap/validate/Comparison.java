package io.llmcap.validate;

import io.llmcap.validate.Validation.Outcome;
import io.llmcap.validate.Validation.Status;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Aggregate errors of a validation: median and mean |error| per metric for all rows and per model,
 * GPU, TP degree and flag. Rows with a flag ({@code moe}, {@code overloaded}, …) are left out of
 * {@code all}, {@code model}, {@code gpu} and {@code tp} and reported under their flag instead, so
 * that the headline figures describe the steady operating points llmcap claims to model.
 */
public final class Comparison {
  private Comparison() {}

  /** One line of {@code summary.csv}. */
  public record Line(
      String group, String value, Metric metric, int rows, double medianAbs, double meanAbs) {}

  public static List<Line> lines(List<Outcome> outcomes) {
    List<Outcome> ok = outcomes.stream().filter(o -> o.status() == Status.ok).toList();
    List<Outcome> plain = ok.stream().filter(o -> o.row().flags().isEmpty()).toList();
    List<Line> out = new ArrayList<>();
    add(out, "all", groups(plain, o -> List.of("all")));
    add(out, "model", groups(plain, o -> List.of(o.row().text("model"))));
    add(out, "gpu", groups(plain, o -> List.of(o.row().text("gpu"))));
    add(out, "tp", groups(plain, o -> List.of(o.row().text("tp"))));
    add(out, "flag", groups(ok, o -> o.row().flags()));
    return out;
  }

  /** Median |error| of one metric over the rows, or NaN when none has an error. */
  public static double medianAbs(List<Outcome> rows, Metric m) {
    double[] e = absErrors(rows, m);
    return e.length == 0 ? Double.NaN : median(e);
  }

  private static Map<String, List<Outcome>> groups(
      List<Outcome> rows, Function<Outcome, List<String>> keys) {
    Map<String, List<Outcome>> g = new LinkedHashMap<>();
    for (Outcome o : rows) {
      for (String k : keys.apply(o)) {
        g.computeIfAbsent(k, x -> new ArrayList<>()).add(o);
      }
    }
    return g;
  }

  private static void add(List<Line> out, String group, Map<String, List<Outcome>> byValue) {
    byValue.forEach(
        (value, rows) -> {
          for (Metric m : Metric.values()) {
            double[] e = absErrors(rows, m);
            if (e.length > 0) {
              out.add(
                  new Line(
                      group, value, m, e.length, median(e), Arrays.stream(e).sum() / e.length));
            }
          }
        });
  }

  private static double[] absErrors(List<Outcome> rows, Metric m) {
    return rows.stream()
        .map(o -> o.error(m))
        .filter(e -> e != null)
        .mapToDouble(Math::abs)
        .sorted()
        .toArray();
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
