package io.llmcap.workload;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Lengths from a fitted {@link Fit}: each marginal is a piecewise-linear inverse CDF in ln(tokens)
 * over the knot probabilities {@link #PROBABILITIES}, and a Gaussian copula with correlation {@link
 * Fit#copulaR} couples prompt and output. Needs no trace file at run time.
 */
public final class PresetLengths implements LengthGenerator {
  /** Where the knots sit on the CDF: every 2.5 %, plus finer steps in both tails. */
  static final double[] PROBABILITIES = {
    0.0, 0.001, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.125, 0.15, 0.175, 0.2, 0.225, 0.25, 0.275,
    0.3, 0.325, 0.35, 0.375, 0.4, 0.425, 0.45, 0.475, 0.5, 0.525, 0.55, 0.575, 0.6, 0.625, 0.65,
    0.675, 0.7, 0.725, 0.75, 0.775, 0.8, 0.825, 0.85, 0.875, 0.9, 0.925, 0.95, 0.975, 0.99, 0.995,
    0.999, 1.0
  };

  private static final double[] ERFC = {
    -1.26551223,
    1.00002368,
    0.37409196,
    0.09678418,
    -0.18628806,
    0.27886807,
    -1.13520398,
    1.48851587,
    -0.82215223,
    0.17087277
  };

  /**
   * A fitted joint distribution: token counts at {@link #PROBABILITIES} for prompt and output, and
   * the copula correlation that reproduces their Spearman rank correlation.
   */
  public record Fit(double[] prefillKnots, double[] decodeKnots, double copulaR) {
    public Fit {
      if (prefillKnots.length != PROBABILITIES.length
          || decodeKnots.length != PROBABILITIES.length) {
        throw new IllegalArgumentException("need " + PROBABILITIES.length + " knots per marginal");
      }
      if (!(Math.abs(copulaR) < 1)) {
        throw new IllegalArgumentException("copula correlation must be in (-1, 1): " + copulaR);
      }
    }
  }

  private final double[] lnPrefill;
  private final double[] lnDecode;
  private final double r;
  private final double rComplement;
  private final SplittableRandom random;

  public PresetLengths(Fit fit, long seed) {
    this.lnPrefill = Arrays.stream(fit.prefillKnots()).map(Math::log).toArray();
    this.lnDecode = Arrays.stream(fit.decodeKnots()).map(Math::log).toArray();
    this.r = fit.copulaR();
    this.rComplement = Math.sqrt(1 - r * r);
    this.random = new SplittableRandom(seed);
  }

  @Override
  public Lengths next() {
    double z1 = random.nextGaussian();
    double z2 = r * z1 + rComplement * random.nextGaussian();
    return new Lengths(invert(lnPrefill, phi(z1)), invert(lnDecode, phi(z2)));
  }

  private static int invert(double[] lnKnots, double u) {
    int i = Arrays.binarySearch(PROBABILITIES, u);
    // Position of the segment [PROBABILITIES[i], PROBABILITIES[i + 1]] that holds u.
    i = Math.min(i >= 0 ? i : -i - 2, PROBABILITIES.length - 2);
    double t = (u - PROBABILITIES[i]) / (PROBABILITIES[i + 1] - PROBABILITIES[i]);
    double ln = lnKnots[i] + t * (lnKnots[i + 1] - lnKnots[i]);
    return (int) Math.max(1, Math.round(Math.exp(ln)));
  }

  /** Standard normal CDF. */
  static double phi(double z) {
    return 0.5 * erfc(-z / Math.sqrt(2));
  }

  /** Complementary error function (Numerical Recipes' erfcc), relative error below 1.2e-7. */
  private static double erfc(double x) {
    double z = Math.abs(x);
    double t = 1 / (1 + 0.5 * z);
    double poly = 0;
    for (int i = ERFC.length - 1; i >= 0; i--) {
      poly = ERFC[i] + t * poly;
    }
    double ans = t * Math.exp(-z * z + poly);
    return x >= 0 ? ans : 2 - ans;
  }
}
