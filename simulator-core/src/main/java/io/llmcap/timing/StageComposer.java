package io.llmcap.timing;

import io.llmcap.catalog.Deployment;
import java.util.Arrays;

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
 * keys per query: their attention is costed from a second {@link BatchSums} of what they attend to,
 * and an attention operator's time per layer is the layer-weighted mean of the full and the
 * windowed costs. Every other operator is the same on both kinds of layer.
 */
public final class StageComposer {
  private final int layers;
  private final int pp;
  private final boolean tensorParallel;
  private final boolean postAttnNorm;
  private final boolean dataParallel;
  // MoE layers of each stage; null for a dense model (every layer has a dense FFN).
  private final int[] moeLayers;
  private final int slidingLayers;
  private final int window;

  /** The operators each stage runs, by stage and {@link #phases}: decided once, not per batch. */
  private final Operator[][][] opsByStage;

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
    this.opsByStage = new Operator[pp][4][];
    for (int stage = 0; stage < pp; stage++) {
      for (int phases = 0; phases < 4; phases++) {
        opsByStage[stage][phases] = stageOps(stage, (phases & 1) != 0, (phases & 2) != 0);
      }
    }
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

  private static int phases(boolean prefills, boolean decodes) {
    return (prefills ? 1 : 0) | (decodes ? 2 : 0);
  }

  /** The operators stage {@code stage} runs for a batch with or without prefills and decodes. */
  private Operator[] stageOps(int stage, boolean prefills, boolean decodes) {
    return Arrays.stream(Operator.values())
        .filter(op -> op.inStage() && runs(op, stage, prefills, decodes))
        .toArray(Operator[]::new);
  }

  /**
   * One predictor's costs of a batch, from the {@link BatchSums} the composer adds up in locals. It
   * keeps no per-batch state, so one instance serves every batch and every thread sharing the
   * predictor, and predicting allocates no accumulator.
   */
  public interface BatchCosts {
    /**
     * The predictor's own measure of a prefill chunk or verify pass of {@code chunk} queries after
     * {@code processed} tokens, summed over the batch in batch order into {@link
     * BatchSums#prefillTerm} (the roofline's attention work, the tables' rounded KV key).
     */
    double prefillTerm(int chunk, int processed);

    /**
     * Milliseconds of {@code op} for the batch (per layer, or per stage for stage and host ops).
     * Called only for the operators the stage runs, attention of a phase only when the batch has
     * requests of that phase.
     */
    double ms(Operator op, BatchSums batch);
  }

  /**
   * What a predictor costs a batch from: its tokens, and sums over its prefill chunks (speculative
   * verify passes included) and its decodes. On sliding-window layers the composer sums what those
   * layers attend to instead: a chunk as causal pieces over at most {@code window} keys, a decode
   * over at most {@code window − 1} cached tokens.
   *
   * @param totalTokens the batch's tokens
   * @param prefills prefill chunks and verify passes
   * @param prefillTokens their queries (Σ chunk)
   * @param prefillCached the tokens before them (Σ processed)
   * @param chunkSquares Σ chunk²
   * @param prefillTerm Σ {@link BatchCosts#prefillTerm}
   * @param decodes single-token decodes
   * @param decodeCached their cached tokens (Σ processed)
   */
  public record BatchSums(
      int totalTokens,
      int prefills,
      long prefillTokens,
      long prefillCached,
      long chunkSquares,
      double prefillTerm,
      int decodes,
      long decodeCached) {}

  /**
   * The time of {@code batch} on pipeline stage {@code stage} (0-based) under {@code costs}; a
   * model with sliding-window layers is costed as if they attended to the whole context.
   */
  public ExecutionTime compose(BatchView batch, int stage, BatchCosts costs) {
    return compose(batch, stage, costs, null);
  }

  /**
   * The time of {@code batch} on stage {@code stage}: {@code costs} for full-attention layers and
   * every non-attention operator, {@code windowed} (null: none) for the attention of sliding-window
   * layers.
   */
  public ExecutionTime compose(BatchView batch, int stage, BatchCosts costs, BatchCosts windowed) {
    if (stage < 0 || stage >= pp) {
      throw new IllegalArgumentException("stage " + stage + " outside 0.." + (pp - 1));
    }
    boolean slides = windowed != null && slidingLayers > 0;
    int n = batch.size();
    int prefills = 0;
    long prefillTokens = 0;
    long prefillCached = 0;
    long chunkSquares = 0;
    double prefillTerm = 0;
    int decodes = 0;
    long decodeCached = 0;
    Window w = slides ? new Window(window, windowed) : null;
    for (int i = 0; i < n; i++) {
      int processed = batch.processedBefore(i);
      if (batch.isPrefill(i) || batch.isVerify(i)) {
        int chunk = batch.numTokens(i);
        prefills++;
        prefillTokens += chunk;
        prefillCached += processed;
        chunkSquares += (long) chunk * chunk;
        prefillTerm += costs.prefillTerm(chunk, processed);
        if (slides) {
          w.prefill(chunk, processed);
        }
      } else {
        decodes++;
        decodeCached += processed;
        if (slides) {
          w.decodeCached += Math.min(processed, window - 1);
        }
      }
    }
    // Only the inlined costs.ms below reads the sums, so escape analysis can drop them.
    BatchSums sums =
        new BatchSums(
            batch.totalTokens(),
            prefills,
            prefillTokens,
            prefillCached,
            chunkSquares,
            prefillTerm,
            decodes,
            decodeCached);
    BatchSums slid = slides ? w.sums(batch.totalTokens(), decodes) : null;
    double[] ms = new double[Operator.COUNT];
    for (Operator op : opsByStage[stage][phases(prefills > 0, decodes > 0)]) {
      ms[op.ordinal()] =
          slides && op.phase() != Operator.Phase.TOKENS
              ? windowedMean(op, sums, costs, slid, windowed)
              : costs.ms(op, sums) * layerShare(op, stage);
    }
    return new ExecutionTime(layers, ms);
  }

  /**
   * The sums of what sliding-window layers attend to: a chunk as causal pieces over the same
   * query-key pairs, the queries still inside the first window as they are, then pieces of at most
   * {@code window} queries, each after {@code window − (q + 1) / 2} tokens (q (window − (q + 1) /
   * 2) + q (q + 1) / 2 = q · window pairs).
   */
  private static final class Window {
    final int window;
    final BatchCosts costs;
    int prefills;
    long prefillTokens;
    long prefillCached;
    long chunkSquares;
    double prefillTerm;
    long decodeCached;

    Window(int window, BatchCosts costs) {
      this.window = window;
      this.costs = costs;
    }

    void prefill(int chunk, int processed) {
      int inside = Math.max(0, Math.min(chunk, window - processed));
      if (inside > 0) {
        piece(inside, processed);
      }
      int rest = chunk - inside;
      while (rest > 0) {
        int q = Math.min(rest, window);
        piece(q, window - (q + 1) / 2);
        rest -= q;
      }
    }

    private void piece(int q, int after) {
      prefills++;
      prefillTokens += q;
      prefillCached += after;
      chunkSquares += (long) q * q;
      prefillTerm += costs.prefillTerm(q, after);
    }

    BatchSums sums(int totalTokens, int decodes) {
      return new BatchSums(
          totalTokens,
          prefills,
          prefillTokens,
          prefillCached,
          chunkSquares,
          prefillTerm,
          decodes,
          decodeCached);
    }
  }

  /**
   * An attention op's time per layer: the layer-weighted mean of full and windowed attention (the
   * full cost is not asked when every layer slides).
   */
  private double windowedMean(
      Operator op, BatchSums full, BatchCosts costs, BatchSums slid, BatchCosts windowed) {
    int fullLayers = layers - slidingLayers;
    double slide = slidingLayers * windowed.ms(op, slid);
    return (fullLayers == 0 ? slide : fullLayers * costs.ms(op, full) + slide) / layers;
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

  private boolean runs(Operator op, int stage, boolean prefills, boolean decodes) {
    boolean phase =
        switch (op.phase()) {
          case TOKENS -> true;
          case PREFILL -> prefills;
          case DECODE -> decodes;
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
