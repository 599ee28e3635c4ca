package io.llmcap.cli;

import io.llmcap.catalog.Catalog;
import io.llmcap.metrics.RunFolder;
import io.llmcap.setup.ConfigLoader;
import io.llmcap.validate.Comparison;
import io.llmcap.validate.Manifest;
import io.llmcap.validate.Metric;
import io.llmcap.validate.Validation;
import io.llmcap.validate.Validation.Outcome;
import io.llmcap.validate.ValidationFiles;
import io.llmcap.validate.ValidationReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code llmcap validate}: simulate measured serving experiments and compare. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Simulate each row of a serving-experiment manifest (one measured operating point per row:"
          + " engine, model, GPU, parallelism, server flags, arrivals, request shape, measured"
          + " latencies) as the engine it names would run it, and compare.",
      "Writes comparison.csv (per row: measured, predicted, signed error), summary.csv (median"
          + " and mean |error| per group) and report.html into validation/<manifest name>/."
    })
final class ValidateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "MANIFEST.csv", description = "the manifest (CSV with a header line)")
  Path manifest;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "output folder (default validation/<manifest name>)")
  Path out;

  @Option(names = "--force", description = "replace an existing --out folder")
  boolean force;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "override a run-config key for every row (repeatable), e.g. --set"
              + " predictor.type=roofline")
  List<String> sets = new ArrayList<>();

  @Option(names = "--no-report", description = "skip report.html and its plots")
  boolean noReport;

  @Override
  public Integer call() throws IOException {
    PrintWriter stdout = spec.commandLine().getOut();
    Manifest m = Manifest.read(manifest);
    for (String s : sets) {
      ConfigLoader.set(ConfigLoader.defaults(), s);
    }
    String name = manifest.getFileName().toString().replaceFirst("\\.csv$", "");
    Path target = out != null ? out : Path.of("validation", name);
    List<Outcome> outcomes;
    try (RunFolder folder = RunFolder.create(target, force)) {
      long start = System.nanoTime();
      Validation v = new Validation(Catalog.builtin(), sets, manifest.toAbsolutePath().getParent());
      int[] done = {0};
      outcomes =
          v.run(
              m.rows(),
              o ->
                  System.err.printf(
                      Locale.ROOT,
                      "validate: %d/%d rows, %.0f s%n",
                      ++done[0],
                      m.rows().size(),
                      (System.nanoTime() - start) / 1e9));
      ValidationFiles.write(folder.dir(), outcomes);
      if (!noReport) {
        ValidationReport.write(folder.dir(), m, outcomes);
      }
      folder.commit();
    }
    print(stdout, outcomes);
    stdout.println("wrote " + target);
    return 0;
  }

  private static void print(PrintWriter out, List<Outcome> outcomes) {
    out.printf(
        Locale.ROOT,
        "%-52s %-11s %28s %28s%n",
        "id",
        "status",
        "TTFT mean ms (meas/pred/err)",
        "E2E mean ms (meas/pred/err)");
    for (Outcome o : outcomes) {
      String id = o.row().id();
      if (id.length() > 52) {
        id = "…" + id.substring(id.length() - 51);
      }
      if (o.status() != Validation.Status.ok) {
        out.printf(Locale.ROOT, "%-52s %-11s %s%n", id, o.status(), o.reason());
        continue;
      }
      out.printf(
          Locale.ROOT,
          "%-52s %-11s %28s %28s%n",
          id,
          o.status() + (o.row().flags().isEmpty() ? "" : "*"),
          cell(o, Metric.TTFT_MEAN),
          cell(o, Metric.E2E_MEAN));
    }
    out.println("(* flagged rows: reported under their flag, left out of 'all')");
    for (Comparison.Line l : Comparison.lines(outcomes)) {
      if (l.metric() == Metric.TTFT_MEAN
          || l.metric() == Metric.E2E_MEAN
          || l.metric() == Metric.TPOT_MEAN) {
        out.printf(
            Locale.ROOT,
            "median |error| %-5s %-40s %-13s %5.1f%% over %d rows%n",
            l.group(),
            l.value(),
            l.metric().column(),
            100 * l.medianAbs(),
            l.rows());
      }
    }
  }

  private static String cell(Outcome o, Metric m) {
    Double v = o.measured().get(m);
    Double p = o.predicted().get(m);
    Double e = o.error(m);
    return String.format(
        Locale.ROOT,
        "%s / %s / %s",
        v == null ? "-" : String.format(Locale.ROOT, "%.0f", v),
        p == null ? "-" : String.format(Locale.ROOT, "%.0f", p),
        e == null ? "-" : String.format(Locale.ROOT, "%+.0f%%", 100 * e));
  }
}
