package io.llmcap.search;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * A capacity search, as written in {@code search-configs/*.yml}. Every deployment in the cartesian
 * product of models × clusters × TP × PP × replicas × schedulers × batch caps × workloads ×
 * speculative-decoding settings is searched for its maximum QPS under the SLOs. Absent keys take
 * the defaults documented in the README; {@link SearchSpaces#load} fills them in. Serializable,
 * like every record a search task carries, because Spark ships tasks and results with Java
 * serialization. {@code dimensions} holds the values of the {@link Dimension}s that read their own
 * key (none of the built-in ones), by key; it is not a key of the YAML.
 */
public record SearchSpace(
    String name,
    Long seed,
    List<ModelEntry> models,
    List<ClusterEntry> clusters,
    List<Integer> tensorParallel,
    List<Integer> pipelineParallel,
    List<Integer> replicas,
    List<SchedulerEntry> schedulers,
    List<Integer> batchSizeCaps,
    List<WorkloadEntry> workloads,
    String priceBook,
    List<Slo> slos,
    SearchSettings search,
    PredictorEntry predictor,
    List<SpeculativeEntry> speculative,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, List<Object>> dimensions)
    implements Serializable {

  /** A model by catalog name, with TP degrees not to try for it. */
  public record ModelEntry(String name, List<Integer> excludeTp) implements Serializable {}

  /** A pool of GPUs of one SKU in nodes of one type; replicas come out of this budget. */
  public record ClusterEntry(String sku, String node, Integer gpus) implements Serializable {}

  /** A scheduler and the values of its knobs to try (each list multiplies the space). */
  public record SchedulerEntry(
      String type, List<Integer> chunkSizes, List<Integer> maxTokensInBatch)
      implements Serializable {}

  /**
   * A workload: a preset, a length trace or synthetic lengths, with Poisson arrivals whose rate the
   * search varies. A probe simulates {@code requests} requests, or more when {@code minDuration}
   * seconds of arrivals at the probe's QPS need more: a fixed count at a high QPS arrives as one
   * burst that a big deployment drains within the SLOs however high the QPS, so only a long enough
   * stretch of arrivals shows whether the deployment keeps up.
   */
  public record WorkloadEntry(
      String name,
      String preset,
      String traceFile,
      String lengthType,
      Integer prefillTokens,
      Integer decodeTokens,
      Integer requests,
      Double minDuration,
      Integer maxTokens,
      Double startQps,
      @JsonInclude(JsonInclude.Include.NON_NULL) SessionsEntry sessions)
      implements Serializable {

    /** A workload of single requests (no sessions). */
    public WorkloadEntry(
        String name,
        String preset,
        String traceFile,
        String lengthType,
        Integer prefillTokens,
        Integer decodeTokens,
        Integer requests,
        Double minDuration,
        Integer maxTokens,
        Double startQps) {
      this(
          name,
          preset,
          traceFile,
          lengthType,
          prefillTokens,
          decodeTokens,
          requests,
          minDuration,
          maxTokens,
          startQps,
          null);
    }

    /**
     * The text the deployment id hashes: the record's text as it was before {@code sessions}
     * existed, so that the ids of workloads without sessions stay as they were, and the sessions
     * block's when there is one.
     */
    public String idText() {
      return "WorkloadEntry[name="
          + name
          + ", preset="
          + preset
          + ", traceFile="
          + traceFile
          + ", lengthType="
          + lengthType
          + ", prefillTokens="
          + prefillTokens
          + ", decodeTokens="
          + decodeTokens
          + ", requests="
          + requests
          + ", minDuration="
          + minDuration
          + ", maxTokens="
          + maxTokens
          + ", startQps="
          + startQps
          + (sessions == null ? "" : ", sessions=" + sessions)
          + "]";
    }
  }

  /**
   * Multi-turn sessions of a workload: the run config's {@code workload.sessions} block
   * (docs/sessions.md), each key null to keep its default. {@code interval.qps} stays requests per
   * second: sessions start at the probe's QPS / mean turns. {@code file} is relative to the search
   * config's folder.
   */
  public record SessionsEntry(
      String type,
      String preset,
      String file,
      Integer systemPrompts,
      Integer systemPromptTokens,
      Double turns,
      Double firstInputTokens,
      Double inputTokens,
      Double outputTokens,
      Double lengthCv,
      Double thinkTime)
      implements Serializable {}

  /**
   * Bisection settings. {@code earlyStop}: end a probe's simulation once a per-request SLO (ttft,
   * e2e, scheduling_delay) is certainly missed; it changes no pass/fail verdict, only the time a
   * failing probe takes. {@code seeds}: K seeds for the decisive probes, giving {@code max_qps_low}
   * and {@code max_qps_high} when K > 1 ({@link CapacitySearch}). {@code estimate}: start from a
   * capacity estimate (a short saturated simulation) instead of the workload's {@code start_qps}.
   */
  public record SearchSettings(
      Double granularity,
      Integer maxProbes,
      Double minQps,
      Boolean earlyStop,
      Integer seeds,
      Boolean estimate)
      implements Serializable {

    /** One seed, no estimate. */
    public SearchSettings(Double granularity, Integer maxProbes, Double minQps, Boolean earlyStop) {
      this(granularity, maxProbes, minQps, earlyStop, 1, false);
    }
  }

  /**
   * One speculative-decoding setting to try, as the simulation config's {@code speculative} block;
   * {@code method: none} (or k = 0) is plain decoding.
   */
  public record SpeculativeEntry(
      String method, String draftModel, Integer numSpeculativeTokens, Double acceptanceRate)
      implements Serializable {

    /** True when requests speculate: a method other than none and k ≥ 1. */
    public boolean speculates() {
      return !"none".equals(method) && numSpeculativeTokens != null && numSpeculativeTokens > 0;
    }
  }

  /** Which op-time model the probes use. */
  public record PredictorEntry(String type, String profiles) implements Serializable {}
}
