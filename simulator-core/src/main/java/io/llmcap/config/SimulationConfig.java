package io.llmcap.config;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.databind.JsonNode;
import io.llmcap.base.ConfigException;
import java.util.Map;

/**
 * Everything one simulation needs, resolved: the file's values merged over {@code defaults.yaml}.
 * Keys in YAML are the snake_case forms of these component names.
 *
 * <p>Sections with a {@code plugins} component also hold the own config blocks of plug-in
 * implementations ({@link io.llmcap.plugin.Plugin}), by plug-in name; {@code routerOptions} does
 * the same for routers. {@link ConfigLoader} only lets through blocks of plug-ins on the classpath.
 */
public record SimulationConfig(
    String name,
    long seed,
    double timeLimit,
    ClusterConfig cluster,
    String router,
    Map<String, JsonNode> routerOptions,
    SchedulerConfig scheduler,
    WorkloadConfig workload,
    PredictorConfig predictor,
    MetricsConfig metrics,
    SpeculativeConfig speculative) {

  /**
   * The deployment: which model on which hardware, sharded how, replicated how often, stored in
   * which formats ({@code dtype} null: the checkpoint's own; {@code kvCacheDtype} {@code auto}: the
   * weights' 16-bit format).
   */
  public record ClusterConfig(
      String model,
      String sku,
      String node,
      int tensorParallel,
      int pipelineParallel,
      int replicas,
      double memoryMargin,
      int expertParallel,
      int dataParallel,
      String dtype,
      String kvCacheDtype,
      DisaggregationConfig disaggregation) {

    /** True when prefill and decode run on separate pools ({@code disaggregation} set). */
    public boolean disaggregated() {
      return disaggregation != null;
    }
  }

  /**
   * Disaggregated prefill and decode: a request prefills on a replica of the {@code prefill} pool,
   * its KV cache moves to a replica of the {@code decode} pool, and it decodes there. Model, dtype
   * and KV-cache dtype are the cluster's; see docs/disaggregation.md.
   *
   * @param prefillRouter round_robin | random | lor
   * @param decodeRouter round_robin | lor | free_kv (the replica with the most free KV blocks)
   * @param firstToken which side streams the first token to the client: decode (vLLM's and SGLang's
   *     disaggregated serving) or prefill
   * @param layerwiseTransfer the transfer of each layer's KV overlaps the prefill of later layers
   */
  public record DisaggregationConfig(
      PoolConfig prefill,
      PoolConfig decode,
      String prefillRouter,
      String decodeRouter,
      String firstToken,
      Boolean layerwiseTransfer) {
    public static final String DECODE = "decode";
    public static final String PREFILL = "prefill";
    public static final String FREE_KV = "free_kv";

    /** Null keys take their defaults (llmcap/disaggregation.yaml), for configs built in code. */
    public DisaggregationConfig {
      prefillRouter = prefillRouter != null ? prefillRouter : "round_robin";
      decodeRouter = decodeRouter != null ? decodeRouter : FREE_KV;
      firstToken = firstToken != null ? firstToken : DECODE;
      layerwiseTransfer = layerwiseTransfer != null && layerwiseTransfer;
    }
  }

  /**
   * One pool of a disaggregated deployment; a null key takes the cluster's value ({@code sku},
   * {@code node}, {@code tensor_parallel}, {@code pipeline_parallel}), 1 ({@code expert_parallel},
   * {@code replicas}) or the scheduler section's ({@code batch_size_cap}, {@code chunk_size}).
   */
  public record PoolConfig(
      String sku,
      String node,
      Integer tensorParallel,
      Integer pipelineParallel,
      Integer expertParallel,
      Integer replicas,
      Integer batchSizeCap,
      Integer chunkSize) {}

  /** The replica scheduler and its knobs; each knob says which schedulers read it. */
  public record SchedulerConfig(
      String type,
      int batchSizeCap,
      int blockSize,
      double watermarkFraction,
      Integer numBlocks,
      int chunkSize,
      int maxTokensInBatch,
      int maxWaitingIters,
      boolean prefixCaching,
      boolean asyncScheduling,
      double cpuOffloadGib,
      @JsonAnySetter Map<String, JsonNode> plugins) {}

  /** Where requests come from: a preset, synthetic generators, or a trace to replay. */
  public record WorkloadConfig(
      String preset,
      Integer numRequests,
      Double duration,
      int maxTokens,
      LengthConfig length,
      IntervalConfig interval,
      TraceConfig trace,
      Integer concurrency,
      double thinkTime,
      SharedPrefixConfig sharedPrefix,
      SessionConfig sessions) {}

  /**
   * Multi-turn sessions (docs/sessions.md): {@code chat} conversations, whose every turn sends the
   * whole history plus new user tokens after a think time, and {@code agent} sessions, many short
   * calls on one growing context separated by tool-call delays; {@code trace} replays an llmcap
   * session file. Turn k + 1 is sent only when turn k has completed. {@code none}: every request
   * stands alone. Session starts follow {@code workload.interval} at qps / mean turns, so the
   * interval's qps stays requests per second in the long run.
   *
   * @param preset a fitted parameter set (docs/sessions.md names each one's source), or null
   * @param systemPrompts distinct system prompts the sessions draw from (uniformly)
   * @param turns mean turns (calls) per session, geometric, at least 1
   * @param inputTokens mean new tokens a turn adds (the user's message, a tool's result)
   * @param firstInputTokens mean new tokens of a session's first turn
   * @param outputTokens mean tokens generated per turn
   * @param lengthCv coefficient of variation of the three token counts (lognormal; 0 = fixed)
   * @param thinkTime mean seconds between a turn's completion and the next turn (exponential)
   */
  public record SessionConfig(
      String type,
      String preset,
      String file,
      int systemPrompts,
      int systemPromptTokens,
      double turns,
      double firstInputTokens,
      double inputTokens,
      double outputTokens,
      double lengthCv,
      double thinkTime) {}

  /**
   * Prompts that share system prompts, as inference-perf's shared-prefix workload builds them:
   * {@code groups} × {@code usersPerGroup} distinct prompts, each its group's {@code prefixTokens}
   * system prompt followed by its user's question; 0 groups means every prompt is new.
   */
  public record SharedPrefixConfig(int groups, int usersPerGroup, int prefixTokens) {}

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
      double decodeScale,
      @JsonAnySetter Map<String, JsonNode> plugins) {

    public LengthConfig(
        String type,
        int prefillTokens,
        int decodeTokens,
        int minTokens,
        double prefillToDecodeRatio,
        double theta,
        String file,
        double prefillScale,
        double decodeScale) {
      this(
          type,
          prefillTokens,
          decodeTokens,
          minTokens,
          prefillToDecodeRatio,
          theta,
          file,
          prefillScale,
          decodeScale,
          Map.of());
    }
  }

  /** Synthetic arrivals. */
  public record IntervalConfig(
      String type,
      double qps,
      double cv,
      String file,
      double timeScale,
      @JsonAnySetter Map<String, JsonNode> plugins) {

    public IntervalConfig(String type, double qps, double cv, String file, double timeScale) {
      this(type, qps, cv, file, timeScale, Map.of());
    }
  }

  /** Trace replay: arrivals and lengths both from a file. Null file means synthetic. */
  public record TraceConfig(
      String file, String format, double timeScale, double prefillScale, double decodeScale) {}

  /** Which op-time model predicts batch times. */
  public record PredictorConfig(
      String type, String profiles, @JsonAnySetter Map<String, JsonNode> plugins) {

    public PredictorConfig(String type, String profiles) {
      this(type, profiles, Map.of());
    }
  }

  /**
   * Speculative decoding: {@code method} none, draft_model or ngram; {@code numSpeculativeTokens}
   * proposed per decode step; {@code acceptanceRate} per proposed token, or per request from the
   * {@code acceptanceTrace} CSV (column {@code acceptance_rate}, cycled by request id).
   */
  public record SpeculativeConfig(
      String method,
      String draftModel,
      int numSpeculativeTokens,
      double acceptanceRate,
      String acceptanceTrace) {}

  /**
   * Which optional outputs to write and how: {@code format} of the per-request, per-batch and
   * timeline tables ({@code parquet} or {@code csv}); the Chrome trace holds the first {@code
   * traceBatches} batches (0 = every batch, then gzip-compressed).
   */
  public record MetricsConfig(
      boolean batchMetrics, boolean chromeTrace, String format, int traceBatches) {
    public static final String PARQUET = "parquet";
    public static final String CSV = "csv";

    public MetricsConfig {
      format = format == null ? PARQUET : format;
      if (!format.equals(PARQUET) && !format.equals(CSV)) {
        throw ConfigException.invalid("metrics.format", format, PARQUET + ", " + CSV);
      }
      if (traceBatches < 0) {
        throw ConfigException.invalid(
            "metrics.trace_batches", traceBatches, "a count >= 0 (0 = every batch)");
      }
    }

    public MetricsConfig(boolean batchMetrics, boolean chromeTrace) {
      this(batchMetrics, chromeTrace, PARQUET, DEFAULT_TRACE_BATCHES);
    }

    /**
     * Batches in the default trace: a file of about 30 MB that Perfetto and chrome://tracing open.
     */
    public static final int DEFAULT_TRACE_BATCHES = 50_000;

    public boolean csv() {
      return format.equals(CSV);
    }
  }
}
