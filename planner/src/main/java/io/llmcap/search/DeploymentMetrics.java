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
 *
 * <p>Appended after those (issue 15), the layout: {@code layout} is {@link #AGGREGATED} or {@link
 * #DISAGGREGATED}; for a disaggregated deployment, each pool's SKU, node type, TP, PP, EP degree
 * and replicas ({@code prefill_*}, {@code decode_*}; the row's {@code sku}, {@code node}, {@code
 * tp}, {@code pp} and {@code replicas} are the prefill pool's, {@code gpus} and {@code
 * dollars_per_hour} both pools'), and at the max QPS the KV transfer time from prefill to decode
 * ({@code kv_transfer_*}, seconds per request) and the wait for KV room on the decode side ({@code
 * decode_kv_wait_*}). All of those are empty for an aggregated row.
 *
 * <p>Appended after those (issue 16), the routing and the prefix cache: {@code router}, the router
 * that ran (a disaggregated layout's prefill router), {@code routerOptions}, its options block as
 * the search gave it (canonical JSON; null: the router's defaults), {@code cpuOffloadGib}, the
 * host-memory KV tier per replica (0: none), and at the max QPS the share of the completed
 * requests' prompt tokens taken from the prefix cache: {@code prefixHitRate} from either tier,
 * {@code prefixHitRateGpu} from the GPU's, {@code prefixHitRateCpu} loaded back from host memory
 * (gpu + cpu = either tier). The hit rates are null when no replica caches prefixes or no QPS met
 * the SLOs.
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
    String priceBook,
    String layout,
    String prefillSku,
    String prefillNode,
    Integer prefillTp,
    Integer prefillPp,
    Integer prefillEp,
    Integer prefillReplicas,
    String decodeSku,
    String decodeNode,
    Integer decodeTp,
    Integer decodePp,
    Integer decodeEp,
    Integer decodeReplicas,
    double kvTransferP50,
    double kvTransferP90,
    double kvTransferP99,
    double kvTransferMean,
    double decodeKvWaitP99,
    double decodeKvWaitMean,
    String router,
    String routerOptions,
    double cpuOffloadGib,
    double prefixHitRate,
    double prefixHitRateGpu,
    double prefixHitRateCpu)
    implements Serializable {

  public static final String AGGREGATED = "aggregated";
  public static final String DISAGGREGATED = "disaggregated";

  /** A part file of an older shape (without what ran) fails here, so that it is searched again. */
  public DeploymentMetrics {
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(kvCacheDtype, "kv_cache_dtype");
    Objects.requireNonNull(priceBook, "price_book");
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(router, "router");
  }

  /**
   * An aggregated deployment's metrics: the layout columns empty, round-robin routing without a CPU
   * tier or prefix hits.
   */
  public DeploymentMetrics(
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
      String priceBook) {
    this(
        gpus,
        dollarsPerHour,
        maxQps,
        maxQpsLow,
        maxQpsHigh,
        capacityPerDollar,
        failingSlo,
        nonMonotone,
        bracketClosed,
        ttftP50,
        ttftP90,
        ttftP99,
        tbtP50,
        tbtP99,
        batchTimeP99,
        tpotP50,
        e2eP50,
        e2eP90,
        e2eP99,
        schedulingDelayP99,
        outputTokensPerS,
        mfu,
        kvUsageMean,
        batchSizeMean,
        probes,
        simulatedRequests,
        wallS,
        dtype,
        kvCacheDtype,
        ep,
        priceBook,
        AGGREGATED,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        RouterDimension.DEFAULT,
        null,
        0,
        Double.NaN,
        Double.NaN,
        Double.NaN);
  }

  /** Whether the deployment splits prefill and decode into two pools. */
  public boolean disaggregated() {
    return DISAGGREGATED.equals(layout);
  }
}
