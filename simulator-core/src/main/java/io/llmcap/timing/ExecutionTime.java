package io.llmcap.timing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Predicted time of one batch on one pipeline stage, per {@link Operator}. Operator times are
 * milliseconds per layer (as profiles state them), except those of {@link Operator.Part#STAGE} and
 * {@link Operator.Part#HOST} ({@code send_recv}, {@code cpu_overhead}), which are per stage.
 *
 * <p>Composition follows the reference, and is written here once for every predictor: the attention
 * sublayer and the MLP sublayer each add their operators and one tensor-parallel all-reduce ({@link
 * Operator.Part#EACH_SUBLAYER}); the block is the two sublayers plus the residual add; the stage is
 * the block times the layers of the stage plus the send/recv on non-last stages; the host overhead
 * comes on top. Within each part operators are added in {@link Operator} declaration order, which
 * is the reference's.
 */
public final class ExecutionTime {
  private static final int[] ATTENTION = partOps(Operator.Part.ATTENTION);
  private static final int[] MLP = partOps(Operator.Part.MLP);
  private static final int[] BLOCK = partOps(Operator.Part.BLOCK);
  private static final int[] STAGE = partOps(Operator.Part.STAGE);
  private static final int[] HOST = partOps(Operator.Part.HOST);

  private final int layers;
  private final double[] ms;
  // the stage's model and total seconds, summed on first use: the engine asks for them several
  // times per stage
  private double modelSeconds = Double.NaN;
  private double totalSeconds = Double.NaN;

  /**
   * @param layers the layers of the stage
   * @param ms milliseconds per operator, indexed by {@link Operator#ordinal()} (taken, not copied)
   */
  public ExecutionTime(int layers, double[] ms) {
    if (ms.length != Operator.COUNT) {
      throw new IllegalArgumentException(ms.length + " operator times; expected " + Operator.COUNT);
    }
    this.layers = layers;
    this.ms = ms;
  }

  /** Operator times by name, for predictors that do not go through a {@link StageComposer}. */
  public static Builder builder(int layers) {
    return new Builder(layers);
  }

  /** Sets operator times by name; unset operators take 0 ms. */
  public static final class Builder {
    private final int layers;
    private final double[] ms = new double[Operator.COUNT];

    private Builder(int layers) {
      this.layers = layers;
    }

    public Builder set(Operator op, double ms) {
      this.ms[op.ordinal()] = ms;
      return this;
    }

    public ExecutionTime build() {
      return new ExecutionTime(layers, ms.clone());
    }
  }

  /** The operators of a part in declaration order; an each-sublayer op in both sublayers. */
  private static int[] partOps(Operator.Part part) {
    List<Integer> out = new ArrayList<>();
    for (Operator op : Operator.values()) {
      boolean sublayer =
          (part == Operator.Part.ATTENTION || part == Operator.Part.MLP)
              && op.part() == Operator.Part.EACH_SUBLAYER;
      if (op.part() == part || sublayer) {
        out.add(op.ordinal());
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  private double sum(int[] ops) {
    if (ops.length == 0) {
      return 0;
    }
    double s = ms[ops[0]];
    for (int i = 1; i < ops.length; i++) {
      s += ms[ops[i]];
    }
    return s;
  }

  public int layers() {
    return layers;
  }

  /** The time of {@code op} in milliseconds (per layer, or per stage for stage and host ops). */
  public double ms(Operator op) {
    return ms[op.ordinal()];
  }

  /** A copy of every operator's time, indexed by {@link Operator#ordinal()}. */
  public double[] msByOperator() {
    return ms.clone();
  }

  public double attnPreProj() {
    return ms(Operator.ATTN_PRE_PROJ);
  }

  public double attnPostProj() {
    return ms(Operator.ATTN_POST_PROJ);
  }

  public double attnRope() {
    return ms(Operator.ATTN_ROPE);
  }

  public double attnKvCacheSave() {
    return ms(Operator.ATTN_KV_CACHE_SAVE);
  }

  public double attnDecode() {
    return ms(Operator.ATTN_DECODE);
  }

  public double attnPrefill() {
    return ms(Operator.ATTN_PREFILL);
  }

  /** The input layer norm, before attention. */
  public double attnNorm() {
    return ms(Operator.INPUT_LAYERNORM);
  }

  public double mlpUpProj() {
    return ms(Operator.MLP_UP_PROJ);
  }

  public double mlpDownProj() {
    return ms(Operator.MLP_DOWN_PROJ);
  }

  public double mlpAct() {
    return ms(Operator.MLP_ACT);
  }

  /** The post-attention layer norm, before the MLP. */
  public double mlpNorm() {
    return ms(Operator.POST_ATTENTION_LAYERNORM);
  }

  public double add() {
    return ms(Operator.ADD);
  }

  /** One tensor-parallel all-reduce (there are two per layer). */
  public double tensorParallelComm() {
    return ms(Operator.ALL_REDUCE);
  }

  public double pipelineComm() {
    return ms(Operator.SEND_RECV);
  }

  public double cpuOverhead() {
    return ms(Operator.CPU_OVERHEAD);
  }

  public double attentionLayerMs() {
    return sum(ATTENTION);
  }

  public double mlpLayerMs() {
    return sum(MLP);
  }

  public double blockMs() {
    double s = attentionLayerMs() + mlpLayerMs();
    for (int op : BLOCK) {
      s += ms[op];
    }
    return s;
  }

  /** GPU time of the stage in seconds. */
  public double modelSeconds() {
    if (Double.isNaN(modelSeconds)) {
      double s = blockMs() * layers;
      for (int op : STAGE) {
        s += ms[op];
      }
      modelSeconds = s * 1e-3;
    }
    return modelSeconds;
  }

  /** Wall time of the stage in seconds, CPU overheads included. */
  public double totalSeconds() {
    if (Double.isNaN(totalSeconds)) {
      double s = modelSeconds();
      for (int op : HOST) {
        s += ms[op] * 1e-3;
      }
      totalSeconds = s;
    }
    return totalSeconds;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExecutionTime e && e.layers == layers && Arrays.equals(e.ms, ms);
  }

  @Override
  public int hashCode() {
    return 31 * layers + Arrays.hashCode(ms);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("ExecutionTime[layers=").append(layers);
    for (Operator op : Operator.values()) {
      b.append(", ").append(op.profileName()).append('=').append(ms[op.ordinal()]);
    }
    return b.append(']').toString();
  }
}
