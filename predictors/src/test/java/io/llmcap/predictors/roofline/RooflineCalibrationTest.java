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
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
}
