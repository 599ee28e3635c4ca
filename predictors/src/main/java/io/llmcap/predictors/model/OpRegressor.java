package io.llmcap.predictors.model;

/** A trained operator-time model: features in the order of its training samples, time in ms. */
public interface OpRegressor {
  /** Predictions for many rows at once (batching is much faster for native models). */
  double[] predict(double[][] rows);
}
