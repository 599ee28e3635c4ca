package io.llmcap.timing;

import io.llmcap.catalog.Deployment;

/**
 * How the operators of a batch add up to one pipeline stage's {@link ExecutionTime}, written once
 * for every predictor: the split of a batch into prefill chunks (speculative verify passes
 * included, which attend like a chunk over their KV prefix) and decodes, and which operators a
 * stage runs: attention of a phase only when the batch has requests of it, the all-reduce only
 * under TP, the send/recv only on non-last stages, the post-attention norm only for models that
 * have one, the dense FFN on dense layers and the MoE ops on MoE layers, each timed as its share of
 * the stage's layers ({@link Operator.Condition}). A predictor supplies only the cost of each
 * operator ({@link BatchCosts}).
 *
 * <p>Sliding-window layers ({@code ModelSpec.slidingWindow()}) attend to at most {@code window}
 * keys per query: their attention is costed on a second {@link BatchCosts} told each request
 * through {@link BatchCosts#prefillWindowed} and {@link BatchCosts#decodeWindowed}, and an
 * attention operator's time per layer is the layer-weighted mean of the full and the windowed
 * costs. Every other operator is the same on both kinds of layer.
 */
public final class StageComposer {
  private static final Operator[] STAGE_OPS = stageOps();

  private final int layers;
  private final int pp;
  private final boolean tensorParallel;
  private final boolean postAttnNorm;
  private final boolean dataParallel;
  // MoE layers of each stage; null for a dense model (every layer has a dense FFN).
  private final int[] moeLayers;
  private final int slidingLayers;
  private final int window;

  /** A dense model's stages with full attention. */
  public StageComposer(int layers, int pp, boolean tensorParallel, boolean postAttnNorm) {
    this(layers, pp, tensorParallel, postAttnNorm, false, null, 0, 0);
  }

  /**
   * @param dataParallel attention data parallelism ({@code dp > 1})
   * @param moeLayers the MoE layers of each stage, or null for a dense model
   * @param slidingLayers layers of a stage that attend over the last {@code window} tokens only
   */
  public StageComposer(
      int layers,
      int pp,
      boolean tensorParallel,
      boolean postAttnNorm,
      boolean dataParallel,
      int[] moeLayers,
      int slidingLayers,
      int window) {
    if (slidingLayers < 0 || slidingLayers > layers || (slidingLayers > 0 && window <= 0)) {
      throw new IllegalArgumentException(
          slidingLayers + " sliding layers of " + layers + " with window " + window);
    }
    this.layers = layers;
    this.pp = pp;
    this.tensorParallel = tensorParallel;
    this.postAttnNorm = postAttnNorm;
    this.dataParallel = dataParallel;
    this.moeLayers = moeLayers == null ? null : moeLayers.clone();
    this.slidingLayers = slidingLayers;
    this.window = window;
  }

  /**
   * The composition of a deployment's stages: its layers per stage (which of them are MoE, how many
   * slide), PP, TP, DP and model.
   */
  public static StageComposer of(Deployment deployment) {
    int[] moe = null;
    if (deployment.model().isMoe()) {
      moe = new int[deployment.pp()];
      for (int s = 0; s < moe.length; s++) {
        moe[s] = deployment.moeLayers(s);
      }
    }
    int sliding = deployment.slidingLayersPerStage();
    return new StageComposer(
        deployment.layersPerStage(),
        deployment.pp(),
        deployment.tp() > 1,
        deployment.model().postAttnNorm(),
        deployment.dp() > 1,
        moe,
        sliding,
        sliding == 0 ? 0 : deployment.model().slidingWindow().window());
  }

  /**
   * True when some layers attend over a window: pass a second {@link BatchCosts} to {@link
   * #compose(BatchView, int, BatchCosts, BatchCosts)}.
   */
  public boolean windowed() {
    return slidingLayers > 0;
  }

  private static Operator[] stageOps() {
    return java.util.Arrays.stream(Operator.values())
        .filter(Operator::inStage)
        .toArray(Operator[]::new);
  }

  /**
   * One predictor's costs of one batch: first told each request ({@link #prefill} or {@link
   * #decode}, in batch order), then asked the time of each operator the stage runs.
   */
  public interface BatchCosts {
    /** A prefill chunk or a verify pass of {@code chunk} tokens after {@code processed} ones. */
    void prefill(int chunk, int processed);

    /** A decode of a request with {@code processed} tokens in its KV cache. */
    void decode(int processed);

    /**
     * Milliseconds of {@code op} for the batch (per layer, or per stage for stage and host ops);
     * {@code totalTokens} is the batch's token count. Called only for the operators the stage runs,
     * attention of a phase only when the batch has requests of that phase.
     */
    double ms(Operator op, int totalTokens);

    /**
     * On sliding-window layers: a prefill chunk of {@code chunk} queries after {@code processed}
     * tokens whose every query attends to its last {@code window} tokens. By default as causal
     * chunks ({@link #prefill}) over the same query-key pairs: the queries still inside the first
     * window as they are, then pieces of at most {@code window} queries, each after {@code window −
     * (q + 1) / 2} tokens (q (window − (q + 1) / 2) + q (q + 1) / 2 = q · window pairs).
     */
    default void prefillWindowed(int chunk, int processed, int window) {
      int inside = Math.max(0, Math.min(chunk, window - processed));
      if (inside > 0) {
        prefill(inside, processed);
      }
      int rest = chunk - inside;
      while (rest > 0) {
        int q = Math.min(rest, window);
        prefill(q, window - (q + 1) / 2);
        rest -= q;
      }
    }

    /** On sliding-window layers: a decode that attends to at most {@code window} tokens. */
    default void decodeWindowed(int processed, int window) {
      decode(Math.min(processed, window - 1));
    }
  }

  /**
   * The time of {@code batch} on pipeline stage {@code stage} (0-based) under {@code costs}; a
   * model with sliding-window layers is costed as if they attended to the whole context.
   */
  public ExecutionTime compose(BatchView batch, int stage, BatchCosts costs) {
    return compose(batch, stage, costs, null);
  }

  /**
   * The time of {@code batch} on stage {@code stage}: {@code costs} for full-attention layers and
   * every non-attention operator, {@code windowed} (a fresh {@link BatchCosts} of the same
   * predictor, or null) for the attention of sliding-window layers.
   */
  public ExecutionTime compose(BatchView batch, int stage, BatchCosts costs, BatchCosts windowed) {
    if (stage < 0 || stage >= pp) {
      throw new IllegalArgumentException("stage " + stage + " outside 0.." + (pp - 1));
    }
    boolean slides = windowed != null && slidingLayers > 0;
    int n = batch.size();
    int prefills = 0;
    int decodes = 0;
    for (int i = 0; i < n; i++) {
      int processed = batch.processedBefore(i);
      if (batch.isPrefill(i) || batch.isVerify(i)) {
        costs.prefill(batch.numTokens(i), processed);
        if (slides) {
          windowed.prefillWindowed(batch.numTokens(i), processed, window);
        }
        prefills++;
      } else {
        costs.decode(processed);
        if (slides) {
          windowed.decodeWindowed(processed, window);
        }
        decodes++;
      }
    }
    int total = batch.totalTokens();
    double[] ms = new double[Operator.COUNT];
    for (Operator op : STAGE_OPS) {
      if (runs(op, stage, prefills, decodes)) {
        ms[op.ordinal()] =
            slides && op.phase() != Operator.Phase.TOKENS
                ? windowedMean(op, total, costs, windowed)
                : costs.ms(op, total) * layerShare(op, stage);
      }
    }
    return new ExecutionTime(layers, ms);
  }

  /**
   * An attention op's time per layer: the layer-weighted mean of full and windowed attention (the
   * full cost is not asked when every layer slides).
   */
  private double windowedMean(Operator op, int total, BatchCosts costs, BatchCosts windowed) {
    int full = layers - slidingLayers;
    double slide = slidingLayers * windowed.ms(op, total);
    return (full == 0 ? slide : full * costs.ms(op, total) + slide) / layers;
  }

  /**
   * The share of the stage's layers an FFN op runs on: per-layer times are averaged over the stage,
   * so a stage of d dense and m MoE layers times the dense FFN d / (d + m) and the MoE ops m / (d +
   * m) of its layers. 1 for every op of a dense model.
   */
  private double layerShare(Operator op, int stage) {
    if (moeLayers == null) {
      return 1;
    }
    return switch (op.condition()) {
      case DENSE_FFN -> (double) (layers - moeLayers[stage]) / layers;
      case MOE, MOE_DATA_PARALLEL -> (double) moeLayers[stage] / layers;
      default -> 1;
    };
  }

  private boolean runs(Operator op, int stage, int prefills, int decodes) {
    boolean phase =
        switch (op.phase()) {
          case TOKENS -> true;
          case PREFILL -> prefills > 0;
          case DECODE -> decodes > 0;
        };
    boolean condition =
        switch (op.condition()) {
          case ALWAYS -> true;
          case TENSOR_PARALLEL -> tensorParallel;
          case NOT_LAST_STAGE -> stage < pp - 1;
          case POST_ATTN_NORM -> postAttnNorm;
          case DENSE_FFN -> moeLayers == null || moeLayers[stage] < layers;
          case MOE -> moeLayers != null && moeLayers[stage] > 0;
          case MOE_DATA_PARALLEL -> moeLayers != null && moeLayers[stage] > 0 && dataParallel;
        };
    return phase && condition;
  }

  public int layers() {
    return layers;
  }

  public int pp() {
    return pp;
  }
}
