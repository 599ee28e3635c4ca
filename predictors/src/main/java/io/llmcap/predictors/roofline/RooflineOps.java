package io.llmcap.predictors.roofline;

import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.DeviceSku;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.catalog.NodeSku;
import io.llmcap.timing.ModelFlops;
import io.llmcap.timing.Operator;
import java.util.Map;

/**
 * Roofline times of single operators of one deployment, in milliseconds per layer on one
 * tensor-parallel rank: each op takes the larger of its compute time and its memory time at an
 * achievable fraction of peak ({@link RooflineParams}), plus a launch overhead. Tensors are fp16.
 * Everything that depends only on the deployment is folded into coefficients here, so each op is a
 * handful of multiply-adds. {@link RooflinePredictor} composes batches from these ops, {@link
 * RooflineProfileWriter} tabulates them, and {@link #predictMs} evaluates them on profile rows.
 */
public final class RooflineOps {
  static final double BYTES = 2; // fp16

  private final RooflineParams params;
  private final int kvHeadsPerRank;

  private final Gemm attnPreProj;
  private final Gemm attnPostProj;
  private final Gemm mlpUpProj;
  private final Gemm mlpDownProj;

  // Memory-bound ops: milliseconds per token (the launch is added separately).
  private final double embMsPerToken;
  private final double normMsPerToken;
  private final double ropeMsPerToken;
  private final double actMsPerToken;
  private final double addMsPerToken;
  private final double kvSaveMsPerToken;

  // Prefill attention: per unit of work c (p + causalFactor (c + 1)), per KV token read and per
  // query token (Q read, O written).
  private final double prefillMsPerWork;
  private final double prefillKvMsPerToken;
  private final double prefillQoMsPerToken;
  // Decode attention, per KV-cache token read at full decode efficiency, and its compute side.
  private final double decodeMemMsPerKv;
  private final double decodeComputeMsPerKv;

  private final double allReduceMsPerToken;
  private final double allReduceFixedMs;
  private final double sendRecvMsPerToken;
  private final double sendRecvFixedMs;
  private final MoeOps moe; // null for a dense model

  /** A one-element "model": collectives of it move 2-byte elements instead of tokens. */
  private static final ModelSpec ELEMENT =
      new ModelSpec("fp16 element", 1, 8, 8, 1, 1, 1, false, 1, "", "", false, false, "");

  /**
   * Ops of a deployment whose collectives ({@link #allReduceMs}, {@link #sendRecvMs}) count fp16
   * elements rather than tokens: for profiles of collectives, which are keyed by message size.
   */
  public static RooflineOps perElement(
      DeviceSku sku, NodeSku node, int tp, int pp, RooflineParams params) {
    return new RooflineOps(new Deployment(ELEMENT, sku, node, tp, pp), params);
  }

  public RooflineOps(Deployment deployment, RooflineParams params) {
    this.params = params;
    ModelSpec model = deployment.model();
    NodeSku node = deployment.node();
    int tp = deployment.tp();

    double peak = deployment.sku().peakFlops();
    double hbm = deployment.sku().memoryBandwidthGbps() * 1e9;
    RooflineParams.Gemm g = params.gemm();
    double gemmFlopMs = 1e3 / (peak * g.effMax());
    double gemmByteMs = 1e3 / (hbm * g.memoryEff());

    double e = model.embeddingDim();
    double d = model.headDim();
    double qw = model.qHeadsPerRank(tp);
    double kvw = model.kvHeadsPerRank(tp);
    this.kvHeadsPerRank = model.kvHeadsPerRank(tp);
    double fPerRank = (double) model.mlpHiddenDim() / tp;

    this.attnPreProj = Gemm.of(e, d * (qw + 2 * kvw), gemmFlopMs, gemmByteMs, g);
    this.attnPostProj = Gemm.of(d * qw, e, gemmFlopMs, gemmByteMs, g);
    double upWidth = (model.useGatedMlp() ? 2 : 1) * fPerRank;
    this.mlpUpProj = Gemm.of(e, upWidth, gemmFlopMs, gemmByteMs, g);
    this.mlpDownProj = Gemm.of(fPerRank, e, gemmFlopMs, gemmByteMs, g);

    // Accesses per element: the embedding gather, RoPE and norms read and write; add reads two
    // and writes one; the gated activation reads gate and up and writes one; the KV-cache save
    // writes K and V.
    RooflineParams.Elementwise w = params.elementwise();
    double byteMs = 1e3 / hbm;
    this.embMsPerToken = 2 * BYTES * e * byteMs / w.normEff();
    this.normMsPerToken = 2 * BYTES * e * byteMs / w.normEff();
    this.ropeMsPerToken = 2 * BYTES * d * (qw + kvw) * byteMs / w.ropeEff();
    this.actMsPerToken = (model.useGatedMlp() ? 3 : 2) * BYTES * fPerRank * byteMs / w.actEff();
    this.addMsPerToken = 3 * BYTES * e * byteMs / w.addEff();
    this.kvSaveMsPerToken = 2 * BYTES * d * kvw * byteMs / params.attention().kvSaveEff();

    RooflineParams.Attention a = params.attention();
    double attnFlopMs = 1e3 / (peak * a.prefillEff());
    this.prefillMsPerWork = ModelFlops.attentionPerTokenPair(qw, d) * attnFlopMs;
    this.prefillKvMsPerToken = 2 * BYTES * d * kvw * gemmByteMs;
    this.prefillQoMsPerToken = 2 * BYTES * d * qw * gemmByteMs;
    this.decodeMemMsPerKv = 2 * BYTES * d * kvw * byteMs / a.decodeEff();
    this.decodeComputeMsPerKv = ModelFlops.attentionPerTokenPair(qw, d) * attnFlopMs;

    // Ring all-reduce: each rank sends and receives 2 (TP - 1) / TP of the buffer in 2 (TP - 1)
    // latency-bound steps.
    RooflineParams.Network net = params.network();
    Link arLink = Link.of(node, tp, false);
    RooflineParams.LinkFit ar = linkFit(net, net.allReduce(), arLink, node);
    double ringFactor = 2.0 * (tp - 1) / tp;
    this.allReduceMsPerToken =
        ringFactor * BYTES * e * 1e3 / (arLink.bandwidthBytesPerS(node) * ar.bandwidthEff());
    this.allReduceFixedMs = 2.0 * (tp - 1) * ar.latencyUs() * 1e-3;

    // Consecutive stages are neighbours in one node unless the replica spans several nodes.
    Link srLink = Link.of(node, 2, deployment.multiNode());
    RooflineParams.LinkFit sr = linkFit(net, net.sendRecv(), srLink, node);
    this.sendRecvMsPerToken =
        BYTES * e * 1e3 / (srLink.bandwidthBytesPerS(node) * sr.bandwidthEff());
    this.sendRecvFixedMs = sr.latencyUs() * 1e-3;

    this.moe = model.isMoe() ? new MoeOps(deployment, params, gemmFlopMs, gemmByteMs, hbm) : null;
  }

  /** The fitted all-reduce figures of {@code link}, which other collectives on it share. */
  static RooflineParams.LinkFit linkFit(RooflineParams.Network net, Link link, NodeSku node) {
    return linkFit(net, net.allReduce(), link, node);
  }

  private static RooflineParams.LinkFit linkFit(
      RooflineParams.Network net, Map<Link, RooflineParams.LinkFit> fits, Link link, NodeSku node) {
    RooflineParams.LinkFit fit = fits.get(link);
    return fit != null
        ? fit
        : new RooflineParams.LinkFit(net.defaultEff(), link.catalogLatencyUs(node));
  }

  /** The ops with the calibrated parameters of the deployment's SKU and node type. */
  public static RooflineOps calibrated(Deployment deployment) {
    return new RooflineOps(
        deployment,
        RooflineCalibration.builtin().params(deployment.sku().name(), deployment.node().name()));
  }

  public RooflineParams params() {
    return params;
  }

  public double attnPreProjMs(double tokens) {
    return attnPreProj.ms(tokens);
  }

  public double attnPostProjMs(double tokens) {
    return attnPostProj.ms(tokens);
  }

  public double mlpUpProjMs(double tokens) {
    return mlpUpProj.ms(tokens);
  }

  public double mlpDownProjMs(double tokens) {
    return mlpDownProj.ms(tokens);
  }

  public double embMs(double tokens) {
    return tokens * embMsPerToken + params.elementwise().launchMs();
  }

  public double normMs(double tokens) {
    return tokens * normMsPerToken + params.elementwise().launchMs();
  }

  public double ropeMs(double tokens) {
    return tokens * ropeMsPerToken + params.elementwise().launchMs();
  }

  public double actMs(double tokens) {
    return tokens * actMsPerToken + params.elementwise().launchMs();
  }

  public double addMs(double tokens) {
    return tokens * addMsPerToken + params.elementwise().launchMs();
  }

  public double kvSaveMs(double tokens) {
    return tokens * kvSaveMsPerToken + params.attention().kvSaveLaunchMs();
  }

  /**
   * Prefill attention of one batch: {@code work} is the sum over its prefills of c (p +
   * causalFactor (c + 1)) for a chunk c after p cached tokens, {@code kvTokens} the sum of p + c,
   * {@code queryTokens} the sum of c.
   */
  public double prefillMs(double work, double kvTokens, double queryTokens) {
    return Math.max(
            work * prefillMsPerWork,
            kvTokens * prefillKvMsPerToken + queryTokens * prefillQoMsPerToken)
        + params.attention().prefillLaunchMs();
  }

  /**
   * Work of one chunk of {@code chunk} tokens after {@code cached} ones, for {@link #prefillMs}.
   */
  public double prefillWork(double chunk, double cached) {
    return chunk * (cached + params.attention().prefillCausalFactor() * (chunk + 1));
  }

  /** Decode attention of {@code requests} decodes that read {@code kvTokens} cached tokens. */
  public double decodeMs(int requests, double kvTokens) {
    double units = (double) requests * kvHeadsPerRank;
    double occupancy = 1 + params.attention().decodeHalfHeads() / units;
    return Math.max(kvTokens * decodeMemMsPerKv * occupancy, kvTokens * decodeComputeMsPerKv)
        + params.attention().decodeLaunchMs();
  }

  /** Ring all-reduce of {@code tokens} activations among the TP ranks, NCCL launch excluded. */
  public double allReduceMs(double tokens) {
    return tokens * allReduceMsPerToken + allReduceFixedMs;
  }

  /** Send/recv of {@code tokens} activations to the next pipeline stage. */
  public double sendRecvMs(double tokens) {
    return tokens * sendRecvMsPerToken + sendRecvFixedMs;
  }

  /**
   * A token-level op ({@link Operator.Phase#TOKENS}) of {@code tokens} tokens: collectives of
   * {@code tokens} activations, NCCL launch excluded.
   */
  public double tokenMs(Operator op, double tokens) {
    return switch (op) {
      case ATTN_PRE_PROJ -> attnPreProjMs(tokens);
      case ATTN_POST_PROJ -> attnPostProjMs(tokens);
      case MLP_UP_PROJ -> mlpUpProjMs(tokens);
      case MLP_DOWN_PROJ -> mlpDownProjMs(tokens);
      case MLP_ACT -> actMs(tokens);
      case INPUT_LAYERNORM, POST_ATTENTION_LAYERNORM -> normMs(tokens);
      case ATTN_ROPE -> ropeMs(tokens);
      case ADD -> addMs(tokens);
      case EMB -> embMs(tokens);
      case ATTN_KV_CACHE_SAVE -> kvSaveMs(tokens);
      case ALL_REDUCE -> allReduceMs(tokens);
      case SEND_RECV -> sendRecvMs(tokens);
      case ATTN_INPUT_RESHAPE, ATTN_OUTPUT_RESHAPE -> 0;
      case MOE_GATE -> moe().gateMs(tokens);
      case MOE_UP_PROJ -> moe().upMs(tokens);
      case MOE_ACT -> moe().actMs(tokens);
      case MOE_DOWN_PROJ -> moe().downMs(tokens);
      case MOE_ALL_TO_ALL -> moe().allToAllMs(tokens);
      case ATTN_PREFILL, ATTN_DECODE, CPU_OVERHEAD ->
          throw new IllegalArgumentException(op + " is not a token-level op");
    };
  }

  private MoeOps moe() {
    if (moe == null) {
      throw new IllegalArgumentException("a dense model has no MoE ops");
    }
    return moe;
  }

  /**
   * The time of one op for one row of a profile, with the features {@link Operator#features} names:
   * {@code num_tokens} for the token-level ops and collectives; {@code kv_cache_size,
   * prefill_chunk_size_squared} for {@code attn_prefill}; {@code batch_size, kv_cache_size} for
   * {@code attn_decode}. As in the reference, collectives exclude the NCCL launch overhead, and a
   * decode row of batch b at KV length L reads b (L + 1) tokens.
   */
  public double predictMs(Operator op, double[] features) {
    double x = features[0];
    return switch (op.phase()) {
      case PREFILL -> {
        double chunk = Math.sqrt(features[1]);
        yield prefillMs(prefillWork(chunk, x), x + chunk, chunk);
      }
      case DECODE -> decodeMs((int) x, x * (features[1] + 1));
      case TOKENS -> tokenMs(op, x);
    };
  }

  /** {@link #predictMs(Operator, double[])} by profile name. */
  public double predictMs(String op, double[] features) {
    return predictMs(Operator.byName(op), features);
  }

  /**
   * One [T × k] · [k × n] fp16 GEMM as millisecond coefficients. Compute time is FLOPs / (peak ·
   * eff) with eff = effMax · T / (T + halfTokens), i.e. 2kn · (T + halfTokens) / (peak · effMax):
   * linear in T, with no division by T. Memory time streams the weights once plus the activations.
   */
  record Gemm(
      double computeMsPerToken,
      double computeFixedMs,
      double weightMs,
      double activationMsPerToken,
      double launchMs) {

    static Gemm of(double k, double n, double flopMs, double byteMs, RooflineParams.Gemm g) {
      double flopsPerToken = ModelFlops.gemmPerToken(k, n);
      return new Gemm(
          flopsPerToken * flopMs,
          flopsPerToken * g.halfTokens() * flopMs,
          BYTES * k * n * byteMs,
          BYTES * (k + n) * byteMs,
          g.launchMs());
    }

    double ms(double tokens) {
      double compute = tokens * computeMsPerToken + computeFixedMs;
      double memory = weightMs + tokens * activationMsPerToken;
      return Math.max(compute, memory) + launchMs;
    }

    /**
     * A grouped GEMM, one launch: {@code pairs} rows spread over {@code matrices} weight matrices
     * of this shape, each its own skinny GEMM (its own efficiency curve) reading its weights once.
     */
    double grouped(double pairs, double matrices) {
      double compute = pairs * computeMsPerToken + matrices * computeFixedMs;
      double memory = matrices * weightMs + pairs * activationMsPerToken;
      return Math.max(compute, memory) + launchMs;
    }
  }
}
