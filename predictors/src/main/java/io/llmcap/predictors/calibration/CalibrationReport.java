package io.llmcap.predictors.calibration;

import io.llmcap.predictors.roofline.RooflineCalibration.Fit;
import io.llmcap.predictors.roofline.RooflineOps;
import io.llmcap.predictors.roofline.RooflineParams;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * What a calibration says about itself: per fitted group, the {@link Fit} record of {@code
 * calibration.yaml} (sources, train and held-out row counts, held-out MAPE per op with the defaults
 * and with the fitted figures) and one line per op of the before/after table {@code llmcap profile
 * calibrate} prints; and the records of borrowed and uncalibrated groups.
 */
final class CalibrationReport {
  private final StringBuilder table = new StringBuilder();

  CalibrationReport() {
    table.append(
        String.format(
            Locale.ROOT,
            "%-20s %-21s %-24s %7s %9s %9s%n",
            "target",
            "group",
            "op",
            "heldout",
            "MAPE def",
            "MAPE cal"));
  }

  /** The table so far. */
  String table() {
    return table.toString();
  }

  /** Held-out MAPE per op, before and after, recorded and added to the table. */
  Fit fitted(
      String target,
      String group,
      List<Rows> rows,
      RooflineParams before,
      RooflineParams after,
      TreeSet<String> sources,
      Predicate<Rows.Sample> reported) {
    Map<String, double[]> mapeBefore = mape(rows, before, reported);
    Map<String, double[]> mapeAfter = mape(rows, after, reported);
    Map<String, Double> pctBefore = new LinkedHashMap<>();
    Map<String, Double> pctAfter = new LinkedHashMap<>();
    int train = 0;
    int test = 0;
    for (Rows r : rows) {
      for (Rows.Sample s : r.samples()) {
        if (s.test()) {
          test++;
        } else {
          train++;
        }
      }
    }
    for (String op : mapeAfter.keySet()) {
      double b = mapeBefore.get(op)[0] / mapeBefore.get(op)[1] * 100;
      double a = mapeAfter.get(op)[0] / mapeAfter.get(op)[1] * 100;
      pctBefore.put(op, Math.round(b * 10) / 10.0);
      pctAfter.put(op, Math.round(a * 10) / 10.0);
      table.append(
          String.format(
              Locale.ROOT,
              "%-20s %-21s %-24s %7d %8.1f%% %8.1f%%%n",
              target,
              group,
              op,
              (int) mapeAfter.get(op)[1],
              b,
              a));
    }
    return new Fit(null, null, List.copyOf(sources), train, test, pctBefore, pctAfter);
  }

  /** Per op name: {sum of absolute percentage errors as fractions, count} over held-out rows. */
  static Map<String, double[]> mape(
      List<Rows> rows, RooflineParams params, Predicate<Rows.Sample> reported) {
    Map<String, double[]> out = new TreeMap<>();
    for (Rows r : rows) {
      RooflineOps ops = r.ops().apply(params);
      for (Rows.Sample s : r.samples()) {
        if (s.test() && reported.test(s)) {
          double[] acc = out.computeIfAbsent(s.op().profileName(), k -> new double[2]);
          acc[0] += Math.abs(ops.predictMs(s.op(), s.x()) - s.y()) / s.y();
          acc[1]++;
        }
      }
    }
    return out;
  }

  static Fit borrowed(String group, String from, String to) {
    return new Fit(
        from,
        "no " + group + " measurements for " + to + "; " + from + "'s fit (nearest measured)",
        null,
        null,
        null,
        null,
        null);
  }

  static Fit uncalibrated(String why) {
    return new Fit(null, "uncalibrated default: " + why, null, null, null, null, null);
  }

  static Fit withNote(Fit f, String note) {
    return new Fit(
        f.borrowedFrom(),
        note,
        f.sources(),
        f.trainRows(),
        f.testRows(),
        f.heldoutMapePctDefault(),
        f.heldoutMapePct());
  }
}
