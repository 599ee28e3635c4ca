package io.llmcap.predictors.calibration;

import io.llmcap.predictors.roofline.Link;
import io.llmcap.predictors.roofline.RooflineOps;
import io.llmcap.predictors.roofline.RooflineParams;
import io.llmcap.timing.Operator;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The fitting machinery every parameter group shares: the mean absolute log error over the training
 * rows minimised with {@link NelderMead} in an unconstrained space (logit for efficiencies, log for
 * positive figures), fitted figures rounded to 4 significant digits, and the edits that put one
 * group's figures into a whole {@link RooflineParams}.
 */
final class Fitting {
  private static final int SIGNIFICANT_DIGITS = 4;
  private static final int MAX_EVALS = 4000;

  private Fitting() {}

  /** Minimises the mean absolute log error over the training rows. */
  static double[] fit(List<Rows> rows, Function<double[], RooflineParams> of, double[] start) {
    return NelderMead.minimize(
        x -> {
          RooflineParams p;
          try {
            p = of.apply(x);
          } catch (IllegalArgumentException e) {
            return Double.MAX_VALUE; // outside the parameters' domain
          }
          double sum = 0;
          int n = 0;
          for (Rows r : rows) {
            RooflineOps ops = r.ops().apply(p);
            for (Rows.Sample s : r.samples()) {
              if (!s.test()) {
                sum += Math.abs(StrictMath.log(ops.predictMs(s.op(), s.x()) / s.y()));
                n++;
              }
            }
          }
          return n == 0 ? 0 : sum / n;
        },
        start,
        0.5,
        MAX_EVALS);
  }

  static double fraction(double x) {
    return 1 / (1 + StrictMath.exp(-x));
  }

  static double logit(double f) {
    return StrictMath.log(f / (1 - f));
  }

  static double positive(double x) {
    return StrictMath.exp(x);
  }

  /** 4 significant digits; a figure the fit drove towards 0 (below 1e-6) is 0. */
  static double round(double v) {
    if (Math.abs(v) < 1e-6) {
      return 0;
    }
    return new BigDecimal(v).round(new MathContext(SIGNIFICANT_DIGITS)).doubleValue();
  }

  static RooflineParams withGemm(RooflineParams p, RooflineParams.Gemm g) {
    return new RooflineParams(g, p.elementwise(), p.attention(), p.network(), 0, p.source());
  }

  static RooflineParams withElementwise(RooflineParams p, RooflineParams.Elementwise e) {
    return new RooflineParams(p.gemm(), e, p.attention(), p.network(), 0, p.source());
  }

  static RooflineParams withAttention(RooflineParams p, RooflineParams.Attention a) {
    return new RooflineParams(p.gemm(), p.elementwise(), a, p.network(), 0, p.source());
  }

  static RooflineParams.Attention withKvSave(
      RooflineParams.Attention a, double eff, double launchMs) {
    return new RooflineParams.Attention(
        a.prefillEff(),
        a.prefillCausalFactor(),
        a.prefillLaunchMs(),
        a.decodeEff(),
        a.decodeHalfHeads(),
        a.decodeLaunchMs(),
        eff,
        launchMs);
  }

  /** {@code p} with {@code fit} for {@code collective} (all-reduce or send/recv) over a link. */
  static RooflineParams withLink(
      RooflineParams p, Operator collective, Link link, RooflineParams.LinkFit fit) {
    RooflineParams.Network n = p.network();
    Map<Link, RooflineParams.LinkFit> ar = new EnumMap<>(Link.class);
    Map<Link, RooflineParams.LinkFit> sr = new EnumMap<>(Link.class);
    ar.putAll(n.allReduce());
    sr.putAll(n.sendRecv());
    (collective == Operator.ALL_REDUCE ? ar : sr).put(link, fit);
    return new RooflineParams(
        p.gemm(),
        p.elementwise(),
        p.attention(),
        new RooflineParams.Network(ar, sr, n.defaultEff(), n.ncclLaunchMs()),
        0,
        p.source());
  }

  static RooflineParams.LinkFit linkOf(RooflineParams p, Operator collective, Link link) {
    return (collective == Operator.ALL_REDUCE ? p.network().allReduce() : p.network().sendRecv())
        .get(link);
  }
}
