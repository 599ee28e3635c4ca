/**
 * The roofline predictor: per-operator compute/memory bounds with calibrated efficiencies and
 * links, and a writer of synthetic profiles.
 */
package io.llmcap.predictors.roofline;
