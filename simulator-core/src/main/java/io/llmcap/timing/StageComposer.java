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

  /** A dense model's stages. */
  public StageComposer(int layers, int pp, boolean tensorParallel, boolean postAttnNorm) {
    this(layers, pp, tensorParallel, postAttnNorm, false, null);
  }

  /**
   * @param dataParallel attention data parallelism ({@code dp > 1})
   * @param moeLayers the MoE layers of each stage, or null for a dense model
   */
  public StageComposer(
      int layers,
      int pp,
      boolean tensorParallel,
      boolean postAttnNorm,
      boolean dataParallel,
      int[] moeLayers) {
    this.layers = layers;
    this.pp = pp;
    this.tensorParallel = tensorParallel;
    this.postAttnNorm = postAttnNorm;
    this.dataParallel = dataParallel;
    this.moeLayers = moeLayers == null ? null : moeLayers.clone();
  }

  /** The composition of a deployment's stages: its layers per stage, PP, TP, DP and model. */
  public static StageComposer of(Deployment deployment) {
    int[] moe = null;
    if (deployment.model().isMoe()) {
      moe = new int[deployment.pp()];
      for (int s = 0; s < moe.length; s++) {
        moe[s] = deployment.moeLayers(s);
      }
    }
    return new StageComposer(
        deployment.layersPerStage(),
        deployment.pp(),
        deployment.tp() > 1,
        deployment.model().postAttnNorm(),
        deployment.dp() > 1,
        moe);
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
  }

  /** The time of {@code batch} on pipeline stage {@code stage} (0-based) under {@code costs}. */
  public ExecutionTime compose(BatchView batch, int stage, BatchCosts costs) {
    if (stage < 0 || stage >= pp) {
      throw new IllegalArgumentException("stage " + stage + " outside 0.." + (pp - 1));
    }
    int n = batch.size();
    int prefills = 0;
    int decodes = 0;
    for (int i = 0; i < n; i++) {
      if (batch.isPrefill(i) || batch.isVerify(i)) {
        costs.prefill(batch.numTokens(i), batch.processedBefore(i));
        prefills++;
      } else {
        costs.decode(batch.processedBefore(i));
        decodes++;
      }
    }
    int total = batch.totalTokens();
    double[] ms = new double[Operator.COUNT];
    for (Operator op : STAGE_OPS) {
      if (runs(op, stage, prefills, decodes)) {
        ms[op.ordinal()] = costs.ms(op, total) * layerShare(op, stage);
      }
    }
    return new ExecutionTime(layers, ms);
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
