package io.llmcap.search;

import java.io.Serializable;
import java.util.Objects;

/**
 * What the search measured for one deployment: its cost, the highest QPS meeting the SLOs and the
 * metrics measured there, the columns of the {@code deployments} dataset after the dimensions'.
 * Metrics are NaN when no QPS met the SLOs. {@code wallS} is host time, the only column that
 * differs between identical searches. {@code maxQpsLow, maxQpsHigh}: with {@code search.seeds} K >
 * 1, a {@link CapacitySearch#LEVEL 90%} prediction interval for the max QPS a search with another
 * seed finds; null when K = 1.
 *
 * <p>Appended after those (issue 14), what ran: {@code dtype} and {@code kvCacheDtype}, the formats
 * of the weights and the KV cache (a {@link io.llmcap.catalog.Precision} id, the checkpoint's own
 * when the search names none), {@code ep}, the expert-parallel degree (1: experts sharded, or a
 * dense model), and {@code priceBook}, the book {@code dollarsPerHour} comes from.
 */
public record DeploymentMetrics(
    int gpus,
    Double dollarsPerHour,
    double maxQps,
    Double maxQpsLow,
    Double maxQpsHigh,
    Double capacityPerDollar,
    String failingSlo,
    boolean nonMonotone,
    boolean bracketClosed,
    double ttftP50,
    double ttftP90,
    double ttftP99,
    double tbtP50,
    double tbtP99,
    double batchTimeP99,
    double tpotP50,
    double e2eP50,
    double e2eP90,
    double e2eP99,
    double schedulingDelayP99,
    double outputTokensPerS,
    double mfu,
    double kvUsageMean,
    double batchSizeMean,
    int probes,
    long simulatedRequests,
    double wallS,
    String dtype,
    String kvCacheDtype,
    int ep,
    String priceBook)
    implements Serializable {

  /** A part file of an older shape (without what ran) fails here, so that it is searched again. */
  public DeploymentMetrics {
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(kvCacheDtype, "kv_cache_dtype");
    Objects.requireNonNull(priceBook, "price_book");
  }
}
