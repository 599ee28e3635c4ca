package io.llmcap.predictors.model;

import io.llmcap.predictors.profile.OpSamples;

/** Fits an {@link OpRegressor} to one operator's samples. Must be deterministic. */
public interface OpTrainer {
  OpRegressor train(OpSamples samples);
}
