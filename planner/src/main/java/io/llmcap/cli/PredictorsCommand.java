package io.llmcap.cli;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.predictors.Predictors;
import io.llmcap.predictors.lgbm.HeldOut;
import io.llmcap.predictors.lgbm.LightGbmTrainer;
import io.llmcap.predictors.lgbm.ProfileEvaluation;
import io.llmcap.predictors.lgbm.ProfileEvaluation.Row;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code llmcap predictors}: the accuracy of the operator-time models. */
@Command(
    name = "predictors",
    mixinStandardHelpOptions = true,
    description = "Operator-time models: measure their accuracy on profiles.",
    subcommands = {PredictorsCommand.Evaluate.class})
final class PredictorsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code llmcap predictors evaluate}: held-out MAPE per operator. */
  @Command(
      name = "evaluate",
      mixinStandardHelpOptions = true,
      description = {
        "Held-out MAPE per operator, for every (model, SKU, TP) of compute/ and every collective"
            + " selection of network/ under --profiles: 20%% of each operator's rows (a fixed"
            + " draw) are held out, LightGBM is trained on the rest, and LightGBM and the"
            + " calibrated roofline are scored on the held-out rows. Rows a LightGBM fit drops"
            + " (empty or zero times, times >10x off their neighbours) are left out of both."
      })
  static final class Evaluate implements Callable<Integer> {
    static final String HEADER =
        "sku,model,node,tp,op,rows,dropped,train_rows,test_rows,lightgbm_mape,roofline_mape,"
            + "lightgbm_cv_mape,chosen";

    @Spec CommandSpec spec;

    @Option(
        names = "--profiles",
        paramLabel = "DIR",
        description =
            "profile folder in the reference layout (default: the shipped profiles/roofline/;"
                + " measured profiles, e.g. ../shared/data/profiles, are passed here)")
    Path profiles;

    @Option(names = "--out", paramLabel = "FILE.csv", description = "also write the rows as CSV")
    Path out;

    @Option(
        names = "--threads",
        paramLabel = "N",
        description = "operators trained at once (default: the number of CPUs)")
    Integer threads;

    @Override
    public Integer call() {
      Path root = profiles == null ? Predictors.shippedRooflineProfiles() : profiles;
      if (!Files.isDirectory(root)) {
        throw new ConfigException("--profiles", "'" + root + "' is not a directory");
      }
      int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
      if (n < 1) {
        throw ConfigException.invalid("--threads", n, "an integer >= 1");
      }
      long start = System.nanoTime();
      ProfileEvaluation.Report report =
          ProfileEvaluation.run(root, Catalog.builtin(), new LightGbmTrainer(), n, s -> true);
      if (report.rows().isEmpty()) {
        throw new ConfigException(
            "--profiles",
            "no operator profiles of catalog models or node types under '"
                + root
                + "'; expected compute/<sku>/<org>/<model>/mlp.csv or network/<node>/*.csv");
      }
      PrintWriter o = spec.commandLine().getOut();
      print(o, root, report, (System.nanoTime() - start) / 1e9);
      if (out != null) {
        writeCsv(out, report.rows());
        o.println("wrote " + out);
      }
      return 0;
    }

    private static void print(PrintWriter o, Path root, ProfileEvaluation.Report r, double s) {
      o.printf(
          Locale.ROOT,
          "held-out MAPE (%%) on %s: %.0f%% of each operator's rows held out, %d operators,"
              + " %.1f s%n%n",
          root,
          HeldOut.TEST_FRACTION * 100,
          r.rows().size(),
          s);
      o.printf(
          Locale.ROOT,
          "%-5s %-38s %-20s %3s %4s %9s %9s %9s %9s%n",
          "sku",
          "model",
          "node",
          "tp",
          "ops",
          "lgbm med",
          "lgbm max",
          "roof med",
          "roof max");
      Map<List<String>, List<Row>> groups = new LinkedHashMap<>();
      for (Row row : r.rows()) {
        groups
            .computeIfAbsent(
                List.of(row.sku(), row.model(), row.node(), row.tp()), k -> new ArrayList<>())
            .add(row);
      }
      for (List<Row> g : groups.values()) {
        Row first = g.get(0);
        Predicate<Row> in = g::contains;
        o.printf(
            Locale.ROOT,
            "%-5s %-38s %-20s %3s %4d %9s %9s %9s %9s%n",
            first.sku(),
            first.model().isEmpty() ? "-" : first.model(),
            first.node().isEmpty() ? "-" : first.node(),
            first.tp().isEmpty() ? "-" : first.tp(),
            g.size(),
            fmt(r.lightGbmMedian(in)),
            fmt(max(g, true)),
            fmt(r.rooflineMedian(in)),
            fmt(max(g, false)));
      }
      o.printf(Locale.ROOT, "%nper operator, over the selections above:%n");
      o.printf(
          Locale.ROOT,
          "%-28s %4s %9s %9s %9s %9s%n",
          "op",
          "n",
          "lgbm med",
          "lgbm max",
          "roof med",
          "roof max");
      Map<String, List<Row>> byOp = new LinkedHashMap<>();
      for (Row row : r.rows()) {
        byOp.computeIfAbsent(row.op(), k -> new ArrayList<>()).add(row);
      }
      for (Map.Entry<String, List<Row>> e : byOp.entrySet()) {
        Predicate<Row> in = row -> row.op().equals(e.getKey());
        o.printf(
            Locale.ROOT,
            "%-28s %4d %9s %9s %9s %9s%n",
            e.getKey(),
            e.getValue().size(),
            fmt(r.lightGbmMedian(in)),
            fmt(max(e.getValue(), true)),
            fmt(r.rooflineMedian(in)),
            fmt(max(e.getValue(), false)));
      }
      o.printf(
          Locale.ROOT,
          "%nmedian over all operators: LightGBM %s%%, calibrated roofline %s%%%n",
          fmt(r.lightGbmMedian(row -> true)),
          fmt(r.rooflineMedian(row -> true)));
      List<Row> fitted = r.rows().stream().filter(row -> !isAbsent(row)).toList();
      int dropped = fitted.stream().mapToInt(Row::dropped).sum();
      if (dropped > 0) {
        o.printf(
            Locale.ROOT,
            "%d rows left out (zero times, or >10x off their neighbours; see the CSV)%n",
            dropped);
      }
      long absent = r.rows().size() - fitted.size();
      if (absent > 0) {
        o.printf(Locale.ROOT, "%d operators take no time in their profile and predict 0%n", absent);
      }
      for (String note : r.notes()) {
        o.println("note: " + note);
      }
    }

    private static boolean isAbsent(Row row) {
      return row.chosen().equals(ProfileEvaluation.ABSENT);
    }

    private static double max(List<Row> rows, boolean lightGbm) {
      return rows.stream()
          .mapToDouble(row -> lightGbm ? row.lightGbmMape() : row.rooflineMape())
          .filter(Double::isFinite)
          .max()
          .orElse(Double.NaN);
    }

    private static String fmt(double v) {
      return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : "-";
    }

    /** Written to a temporary file beside {@code out} and renamed into place. */
    static void writeCsv(Path out, List<Row> rows) {
      StringBuilder sb = new StringBuilder(HEADER).append('\n');
      for (Row r : rows) {
        sb.append(
            String.join(
                ",",
                r.sku(),
                r.model(),
                r.node(),
                r.tp(),
                r.op(),
                String.valueOf(r.rows()),
                String.valueOf(r.dropped()),
                String.valueOf(r.trainRows()),
                String.valueOf(r.testRows()),
                csv(r.lightGbmMape()),
                csv(r.rooflineMape()),
                csv(r.cvMape()),
                r.chosen()));
        sb.append('\n');
      }
      try {
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, "." + out.getFileName(), ".tmp");
        try {
          Files.writeString(tmp, sb);
          Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
          Files.deleteIfExists(tmp);
        }
      } catch (IOException e) {
        throw new ConfigException("--out", "cannot write '" + out + "': " + e.getMessage(), e);
      }
    }

    private static String csv(double v) {
      return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "";
    }
  }
}
