/**
 * Reading profiled operator timings: the profile folder layout, its CSVs and per-operator samples.
 */
package io.llmcap.predictors.profile;
