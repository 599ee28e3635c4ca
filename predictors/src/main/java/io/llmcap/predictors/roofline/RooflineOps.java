package io.llmcap.predictors.roofline;

import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.DeviceSku;
import io.llmcap.catalog.MlaSpec;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.catalog.NodeSku;
import io.llmcap.catalog.Precision;
import io.llmcap.timing.ModelFlops;
import io.llmcap.timing.Operator;
import java.util.Map;

/**
 * Roofline times of single operators of one deployment, in milliseconds per layer on one
 * tensor-parallel rank: each op takes the larger of its compute time and its memory time at an
 * achievable fraction of peak ({@link RooflineParams}), plus a launch overhead. Everything that
 * depends only on the deployment is folded into coefficients here, so each op is a handful of
 * multiply-adds.
 *
 * <p>Precision: weight GEMMs stream {@code Deployment.weights()} bytes per weight element and run
 * at the SKU's peak for that format ({@code DeviceSku.peakFlops(Precision)}); a format the SKU has
 * no tensor cores for (int4, fp8 before Hopper, fp4 before Blackwell) is weight-only: dequantised
 * to 16 bits in the kernel, at {@link #DEQUANT_EFF} of the 16-bit compute efficiency. The KV cache
 * is read and written in {@code Deployment.kvCache()} bytes. Activations, attention math and
 * collectives stay 16-bit.
 *
 * <p>Multi-head latent attention ({@code ModelSpec.mla()}): the projections are q_a, q_b, kv_a and
 * the key half of kv_b before attention (the key half is what absorbed decode multiplies into the
 * query), the value half of kv_b and o after it; prefill is attention over up-projected keys of
 * {@code qk_nope + qk_rope} and values of {@code v_head} per head, plus the up-projection of the
 * cached latent of earlier chunks; decode attends over the latent itself (absorbed weights): per
 * head and cached token {@code kv_lora + qk_rope} multiply-adds for the score and {@code kv_lora}
 * for the value, reading each request's latent once for all heads. {@link RooflinePredictor}
 * composes batches from these ops, {@link RooflineProfileWriter} tabulates them, and {@link
 * #predictMs} evaluates them on profile rows.
 */
public final class RooflineOps {
  static final double BYTES = 2; // fp16 activations

  /**
   * Compute efficiency of a weight-only GEMM relative to a 16-bit one: the kernel dequantises each
   * weight tile to 16 bits in registers before the tensor-core multiply. Marlin (Frantar et al.,
   * "MARLIN: Mixed-Precision Auto-Regressive Parallel Inference on Large Language Models", PPoPP
   * 2025, arXiv 2408.11743, read 2026-03) stays close to the ideal 4× speed-up of int4 up to 16–32
   * tokens (memory-bound, which the weight bytes already model) and loses it gradually by 64–128
   * tokens, where the dequantisation competes with the tensor cores; Marlin-path GEMMs on Hopper
   * are reported 10–20% slower than native fp8 ones (blackwell-gpu-wiki "Marlin and friends", read
   * 2026-03). 0.85 is that midpoint, an assumption not fitted to a profile.
   */
  static final double DEQUANT_EFF = 0.85;

  private final RooflineParams params;

  /** Units of decode parallelism per request: KV heads per rank (GQA) or query heads (MLA). */
  private final int decodeUnitsPerRequest;

  private final Gemm attnPreProj;
  private final Gemm attnPostProj;
  // MLA's further projections (null for other models): q_b, kv_a, kv_b before attention; o after.
  private final Gemm[] attnPreProjMore;
  private final Gemm[] attnPostProjMore;
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
  // MLA prefill: the up-projection (kv_b) of each cached token of earlier chunks.
  private final double prefillUpProjMsPerContext;
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
    // The weight GEMMs' format: bytes streamed per weight and the tensor-core peak they run at.
    Precision weights = deployment.weights();
    double weightBytes = weights.bytesPerElement();
    double weightFlopMs =
        weights.sixteenBit()
            ? gemmFlopMs
            : 1e3
                / (nativeCompute(deployment.sku(), weights)
                    ? deployment.sku().peakFlops(weights) * g.effMax()
                    : peak * g.effMax() * DEQUANT_EFF);
    Gemm.Shape shape = new Gemm.Shape(weightFlopMs, weightBytes, gemmByteMs, g);

    double e = model.embeddingDim();
    double d = model.headDim();
    double qw = model.qHeadsPerRank(tp);
    double kvw = model.kvHeadsPerRank(tp);
    double fPerRank = (double) model.mlpHiddenDim() / tp;
    MlaSpec mla = model.mla();
    // KV bytes per token and layer in the cache's format (MLA: the latent, on every rank).
    double kvBytes = deployment.kvBytesPerTokenPerLayer();

    double upWidth = (model.useGatedMlp() ? 2 : 1) * fPerRank;
    this.mlpUpProj = shape.of(e, upWidth);
    this.mlpDownProj = shape.of(fPerRank, e);

    // Accesses per element: the embedding gather, RoPE and norms read and write; add reads two
    // and writes one; the gated activation reads gate and up and writes one; the KV-cache save
    // writes the token's cache entry.
    RooflineParams.Elementwise w = params.elementwise();
    double byteMs = 1e3 / hbm;
    this.embMsPerToken = 2 * BYTES * e * byteMs / w.normEff();
    this.normMsPerToken = 2 * BYTES * e * byteMs / w.normEff();
    this.actMsPerToken = (model.useGatedMlp() ? 3 : 2) * BYTES * fPerRank * byteMs / w.actEff();
    this.addMsPerToken = 3 * BYTES * e * byteMs / w.addEff();
    this.kvSaveMsPerToken = kvBytes * byteMs / params.attention().kvSaveEff();

    RooflineParams.Attention a = params.attention();
    double attnFlopMs = 1e3 / (peak * a.prefillEff());
    this.prefillKvMsPerToken = kvBytes * gemmByteMs;
    this.decodeMemMsPerKv = kvBytes * byteMs / a.decodeEff();
    if (mla == null) {
      this.decodeUnitsPerRequest = model.kvHeadsPerRank(tp);
      this.attnPreProj = shape.of(e, d * (qw + 2 * kvw));
      this.attnPostProj = shape.of(d * qw, e);
      this.attnPreProjMore = null;
      this.attnPostProjMore = null;
      this.ropeMsPerToken = 2 * BYTES * d * (qw + kvw) * byteMs / w.ropeEff();
      this.prefillMsPerWork = ModelFlops.attentionPerTokenPair(qw, d) * attnFlopMs;
      this.prefillQoMsPerToken = 2 * BYTES * d * qw * gemmByteMs;
      this.prefillUpProjMsPerContext = 0;
      this.decodeComputeMsPerKv = ModelFlops.attentionPerTokenPair(qw, d) * attnFlopMs;
    } else {
      // vLLM's DeepSeek MLA: q_a and kv_a (fused, replicated on every rank), q_b and kv_b
      // column-parallel over the heads, o row-parallel.
      double lora = mla.kvLoraRank();
      double rope = mla.qkRopeHeadDim();
      double qk = mla.qkNopeHeadDim() + rope;
      double v = mla.vHeadDim();
      double qIn = mla.qLoraRank() > 0 ? mla.qLoraRank() : e;
      this.decodeUnitsPerRequest = model.qHeadsPerRank(tp);
      // q_a (absent without a query bottleneck: q_b then reads the hidden state)
      this.attnPreProj = mla.qLoraRank() > 0 ? shape.of(e, mla.qLoraRank()) : shape.of(0, 0);
      this.attnPreProjMore =
          new Gemm[] {
            shape.of(qIn, qw * qk),
            shape.of(e, lora + rope),
            shape.of(lora, qw * mla.qkNopeHeadDim())
          };
      this.attnPostProj = shape.of(lora, qw * v);
      this.attnPostProjMore = new Gemm[] {shape.of(qw * v, e)};
      this.ropeMsPerToken = 2 * BYTES * rope * (qw + 1) * byteMs / w.ropeEff();
      // Prefill: multi-head attention with qk-wide keys and v-wide values per head.
      this.prefillMsPerWork = 2 * qw * (qk + v) * attnFlopMs;
      this.prefillQoMsPerToken = BYTES * qw * (qk + v) * gemmByteMs;
      this.prefillUpProjMsPerContext =
          ModelFlops.gemmPerToken(lora, qw * (mla.qkNopeHeadDim() + v)) * gemmFlopMs;
      // Absorbed decode: scores over the latent and the rotary key, values over the latent.
      this.decodeComputeMsPerKv = 2 * qw * (lora + rope + lora) * attnFlopMs;
    }

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

    this.moe =
        model.isMoe()
            ? new MoeOps(
                deployment, params, shape, new Gemm.Shape(gemmFlopMs, BYTES, gemmByteMs, g), hbm)
            : null;
  }

  /** The fitted all-reduce figures of {@code link}, which other collectives on it share. */
  static RooflineParams.LinkFit linkFit(RooflineParams.Network net, Link link, NodeSku node) {
    return linkFit(net, net.allReduce(), link, node);
  }

  /**
   * True when the SKU multiplies the weights' format natively (W8A8 fp8 on Hopper and later, fp4 on
   * Blackwell); false for weight-only formats (int4 computes in 16 bits after dequantising).
   */
  private static boolean nativeCompute(DeviceSku sku, Precision weights) {
    return switch (weights.compute()) {
      case FP16 -> weights.sixteenBit();
      case FP8 -> sku.fp8Tflops() > 0;
      case FP4 -> sku.fp4Tflops() > 0;
    };
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
    double ms = attnPreProj.ms(tokens);
    return attnPreProjMore == null ? ms : ms + Gemm.ms(attnPreProjMore, tokens);
  }

  public double attnPostProjMs(double tokens) {
    double ms = attnPostProj.ms(tokens);
    return attnPostProjMore == null ? ms : ms + Gemm.ms(attnPostProjMore, tokens);
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
    double compute = work * prefillMsPerWork;
    if (prefillUpProjMsPerContext > 0) {
      compute += (kvTokens - queryTokens) * prefillUpProjMsPerContext;
    }
    return Math.max(compute, kvTokens * prefillKvMsPerToken + queryTokens * prefillQoMsPerToken)
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
    double units = (double) requests * decodeUnitsPerRequest;
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
   * One [T × k] · [k × n] GEMM as millisecond coefficients. Compute time is FLOPs / (peak · eff)
   * with eff = effMax · T / (T + halfTokens), i.e. 2kn · (T + halfTokens) / (peak · effMax): linear
   * in T, with no division by T. Memory time streams the weights once (in their format's bytes)
   * plus the 16-bit activations.
   */
  record Gemm(
      double computeMsPerToken,
      double computeFixedMs,
      double weightMs,
      double activationMsPerToken,
      double launchMs) {

    /** The deployment's GEMM coefficients: FLOP and byte times and weight bytes per element. */
    record Shape(double flopMs, double weightBytes, double byteMs, RooflineParams.Gemm g) {
      Gemm of(double k, double n) {
        if (k * n == 0) {
          return new Gemm(0, 0, 0, 0, 0);
        }
        double flopsPerToken = ModelFlops.gemmPerToken(k, n);
        return new Gemm(
            flopsPerToken * flopMs,
            flopsPerToken * g.halfTokens() * flopMs,
            weightBytes * k * n * byteMs,
            BYTES * (k + n) * byteMs,
            g.launchMs());
      }
    }

    /** GEMMs run one after another. */
    static double ms(Gemm[] gemms, double tokens) {
      double ms = 0;
      for (Gemm x : gemms) {
        ms += x.ms(tokens);
      }
      return ms;
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
