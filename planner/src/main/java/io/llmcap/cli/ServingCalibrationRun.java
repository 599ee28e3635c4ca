package io.llmcap.cli;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.predictors.engine.ServingParams;
import io.llmcap.validate.Comparison;
import io.llmcap.validate.Manifest;
import io.llmcap.validate.ManifestRow;
import io.llmcap.validate.Metric;
import io.llmcap.validate.ServingCalibration;
import io.llmcap.validate.ServingCalibration.Fit;
import io.llmcap.validate.Validation.Outcome;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code llmcap profile calibrate --serving}: fits {@link ServingParams} to a manifest, scores the
 * fit in sample and leaving each model out, and renders {@code serving.yaml} with that provenance.
 */
final class ServingCalibrationRun {
  private ServingCalibrationRun() {}

  static final String HEADER =
      """
      # Serving-level engine-cost parameters of llmcap's vllm_v1 engine model: the figures the
      # op-level calibration (calibration.yaml) cannot give. CUDA graphs and the custom all-reduce's
      # bandwidth come from the engine's documented behaviour and calibration.yaml; these three are
      # fitted with the simulator in the loop by `llmcap profile calibrate --serving MANIFEST.csv`
      # (do not edit by hand):
      #   allreduce_latency_us: fixed time of one custom (one- or two-shot) all-reduce over NVLink
      #     peer memory (kernel start, the flag barrier between ranks, a small reduction);
      #   step_overhead_ms: host time per engine step that asynchronous scheduling does not hide;
      #   client_path_ms: time the front end adds once to each request's TTFT and E2E, in and out
      #     (vllm/entrypoints/openai: HTTP, chat template, tokenisation; v1/engine/core_client.py:
      #     msgpack over ZMQ to the engine-core process and back; v1/engine/output_processor.py:
      #     detokenisation; the SSE chunk of the token).
      # `fit` records the rows, the median |error| of E2E, TTFT and TPOT means before (the previous
      # parameters) and after, and leave-one-model-out: each model's rows predicted by the
      # parameters fitted without them, with those parameters.
      """;

  /** Fits, prints a report to {@code out} and returns the YAML to write. */
  static String run(Path manifestFile, String date, PrintWriter out) {
    Manifest manifest = Manifest.read(manifestFile);
    ServingCalibration c =
        new ServingCalibration(
            Catalog.builtin(),
            List.of("predictor.type=roofline"),
            manifestFile.toAbsolutePath().getParent(),
            ServingCalibration.FIT_WINDOW_S,
            line -> out.println(line));
    List<ManifestRow> rows = c.usable(manifest.rows());
    long models = rows.stream().map(r -> r.text("model")).distinct().count();
    if (rows.size() < 2 || models < 2) {
      throw new ConfigException(
          "--serving",
          manifestFile
              + " has "
              + rows.size()
              + " usable rows of "
              + models
              + " model(s); the fit needs dense, unflagged rows of at least 2 models");
    }
    ServingParams start = ServingParams.builtin();
    out.printf(Locale.ROOT, "fitting on %d rows of %d models%n", rows.size(), models);
    Fit before = c.score(rows, start);
    Fit after = c.fit(rows, start);
    out.println("leave one model out:");
    Map<String, Fit> lomo = c.leaveOneModelOut(rows, start);
    StringBuilder y = new StringBuilder(HEADER);
    y.append("calibrated_on: ").append(date).append('\n');
    y.append("method: \"Nelder-Mead on the mean squared log error of E2E and TTFT means over the")
        .append(" dense, unflagged rows, each simulated for its first ")
        .append((int) ServingCalibration.FIT_WINDOW_S)
        .append(" s with the vllm_v1 scheduler and the calibrated roofline\"\n");
    y.append("params:\n");
    y.append(
        String.format(
            Locale.ROOT, "  allreduce_latency_us: %.4g%n", after.params().allReduceLatencyUs()));
    y.append(
        String.format(Locale.ROOT, "  step_overhead_ms: %.4g%n", after.params().stepOverheadMs()));
    y.append(String.format(Locale.ROOT, "  client_path_ms: %.4g%n", after.params().clientPathMs()));
    y.append("fit:\n");
    y.append("  manifest: ").append(manifestFile.getFileName()).append('\n');
    y.append("  rows: ").append(rows.size()).append('\n');
    y.append(errors("  before", before));
    y.append(errors("  after", after));
    y.append("  leave_one_model_out:\n");
    for (Map.Entry<String, Fit> e : lomo.entrySet()) {
      y.append(errors("    " + e.getKey(), e.getValue()).replace("\n    ", "\n      "));
    }
    out.printf(
        Locale.ROOT,
        "in sample: median |error| of means, E2E %.1f%% -> %.1f%%, TTFT %.1f%% -> %.1f%%,"
            + " TPOT %.1f%% -> %.1f%%%n",
        100 * before.e2eMedianAbs(),
        100 * after.e2eMedianAbs(),
        100 * before.ttftMedianAbs(),
        100 * after.ttftMedianAbs(),
        100 * before.tpotMedianAbs(),
        100 * after.tpotMedianAbs());
    for (String model : lomo.keySet()) {
      out.printf(
          Locale.ROOT,
          "in sample %-40s %s -> %s%n",
          model,
          perModel(before, model),
          perModel(after, model));
    }
    out.printf(Locale.ROOT, "fitted: %s%n", params(after.params()));
    for (Map.Entry<String, Fit> e : lomo.entrySet()) {
      Fit f = e.getValue();
      out.printf(
          Locale.ROOT,
          "held out %-40s E2E %5.1f%%  TTFT %5.1f%%  TPOT %5.1f%%  (fit without it: %s)%n",
          e.getKey(),
          100 * f.e2eMedianAbs(),
          100 * f.ttftMedianAbs(),
          100 * f.tpotMedianAbs(),
          params(f.params()));
    }
    return y.toString();
  }

  /** The median |error| of E2E, TTFT and TPOT means over {@code model}'s rows of a fit. */
  private static String perModel(Fit f, String model) {
    List<Outcome> rows =
        f.outcomes().stream().filter(o -> model.equals(o.row().text("model"))).toList();
    return String.format(
        Locale.ROOT,
        "E2E %5.1f%% TTFT %5.1f%% TPOT %5.1f%%",
        100 * Comparison.medianAbs(rows, Metric.E2E_MEAN),
        100 * Comparison.medianAbs(rows, Metric.TTFT_MEAN),
        100 * Comparison.medianAbs(rows, Metric.TPOT_MEAN));
  }

  private static String params(ServingParams p) {
    return String.format(
        Locale.ROOT,
        "allreduce_latency_us %.4g, step_overhead_ms %.4g, client_path_ms %.4g",
        p.allReduceLatencyUs(),
        p.stepOverheadMs(),
        p.clientPathMs());
  }

  private static String errors(String key, Fit f) {
    return String.format(
        Locale.ROOT,
        "%s:%n    allreduce_latency_us: %.4g%n    step_overhead_ms: %.4g%n"
            + "    client_path_ms: %.4g%n    e2e_mean_median_abs_error: %.4f%n"
            + "    ttft_mean_median_abs_error: %.4f%n    tpot_mean_median_abs_error: %.4f%n",
        key,
        f.params().allReduceLatencyUs(),
        f.params().stepOverheadMs(),
        f.params().clientPathMs(),
        f.e2eMedianAbs(),
        f.ttftMedianAbs(),
        f.tpotMedianAbs());
  }
}
