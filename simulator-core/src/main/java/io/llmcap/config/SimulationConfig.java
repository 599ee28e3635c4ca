package io.llmcap.config;

/**
 * Everything one simulation needs, resolved: the file's values merged over {@code defaults.yaml}.
 * Keys in YAML are the snake_case forms of these component names.
 */
public record SimulationConfig(
    String name,
    long seed,
    double timeLimit,
    ClusterConfig cluster,
    String router,
    SchedulerConfig scheduler,
    WorkloadConfig workload,
    PredictorConfig predictor,
    MetricsConfig metrics) {

  /** The deployment: which model on which hardware, sharded how, replicated how often. */
  public record ClusterConfig(
      String model,
      String sku,
      String node,
      int tensorParallel,
      int pipelineParallel,
      int replicas,
      double memoryMargin) {}

  /** The replica scheduler and its knobs; each knob says which schedulers read it. */
  public record SchedulerConfig(
      String type,
      int batchSizeCap,
      int blockSize,
      double watermarkFraction,
      Integer numBlocks,
      int chunkSize,
      int maxTokensInBatch,
      int maxWaitingIters) {}

  /** Where requests come from: a preset, synthetic generators, or a trace to replay. */
  public record WorkloadConfig(
      String preset,
      Integer numRequests,
      Double duration,
      int maxTokens,
      LengthConfig length,
      IntervalConfig interval,
      TraceConfig trace) {}

  /** Synthetic request lengths. */
  public record LengthConfig(
      String type,
      int prefillTokens,
      int decodeTokens,
      int minTokens,
      double prefillToDecodeRatio,
      double theta,
      String file,
      double prefillScale,
      double decodeScale) {}

  /** Synthetic arrivals. */
  public record IntervalConfig(String type, double qps, double cv, String file, double timeScale) {}

  /** Trace replay: arrivals and lengths both from a file. Null file means synthetic. */
  public record TraceConfig(
      String file, String format, double timeScale, double prefillScale, double decodeScale) {}

  /** Which op-time model predicts batch times. */
  public record PredictorConfig(String type, String profiles) {}

  /** Which optional outputs to write. */
  public record MetricsConfig(boolean batchMetrics, boolean chromeTrace) {}
}
