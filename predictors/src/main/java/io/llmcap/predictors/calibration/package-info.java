/**
 * Fitting roofline parameters to profiles, one class per job: data discovery and filtering, compute
 * and network fitting, the report.
 */
package io.llmcap.predictors.calibration;
