package io.llmcap.predictors.roofline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.catalog.NodeSku;
import io.llmcap.predictors.roofline.RooflineCalibration.Fit;
import io.llmcap.predictors.roofline.RooflineCalibration.SkuEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class RooflineCalibrationTest {
  private static final Path ROOT = Path.of(System.getProperty("llmcap.root", ".."));
  private static final Path DATA =
      Path.of(System.getProperty("llmcap.shared", "../../shared"), "data/profiles");
  private static final Path SHIPPED = ROOT.resolve("profiles/catalog/calibration.yaml");
  private static final List<String> MEASURED = List.of("a100", "h100", "a40", "a30");

  private final Catalog catalog = Catalog.builtin();
  private final RooflineCalibration builtin = RooflineCalibration.builtin();

  @Test
  void everyCatalogSkuAndNodeIsCalibrated() {
    assertEquals(catalog.skus().keySet(), builtin.file().skus().keySet());
    assertEquals(catalog.nodes().keySet(), builtin.file().nodes().keySet());
    ModelSpec model = catalog.model("meta-llama/Llama-2-7b-hf", "test");
    for (NodeSku node : catalog.nodes().values()) {
      RooflineParams p = builtin.params(node.sku(), node.name());
      assertTrue(p.source().startsWith("calibrated for " + node.sku()), p.source());
      var sku = catalog.sku(node.sku(), "test");
      double ms =
          RooflinePredictor.calibrated(new Deployment(model, sku, node, 1, 1))
                  .predict(Fixtures.decodes(8, 1000), 0)
                  .totalSeconds()
              * 1e3;
      assertTrue(ms > 1 && ms < 100, node.name() + ": " + ms + " ms");
    }
  }

  @Test
  void unmeasuredSkusSayWhereTheirFiguresComeFrom() {
    Map<String, String> expected = Map.of("h200", "h100", "b200", "h100", "mi300x", "h100");
    expected.forEach(
        (sku, from) -> {
          SkuEntry e = builtin.file().skus().get(sku);
          assertEquals(from, e.gemm().fit().borrowedFrom(), sku);
          assertEquals(from, e.elementwise().fit().borrowedFrom(), sku);
          assertEquals(builtin.file().skus().get(from).gemm().params(), e.gemm().params());
          assertNotNull(e.attention().fit().borrowedFrom(), sku);
        });
    assertEquals("a40", builtin.file().skus().get("l40s").gemm().fit().borrowedFrom());
    for (String sku : MEASURED) {
      Fit gemm = builtin.file().skus().get(sku).gemm().fit();
      assertEquals(null, gemm.borrowedFrom(), sku);
      assertFalse(gemm.sources().isEmpty(), sku);
    }
  }

  @Test
  void unknownSkuFallsBackToDefaultsAndSaysSo() {
    RooflineParams p = builtin.params("tpu-v9", "a100_dgx");
    assertEquals(RooflineParams.defaults().gemm(), p.gemm());
    assertTrue(p.source().contains("no calibration for SKU 'tpu-v9'"), p.source());
  }

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
