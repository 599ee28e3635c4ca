/**
 * The per-operator regression interface ({@code OpRegressor}, {@code OpTrainer}) that the forest
 * and LightGBM predictors implement.
 */
package io.llmcap.predictors.model;
