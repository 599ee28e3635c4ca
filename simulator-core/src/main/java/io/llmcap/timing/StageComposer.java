package io.llmcap.timing;

import io.llmcap.catalog.Deployment;

/**
 * How the operators of a batch add up to one pipeline stage's {@link ExecutionTime}, written once
 * for every predictor: the split of a batch into prefill chunks (speculative verify passes
 * included, which attend like a chunk over their KV prefix) and decodes, and which operators a
 * stage runs: attention of a phase only when the batch has requests of it, the all-reduce only
 * under TP, the send/recv only on non-last stages, the post-attention norm only for models that
 * have one ({@link Operator.Condition}). A predictor supplies only the cost of each operator
 * ({@link BatchCosts}).
 */
public final class StageComposer {
  private static final Operator[] STAGE_OPS = stageOps();

  private final int layers;
  private final int pp;
  private final boolean tensorParallel;
  private final boolean postAttnNorm;

  public StageComposer(int layers, int pp, boolean tensorParallel, boolean postAttnNorm) {
    this.layers = layers;
    this.pp = pp;
    this.tensorParallel = tensorParallel;
    this.postAttnNorm = postAttnNorm;
  }

  /** The composition of a deployment's stages: its layers per stage, PP, TP and model. */
  public static StageComposer of(Deployment deployment) {
    return new StageComposer(
        deployment.layersPerStage(),
        deployment.pp(),
        deployment.tp() > 1,
        deployment.model().postAttnNorm());
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
        ms[op.ordinal()] = costs.ms(op, total);
      }
    }
    return new ExecutionTime(layers, ms);
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
