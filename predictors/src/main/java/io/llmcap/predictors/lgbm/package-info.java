/**
 * LightGBM operator models: training, the native library, the model cache and held-out evaluation.
 */
package io.llmcap.predictors.lgbm;
