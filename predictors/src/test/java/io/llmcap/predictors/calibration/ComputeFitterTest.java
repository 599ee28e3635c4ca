package io.llmcap.predictors.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.predictors.calibration.ProfileDiscovery.Group;
import io.llmcap.predictors.calibration.ProfileDiscovery.Measured;
import io.llmcap.predictors.roofline.RooflineCalibration.SkuEntry;
import io.llmcap.predictors.roofline.RooflineParams;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ComputeFitterTest {
  private static Measured measured(Rows gemm) {
    Map<Group, List<Rows>> rows = new EnumMap<>(Group.class);
    for (Group g : Group.values()) {
      rows.put(g, new ArrayList<>());
    }
    if (gemm != null) {
      rows.get(Group.GEMM).add(gemm);
    }
    return new Measured(rows, new TreeSet<>(List.of("compute/a100/m/mlp.csv")), new TreeSet<>());
  }

  @Test
  void fitsOwnRowsBorrowsFromTheNearestAndFallsBackToDefaults() {
    RooflineParams.Gemm truth = new RooflineParams.Gemm(0.6, 128, 0.7, 0.01);
    Map<String, Measured> m = new LinkedHashMap<>();
    m.put(
        "a100", measured(Synthetic.tokenRows("a100", Synthetic.withGemm(truth), Synthetic.GEMMS)));
    m.put("h100", measured(null));
    CalibrationReport report = new CalibrationReport();
    ComputeFitter fitter = new ComputeFitter(m, report);

    SkuEntry a100 = fitter.fitSku("a100");
    assertNull(a100.gemm().fit().borrowedFrom());
    assertEquals(List.of("compute/a100/m/mlp.csv"), a100.gemm().fit().sources());
    assertEquals(truth.effMax(), a100.gemm().params().effMax(), 0.01);
    assertEquals(
        "uncalibrated default: no elementwise measurements", a100.elementwise().fit().note());
    assertEquals(RooflineParams.defaults().attention(), a100.attention().params());

    // h100 has no rows of its own: a100 is its nearest measured SKU; the fit is not redone.
    int lines = report.table().lines().toList().size();
    SkuEntry h100 = fitter.fitSku("h100");
    assertEquals("a100", h100.gemm().fit().borrowedFrom());
    assertEquals(a100.gemm().params(), h100.gemm().params());
    assertEquals(lines, report.table().lines().toList().size());
    assertTrue(h100.gemm().fit().note().contains("a100's fit (nearest measured)"));
  }
}
