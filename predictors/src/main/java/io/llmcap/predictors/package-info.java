/**
 * The predictor module's entry point: {@link io.llmcap.predictors.Predictors} registers the
 * built-in execution-time predictors with simulator-core's predictor seam.
 */
package io.llmcap.predictors;
