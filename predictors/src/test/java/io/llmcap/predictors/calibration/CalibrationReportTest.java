package io.llmcap.predictors.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.predictors.roofline.RooflineCalibration.Fit;
import io.llmcap.predictors.roofline.RooflineParams;
import io.llmcap.timing.Operator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class CalibrationReportTest {
  @Test
  void recordsHeldOutMapePerOpBeforeAndAfter() {
    RooflineParams truth = Synthetic.withGemm(new RooflineParams.Gemm(0.6, 128, 0.7, 0.01));
    List<Rows> rows =
        HoldOut.split(
            List.of(
                Synthetic.tokenRows(
                    "a100", truth, List.of(Operator.MLP_UP_PROJ, Operator.ATTN_PRE_PROJ))));
    CalibrationReport report = new CalibrationReport();
    Fit fit =
        report.fitted(
            "a100",
            "gemm",
            rows,
            RooflineParams.defaults(),
            truth,
            new TreeSet<>(List.of("b.csv", "a.csv")),
            s -> true);
    // 13 token counts per op, indices 2, 7 and 12 held out (4, 128 and 4096 tokens)
    assertEquals(20, (int) fit.trainRows());
    assertEquals(6, (int) fit.testRows());
    assertEquals(List.of("a.csv", "b.csv"), fit.sources());
    assertEquals(Map.of("attn_pre_proj", 0.0, "mlp_up_proj", 0.0), fit.heldoutMapePct());
    assertTrue(fit.heldoutMapePctDefault().get("mlp_up_proj") > 0);
    // ops in name order, one line each after the header
    List<String> lines = report.table().lines().toList();
    assertEquals(3, lines.size());
    assertTrue(lines.get(0).startsWith("target "), lines.get(0));
    assertTrue(
        lines.get(1).matches("a100 +gemm +attn_pre_proj +3 +[0-9.]+% +0\\.0%"), lines.get(1));
    assertTrue(lines.get(2).contains("mlp_up_proj"), lines.get(2));
  }

  @Test
  void borrowedAndUncalibratedGroupsSaySo() {
    Fit b = CalibrationReport.borrowed("GEMM", "h100", "h200");
    assertEquals("h100", b.borrowedFrom());
    assertEquals("no GEMM measurements for h200; h100's fit (nearest measured)", b.note());
    assertEquals("uncalibrated default: no data", CalibrationReport.uncalibrated("no data").note());
    assertEquals("x", CalibrationReport.withNote(b, "x").note());
    assertEquals("h100", CalibrationReport.withNote(b, "x").borrowedFrom());
  }
}
