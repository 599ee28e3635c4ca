/** Validation of predictions against measured runs: manifests, comparisons and the report. */
package io.llmcap.validate;
