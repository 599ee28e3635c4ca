/**
 * Collection during a run: {@link io.llmcap.metrics.MetricsCollector}, {@link
 * io.llmcap.metrics.RunListener}, early stopping, distributions, and the per-request, per-batch and
 * timeline writers. Summaries of a finished run are {@code io.llmcap.output}.
 */
package io.llmcap.metrics;
