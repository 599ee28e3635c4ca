package io.llmcap.predictors.calibration;

import io.llmcap.predictors.roofline.RooflineOps;
import io.llmcap.predictors.roofline.RooflineParams;
import io.llmcap.timing.Operator;
import java.util.List;
import java.util.function.Function;

/**
 * Measured rows of one deployment, with the roofline of that deployment under given parameters: the
 * unit every fit and every error figure works on.
 */
record Rows(Function<RooflineParams, RooflineOps> ops, List<Rows.Sample> samples) {

  /** One measured row: the op, its profile features, the median time and whether it is held out. */
  record Sample(Operator op, double[] x, double y, boolean test) {}

  boolean isEmpty() {
    return samples.isEmpty();
  }

  static boolean allEmpty(List<Rows> rows) {
    return rows.stream().allMatch(Rows::isEmpty);
  }
}
