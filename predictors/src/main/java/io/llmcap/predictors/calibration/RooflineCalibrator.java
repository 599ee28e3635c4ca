package io.llmcap.predictors.calibration;

import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.DeviceSku;
import io.llmcap.catalog.NodeSku;
import io.llmcap.predictors.calibration.ProfileDiscovery.Measured;
import io.llmcap.predictors.roofline.RooflineCalibration;
import io.llmcap.predictors.roofline.RooflineCalibration.CalibrationFile;
import io.llmcap.predictors.roofline.RooflineCalibration.NodeEntry;
import io.llmcap.predictors.roofline.RooflineCalibration.SkuEntry;
import io.llmcap.predictors.roofline.RooflineParams;
import io.llmcap.timing.Operator;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fits {@link RooflineParams} per GPU SKU and node type of the catalog to measured profiles in the
 * reference layout: {@code calibration.yaml}. The jobs are one class each: {@link ProfileDiscovery}
 * finds the measured rows and drops impossible ones; {@link HoldOut} holds every fifth distinct
 * feature value out; {@link ComputeFitter} and {@link NetworkFitter} fit the parameter groups with
 * {@link Fitting} (mean absolute log error minimised by Nelder-Mead, figures rounded to 4
 * significant digits) and borrow for parts without measurements; {@link CalibrationReport} records
 * held-out MAPE before and after, for the file and the printed table.
 */
public final class RooflineCalibrator {
  /** The ops whose held-out MAPE the GEMM group reports, by profile name. */
  public static final List<String> GEMM_OPS =
      java.util.Arrays.stream(Operator.values())
          .filter(op -> op.predicted() && ProfileDiscovery.Group.GEMM.contains(op))
          .map(Operator::profileName)
          .toList();

  private final Catalog catalog;
  private final ProfileDiscovery discovery;

  /** The outcome: the calibration and a human-readable before/after table. */
  public record Result(RooflineCalibration calibration, String report) {}

  /**
   * @param data measured profiles in the reference layout (e.g. {@code ../shared/data/profiles})
   */
  public RooflineCalibrator(Path data, Catalog catalog) {
    this.catalog = catalog;
    this.discovery = new ProfileDiscovery(data, catalog);
  }

  /** Fits every SKU and node type; {@code date} is recorded in the file. */
  public Result calibrate(String date) {
    CalibrationReport report = new CalibrationReport();
    Map<String, Measured> measured = new LinkedHashMap<>();
    for (DeviceSku sku : catalog.skus().values()) {
      measured.put(sku.name(), discovery.measure(sku));
    }
    ComputeFitter compute = new ComputeFitter(measured, report);
    Map<String, SkuEntry> skus = new LinkedHashMap<>();
    for (DeviceSku sku : catalog.skus().values()) {
      skus.put(sku.name(), compute.fitSku(sku.name()));
    }
    NetworkFitter network = new NetworkFitter(discovery, report);
    for (NodeSku node : catalog.nodes().values()) {
      network.fit(node);
    }
    Map<String, NodeEntry> nodes = new LinkedHashMap<>();
    for (NodeSku node : catalog.nodes().values()) {
      nodes.put(node.name(), network.entry(node));
    }
    String method =
        "Fitted by `llmcap profile calibrate` (RooflineCalibrator) to the measured profiles of the"
            + " reference profiler: rows faster than the physical bound dropped; every fifth"
            + " distinct feature value held out; mean absolute log error minimised by Nelder-Mead"
            + " on the rest; figures rounded to 4 significant digits. Held-out MAPE in percent, of"
            + " the uncalibrated defaults and of these figures; GEMM MAPE from "
            + ComputeFitter.GEMM_MAPE_MIN_TOKENS
            + " tokens on.";
    CalibrationFile file = new CalibrationFile(date, method, skus, nodes);
    return new Result(new RooflineCalibration(file), report.table());
  }
}
