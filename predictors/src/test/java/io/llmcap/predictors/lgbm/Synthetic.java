package io.llmcap.predictors.lgbm;

import io.llmcap.predictors.profile.OpSamples;
import java.util.ArrayList;
import java.util.List;

/** Operator samples made up for the tests: GEMM-like times over a reference-like token grid. */
final class Synthetic {
  private Synthetic() {}

  /** Tokens 1, 2, 4, 8, then every 16 up to 4096 (about 260 rows). */
  static double[] tokens() {
    List<Double> t = new ArrayList<>(List.of(1.0, 2.0, 4.0, 8.0));
    for (int x = 16; x <= 4096; x += 16) {
      t.add((double) x);
    }
    return t.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** Flat at small token counts, then linear, with ±2% deterministic "measurement noise". */
  static double gemmMs(double tokens, int i) {
    return Math.max(0.05, 0.002 * tokens) * (1 + 0.02 * Math.sin(i * 12.9898));
  }

  static OpSamples gemm() {
    double[] t = tokens();
    double[][] f = new double[t.length][];
    double[] y = new double[t.length];
    for (int i = 0; i < t.length; i++) {
      f[i] = new double[] {t[i]};
      y[i] = gemmMs(t[i], i);
    }
    return new OpSamples("mlp_up_proj", new String[] {"num_tokens"}, f, y, "synthetic");
  }

  static OpSamples of(String op, double[] x, double[] y) {
    double[][] f = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      f[i] = new double[] {x[i]};
    }
    return new OpSamples(op, new String[] {"num_tokens"}, f, y, "synthetic");
  }
}
