package io.llmcap.predictors.lgbm;

/** Mean absolute percentage error as the reference defines it. */
public final class Mape {
  private Mape() {}

  /**
   * Mean over rows of {@code |y - ŷ| / y · 100}; a row with {@code y == 0} counts 0 when {@code ŷ
   * == 0} and 100 otherwise. NaN for no rows.
   */
  public static double of(double[] actual, double[] predicted) {
    if (actual.length != predicted.length) {
      throw new IllegalArgumentException(
          actual.length + " targets, " + predicted.length + " predictions");
    }
    double sum = 0;
    for (int i = 0; i < actual.length; i++) {
      double y = actual[i];
      sum +=
          y == 0 ? (predicted[i] == 0 ? 0 : 100) : Math.abs(y - predicted[i]) / Math.abs(y) * 100;
    }
    return actual.length == 0 ? Double.NaN : sum / actual.length;
  }
}
