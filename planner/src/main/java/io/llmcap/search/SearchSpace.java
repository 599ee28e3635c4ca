package io.llmcap.search;

import java.util.List;

/**
 * A capacity search, as written in {@code search-configs/*.yml}. Every deployment in the cartesian
 * product of models × clusters × TP × PP × replicas × schedulers × batch caps × workloads is
 * searched for its maximum QPS under the SLOs. Absent keys take the defaults documented in the
 * README; {@link SearchSpaces#load} fills them in.
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
    PredictorEntry predictor) {

  /** A model by catalog name, with TP degrees not to try for it. */
  public record ModelEntry(String name, List<Integer> excludeTp) {}

  /** A pool of GPUs of one SKU in nodes of one type; replicas come out of this budget. */
  public record ClusterEntry(String sku, String node, Integer gpus) {}

  /** A scheduler and the values of its knobs to try (each list multiplies the space). */
  public record SchedulerEntry(
      String type, List<Integer> chunkSizes, List<Integer> maxTokensInBatch) {}

  /**
   * A workload: a preset, a length trace or synthetic lengths, with Poisson arrivals whose rate the
   * search varies. {@code requests} is the number simulated per probe.
   */
  public record WorkloadEntry(
      String name,
      String preset,
      String traceFile,
      String lengthType,
      Integer prefillTokens,
      Integer decodeTokens,
      Integer requests,
      Integer maxTokens,
      Double startQps) {}

  /** Search knobs: relative bracket width at which bisection stops, and the probe budget. */
  public record SearchSettings(Double granularity, Integer maxProbes, Double minQps) {}

  /** Which op-time model the probes use. */
  public record PredictorEntry(String type, String profiles) {}
}
