package io.llmcap.predictors.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.catalog.Catalog;
import io.llmcap.predictors.roofline.RooflineCalibration;
import io.llmcap.predictors.roofline.RooflineCalibration.Fit;
import io.llmcap.predictors.roofline.RooflineCalibration.SkuEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The whole calibration on the shared measured profiles. */
class RooflineCalibratorTest {
  private static final Path ROOT = Path.of(System.getProperty("llmcap.root", ".."));
  private static final Path DATA =
      Path.of(System.getProperty("llmcap.shared", "../../shared"), "data/profiles");
  private static final Path SHIPPED = ROOT.resolve("profiles/catalog/calibration.yaml");
  private static final List<String> MEASURED = List.of("a100", "h100", "a40", "a30");

  private final Catalog catalog = Catalog.builtin();

  /**
   * Must hold: held-out MAPE of the calibrated roofline at most 15% for GEMMs from 64 tokens on and
   * at most 25% for prefill and decode attention, per SKU with data. Re-fitting also reproduces the
   * shipped calibration.yaml byte for byte.
   */
  @Test
  void calibrationMeetsAccuracyBoundsAndReproducesTheShippedFile() throws IOException {
    Assumptions.assumeTrue(Files.isDirectory(DATA), "no measured profiles at " + DATA);
    RooflineCalibration shipped = RooflineCalibration.read(SHIPPED);
    RooflineCalibrator.Result r =
        new RooflineCalibrator(DATA, catalog).calibrate(shipped.file().calibratedOn());
    System.out.print(r.report());

    String header =
        Files.readString(SHIPPED)
            .lines()
            .takeWhile(l -> l.startsWith("#"))
            .map(l -> l + "\n")
            .reduce("", String::concat);
    assertEquals(
        Files.readString(SHIPPED),
        r.calibration().toYaml(header),
        "calibration.yaml is stale: run scripts/calibrate-roofline.sh");

    for (String sku : MEASURED) {
      SkuEntry e = r.calibration().file().skus().get(sku);
      for (String op : RooflineCalibrator.GEMM_OPS) {
        double mape = e.gemm().fit().heldoutMapePct().get(op);
        assertTrue(mape <= 15, sku + " " + op + " held-out MAPE " + mape + "%");
      }
      Fit attention = e.attention().fit();
      if (attention.borrowedFrom() == null) {
        for (String op : List.of("attn_prefill", "attn_decode")) {
          double mape = attention.heldoutMapePct().get(op);
          assertTrue(mape <= 25, sku + " " + op + " held-out MAPE " + mape + "%");
        }
      }
    }
    assertNotNull(r.calibration().file().skus().get("a30").attention().fit().heldoutMapePct());
    assertNotNull(r.calibration().file().skus().get("a100").attention().fit().heldoutMapePct());
  }
}
