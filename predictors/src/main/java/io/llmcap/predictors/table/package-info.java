/**
 * The table predictor: per-operator lookup tables over the token ranges the scheduler's rules
 * declare, and the {@code ProfilePredictor} built on them.
 */
package io.llmcap.predictors.table;
