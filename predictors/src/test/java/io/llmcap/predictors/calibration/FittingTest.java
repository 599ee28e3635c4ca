package io.llmcap.predictors.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.predictors.roofline.Link;
import io.llmcap.predictors.roofline.RooflineParams;
import io.llmcap.timing.Operator;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class FittingTest {
  @Test
  void transformsInvertAndRoundingKeepsFourDigits() {
    assertEquals(0.3, Fitting.fraction(Fitting.logit(0.3)), 1e-12);
    assertEquals(7.5, Fitting.positive(StrictMath.log(7.5)), 1e-12);
    assertEquals(0.1235, Fitting.round(0.123456));
    assertEquals(1235000.0, Fitting.round(1234567));
    assertEquals(0.0, Fitting.round(4e-7), "driven towards 0");
  }

  @Test
  void recoversTheGemmFiguresThatMadeTheRows() {
    RooflineParams.Gemm truth = new RooflineParams.Gemm(0.6, 128, 0.7, 0.01);
    List<Rows> rows =
        HoldOut.split(
            List.of(Synthetic.tokenRows("a100", Synthetic.withGemm(truth), Synthetic.GEMMS)));
    Function<double[], RooflineParams> of =
        x ->
            Synthetic.withGemm(
                new RooflineParams.Gemm(
                    Fitting.fraction(x[0]),
                    Fitting.positive(x[1]),
                    Fitting.fraction(x[2]),
                    Fitting.positive(x[3])));
    RooflineParams.Gemm d = RooflineParams.defaults().gemm();
    double[] x =
        Fitting.fit(
            rows,
            of,
            new double[] {
              Fitting.logit(d.effMax()),
              StrictMath.log(d.halfTokens()),
              Fitting.logit(d.memoryEff()),
              StrictMath.log(d.launchMs())
            });
    RooflineParams.Gemm g = of.apply(x).gemm();
    assertEquals(truth.effMax(), g.effMax(), 0.01);
    assertEquals(truth.memoryEff(), g.memoryEff(), 0.01);
    assertEquals(truth.launchMs(), g.launchMs(), 0.001);
    assertTrue(Math.abs(g.halfTokens() - truth.halfTokens()) < 5, "half tokens " + g.halfTokens());
  }

  @Test
  void linkEditsTouchOneCollectiveAndLink() {
    RooflineParams.LinkFit fit = new RooflineParams.LinkFit(0.5, 7);
    RooflineParams p =
        Fitting.withLink(RooflineParams.defaults(), Operator.SEND_RECV, Link.PCIE, fit);
    assertEquals(fit, Fitting.linkOf(p, Operator.SEND_RECV, Link.PCIE));
    assertEquals(null, Fitting.linkOf(p, Operator.ALL_REDUCE, Link.PCIE));
  }
}
