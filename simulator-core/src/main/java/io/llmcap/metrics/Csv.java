package io.llmcap.metrics;

/** Number formatting shared by the CSV writers: shortest exact form, empty for NaN. */
final class Csv {
  private Csv() {}

  static String num(double v) {
    return Double.isNaN(v) ? "" : Double.toString(v);
  }
}
