package io.llmcap.timing;

import java.util.ArrayList;
import java.util.List;

/**
 * The operators a batch's time is made of: the one definition of the operator set. Each operator
 * states its profile name (the {@code time_stats.<name>.median} column of the reference's
 * profiles), its {@link Kind}, the {@link Phase} of the requests it runs for, where it enters a
 * pipeline stage's time ({@link Part}), when a deployment runs it at all ({@link Condition}), and
 * which reference profile file holds it with which features.
 *
 * <p>The profile reader, the prediction tables, the roofline, the profile writer, the calibrator
 * and {@link ExecutionTime} all iterate this enum. Adding an operator (an MoE expert GEMM, an
 * all-to-all) means adding one constant here and giving it a cost in each cost model ({@code
 * RooflineOps}; a profile column for the profile predictor).
 *
 * <p>The declaration order is load-bearing: {@link ExecutionTime} adds each part's operators in
 * this order, which is the order the reference adds them (outputs are pinned to it), and the
 * prediction tables store token-level operators in this order.
 */
public enum Operator {
  ATTN_PRE_PROJ("attn_pre_proj", Kind.GEMM, Phase.TOKENS, Part.ATTENTION, ProfileFile.MLP, 2),
  ATTN_POST_PROJ("attn_post_proj", Kind.GEMM, Phase.TOKENS, Part.ATTENTION, ProfileFile.MLP, 4),
  ATTN_ROPE("attn_rope", Kind.ELEMENTWISE, Phase.TOKENS, Part.ATTENTION, ProfileFile.MLP, 3),
  ATTN_KV_CACHE_SAVE(
      "attn_kv_cache_save", Kind.KV_WRITE, Phase.TOKENS, Part.ATTENTION, ProfileFile.ATTENTION, 1),
  ATTN_DECODE(
      "attn_decode", Kind.ATTENTION, Phase.DECODE, Part.ATTENTION, ProfileFile.ATTENTION, 3),
  ATTN_PREFILL(
      "attn_prefill", Kind.ATTENTION, Phase.PREFILL, Part.ATTENTION, ProfileFile.ATTENTION, 2),
  MLP_UP_PROJ(
      "mlp_up_proj", Kind.GEMM, Phase.TOKENS, Part.MLP, ProfileFile.MLP, 6, Condition.DENSE_FFN),
  MLP_DOWN_PROJ(
      "mlp_down_proj", Kind.GEMM, Phase.TOKENS, Part.MLP, ProfileFile.MLP, 8, Condition.DENSE_FFN),
  MLP_ACT(
      "mlp_act", Kind.ELEMENTWISE, Phase.TOKENS, Part.MLP, ProfileFile.MLP, 7, Condition.DENSE_FFN),
  /** Two per layer under TP: after the attention and after the MLP, NCCL launch included. */
  ALL_REDUCE(
      "all_reduce",
      Kind.COLLECTIVE,
      Phase.TOKENS,
      Part.EACH_SUBLAYER,
      ProfileFile.NETWORK,
      0,
      Condition.TENSOR_PARALLEL),
  INPUT_LAYERNORM(
      "input_layernorm", Kind.ELEMENTWISE, Phase.TOKENS, Part.ATTENTION, ProfileFile.MLP, 1),
  POST_ATTENTION_LAYERNORM(
      "post_attention_layernorm",
      Kind.ELEMENTWISE,
      Phase.TOKENS,
      Part.MLP,
      ProfileFile.MLP,
      5,
      Condition.POST_ATTN_NORM),
  ADD("add", Kind.ELEMENTWISE, Phase.TOKENS, Part.BLOCK, ProfileFile.MLP, 9),
  /** Activations to the next pipeline stage, once per stage. */
  SEND_RECV(
      "send_recv",
      Kind.COLLECTIVE,
      Phase.TOKENS,
      Part.STAGE,
      ProfileFile.NETWORK,
      0,
      Condition.NOT_LAST_STAGE),
  /** Scheduling and launch overheads on the host, once per stage. */
  CPU_OVERHEAD("cpu_overhead", Kind.HOST, Phase.TOKENS, Part.HOST, ProfileFile.NONE, -1),
  /** The embedding gather: profiled in the reference format, not part of a stage's time. */
  EMB("emb", Kind.ELEMENTWISE, Phase.TOKENS, Part.NONE, ProfileFile.MLP, 0),
  /** Written as zeros in the reference format; not part of a stage's time. */
  ATTN_INPUT_RESHAPE(
      "attn_input_reshape", Kind.ELEMENTWISE, Phase.TOKENS, Part.NONE, ProfileFile.ATTENTION, 0),
  ATTN_OUTPUT_RESHAPE(
      "attn_output_reshape", Kind.ELEMENTWISE, Phase.TOKENS, Part.NONE, ProfileFile.ATTENTION, 4),
  // Mixture-of-experts FFN ops: last, so that the dense models' sums and tables are unchanged.
  // Not profiled (no profile format has them): the roofline costs them.
  /** The router: a [tokens × hidden] · [hidden × experts] GEMM, then the top-k choice. */
  MOE_GATE("moe_gate", Kind.GEMM, Phase.TOKENS, Part.MLP, ProfileFile.NONE, -1, Condition.MOE),
  /**
   * Gate and up projections of the routed experts (a grouped GEMM over the tokens each expert
   * receives) and of the shared experts.
   */
  MOE_UP_PROJ(
      "moe_up_proj", Kind.GEMM, Phase.TOKENS, Part.MLP, ProfileFile.NONE, -1, Condition.MOE),
  /** The experts' activation (SiLU and multiply) over every routed token. */
  MOE_ACT("moe_act", Kind.ELEMENTWISE, Phase.TOKENS, Part.MLP, ProfileFile.NONE, -1, Condition.MOE),
  /** Down projections of the routed and shared experts, with the weighted combine. */
  MOE_DOWN_PROJ(
      "moe_down_proj", Kind.GEMM, Phase.TOKENS, Part.MLP, ProfileFile.NONE, -1, Condition.MOE),
  /**
   * Tokens to the devices of their experts and back, under attention data parallelism: the
   * all-to-all dispatch and combine with expert parallelism, the all-gather and reduce-scatter of
   * the data-parallel groups' tokens without.
   */
  MOE_ALL_TO_ALL(
      "moe_all_to_all",
      Kind.COLLECTIVE,
      Phase.TOKENS,
      Part.MLP,
      ProfileFile.NONE,
      -1,
      Condition.MOE_DATA_PARALLEL);

  /** What an operator computes, which decides its cost model. */
  public enum Kind {
    /** A weight GEMM: tokens × k times k × n. */
    GEMM,
    /** Attention over the KV cache. */
    ATTENTION,
    /** Memory-bound, per token. */
    ELEMENTWISE,
    /** Writing the new tokens' K and V into the cache. */
    KV_WRITE,
    /** Communication between devices. */
    COLLECTIVE,
    /** Host-side time, not on the GPU. */
    HOST
  }

  /** The requests of a batch an operator runs for. */
  public enum Phase {
    /** Every token of the batch (token-level ops). */
    TOKENS,
    /** Prefill chunks and speculative verify passes. */
    PREFILL,
    /** Single-token decodes. */
    DECODE
  }

  /** Where an operator's time enters a pipeline stage's time ({@link ExecutionTime}). */
  public enum Part {
    /** Per layer, in the attention sublayer. */
    ATTENTION,
    /** Per layer, in the MLP sublayer. */
    MLP,
    /** Per layer, once in each sublayer. */
    EACH_SUBLAYER,
    /** Per layer, outside the sublayers. */
    BLOCK,
    /** Once per stage, on the GPU. */
    STAGE,
    /** Once per stage, on the host. */
    HOST,
    /** Not part of a stage's time. */
    NONE
  }

  /** When a deployment runs an operator at all. */
  public enum Condition {
    ALWAYS,
    /** With TP &gt; 1. */
    TENSOR_PARALLEL,
    /** On every pipeline stage but the last. */
    NOT_LAST_STAGE,
    /** For models with a post-attention norm. */
    POST_ATTN_NORM,
    /**
     * On layers with a dense FFN: every layer of a dense model, the dense layers of an MoE model
     * (timed as a share of the stage's layers, {@link StageComposer}).
     */
    DENSE_FFN,
    /** On the MoE layers of an MoE model (timed as a share of the stage's layers). */
    MOE,
    /** On the MoE layers under attention data parallelism ({@code dp > 1}). */
    MOE_DATA_PARALLEL
  }

  /** The reference profile file an operator's measurements are in. */
  public enum ProfileFile {
    /** {@code mlp.csv}: token-level ops vs {@code num_tokens}. */
    MLP,
    /** {@code attention.csv}: attention and the KV-cache save. */
    ATTENTION,
    /** {@code network/<node>/<op>.csv}: collectives vs message size. */
    NETWORK,
    /** Not profiled. */
    NONE
  }

  /** Number of operators: the length of arrays indexed by {@link #ordinal()}. */
  public static final int COUNT = values().length;

  private final String profileName;
  private final Kind kind;
  private final Phase phase;
  private final Part part;
  private final ProfileFile file;
  private final int column;
  private final Condition condition;

  Operator(String name, Kind kind, Phase phase, Part part, ProfileFile file, int column) {
    this(name, kind, phase, part, file, column, Condition.ALWAYS);
  }

  Operator(
      String name,
      Kind kind,
      Phase phase,
      Part part,
      ProfileFile file,
      int column,
      Condition condition) {
    this.profileName = name;
    this.kind = kind;
    this.phase = phase;
    this.part = part;
    this.file = file;
    this.column = column;
    this.condition = condition;
  }

  /** The name profiles and tables use ({@code time_stats.<name>.median}). */
  public String profileName() {
    return profileName;
  }

  public Kind kind() {
    return kind;
  }

  public Phase phase() {
    return phase;
  }

  public Part part() {
    return part;
  }

  public ProfileFile file() {
    return file;
  }

  public Condition condition() {
    return condition;
  }

  /** True when the operator is part of a pipeline stage's time. */
  public boolean inStage() {
    return part != Part.NONE;
  }

  /** The column of {@code time_stats.<name>.median} in the profile file of the profile writer. */
  int column() {
    return column;
  }

  /**
   * True when a predictor reads this operator's measurements: part of a stage and profiled. {@code
   * emb} and the reshapes are written for the reference format only.
   */
  public boolean predicted() {
    return inStage() && file != ProfileFile.NONE;
  }

  /**
   * Older {@code mlp.csv} files lack this operator's column; the reference then counts it as 0 ms.
   */
  public boolean optionalInProfile() {
    return this == INPUT_LAYERNORM || this == POST_ATTENTION_LAYERNORM || this == ADD;
  }

  /**
   * The features a profile row gives this operator, in the order predictors' models take them:
   * {@code batch_size, kv_cache_size} for decode attention, {@code kv_cache_size,
   * prefill_chunk_size_squared} for prefill attention, {@code num_tokens} (the batch's tokens, or
   * the message size in fp16 activations of one token for collectives) for every other.
   */
  public List<String> features() {
    return switch (phase) {
      case DECODE -> List.of("batch_size", "kv_cache_size");
      case PREFILL -> List.of("kv_cache_size", "prefill_chunk_size_squared");
      case TOKENS -> List.of("num_tokens");
    };
  }

  /** The operators predictors read from {@code file}, in declaration order. */
  public static List<Operator> predictedIn(ProfileFile file) {
    List<Operator> out = new ArrayList<>();
    for (Operator op : values()) {
      if (op.file == file && op.predicted()) {
        out.add(op);
      }
    }
    return List.copyOf(out);
  }

  /** Every operator with a column in {@code file}, in the profile writer's column order. */
  public static List<Operator> columnsOf(ProfileFile file) {
    List<Operator> out = new ArrayList<>();
    for (Operator op : values()) {
      if (op.file == file) {
        out.add(op);
      }
    }
    out.sort((a, b) -> Integer.compare(a.column, b.column));
    return List.copyOf(out);
  }

  /** The operator of a profile name. */
  public static Operator byName(String name) {
    for (Operator op : values()) {
      if (op.profileName.equals(name)) {
        return op;
      }
    }
    throw new IllegalArgumentException("no operator '" + name + "'");
  }

  @Override
  public String toString() {
    return profileName;
  }
}
