package io.llmcap.predictors.roofline;

import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.catalog.MoeSpec;
import io.llmcap.catalog.NodeSku;

/**
 * Roofline times of a mixture-of-experts FFN on one device, in milliseconds per MoE layer, for a
 * batch of T tokens of the device's own (data-parallel group's) batch. With attention data
 * parallelism dp, the MoE layer processes every group's tokens together, and the groups are taken
 * to be equally loaded: the layer sees T_g = dp · T tokens.
 *
 * <ul>
 *   <li><b>Router</b> ({@code moe_gate}): a T × hidden · hidden × E GEMM on every device.
 *   <li><b>Routed experts</b> ({@code moe_up_proj}, {@code moe_down_proj}): a grouped GEMM, one
 *       skinny GEMM per expert over the tokens it receives. Without expert parallelism every device
 *       holds a 1 / (tp · dp) slice of each of the E experts and runs all T_g · k (token, expert)
 *       pairs through its slices; with it (ep = tp · dp) each device holds E / ep whole experts and
 *       the busiest device runs T_g · k / ep · imbalance pairs. A batch touches E_loc · (1 − (1 −
 *       k/E)^T_g) of a device's E_loc experts on average (each token picks k of E), and every
 *       touched expert's weights are read once: why small-batch MoE decode is bound by reading the
 *       touched experts' weights. Compute is each expert's GEMM at the dense GEMM efficiency curve,
 *       which sums to FLOPs · (pairs + touched · halfTokens) / (peak · effMax).
 *   <li><b>Shared experts</b>: a dense FFN of the group's T tokens, split over its TP ranks.
 *   <li><b>Dispatch and combine</b> ({@code moe_all_to_all}, only with dp &gt; 1): with expert
 *       parallelism each device sends its tokens' k copies to the experts' devices and receives the
 *       results back, (ep − 1) / ep of them leaving the device; without, the groups' tokens are
 *       all-gathered and the outputs reduce-scattered. Over NVLink inside a node, the inter-node
 *       network across nodes ({@link Link}), at the all-reduce's fitted efficiency of that link.
 * </ul>
 *
 * <p>Imbalance: the routed pairs fall on the ep devices as a multinomial draw under balanced
 * routing; the busiest device's expected excess over the mean μ = T_g · k / ep is about σ √(2 ln
 * ep), σ = √(μ (1 − 1/ep)) (the expected maximum of ep near-normal counts), so its load factor is 1
 * + √(2 ln ep · (1 − 1/ep) / μ), capped at ep: large for a few decodes, near 1 for big prefill
 * batches. Routing preferences beyond that (learned skew) are not modelled: the routers of the
 * shipped models are trained with load-balancing losses.
 */
final class MoeOps {
  private final int dp;
  private final int ep;
  private final int topK;
  private final double localExperts;
  private final double untouched; // 1 − k/E: the chance one token leaves a given expert out
  private final double sqrtTwoLnEp;

  private final RooflineOps.Gemm gate;
  private final RooflineOps.Gemm sharedUp;
  private final RooflineOps.Gemm sharedDown;
  private final RooflineOps.Gemm expertUp;
  private final RooflineOps.Gemm expertDown;
  private final double actMsPerPair;
  private final double sharedActMsPerToken;
  private final double actLaunchMs;
  private final double a2aMsPerToken;
  private final double a2aFixedMs;

  /**
   * @param weights GEMMs of the experts' weights in the deployment's format
   * @param sixteenBit GEMMs of 16-bit weights: the router, which quantised checkpoints keep in 16
   *     bits
   */
  MoeOps(
      Deployment deployment,
      RooflineParams params,
      RooflineOps.Gemm.Shape weights,
      RooflineOps.Gemm.Shape sixteenBit,
      double hbm) {
    ModelSpec model = deployment.model();
    MoeSpec moe = model.moe();
    int tp = deployment.tp();
    this.dp = deployment.dp();
    this.ep = deployment.ep();
    this.topK = moe.topK();
    int share = tp * dp;
    this.localExperts = ep > 1 ? (double) moe.numExperts() / ep : moe.numExperts();
    this.untouched = 1.0 - (double) moe.topK() / moe.numExperts();
    this.sqrtTwoLnEp = Math.sqrt(2 * Math.log(ep) * (1 - 1.0 / ep));

    double e = model.embeddingDim();
    double gated = model.useGatedMlp() ? 2 : 1;
    double width = ep > 1 ? moe.expertHiddenDim() : (double) moe.expertHiddenDim() / share;
    this.gate = sixteenBit.of(e, moe.numExperts());
    this.expertUp = weights.of(e, gated * width);
    this.expertDown = weights.of(width, e);
    double shared = (double) moe.sharedExperts() * moe.sharedExpertHiddenDim() / tp;
    this.sharedUp = shared > 0 ? weights.of(e, gated * shared) : null;
    this.sharedDown = shared > 0 ? weights.of(shared, e) : null;

    RooflineParams.Elementwise w = params.elementwise();
    double elemMs = 1e3 / hbm / w.actEff();
    this.actMsPerPair = (gated + 1) * RooflineOps.BYTES * width * elemMs;
    this.sharedActMsPerToken = (gated + 1) * RooflineOps.BYTES * shared * elemMs;
    this.actLaunchMs = w.launchMs();

    NodeSku node = deployment.node();
    Link link = Link.of(node, share, deployment.multiNode());
    RooflineParams.LinkFit fit = RooflineOps.linkFit(params.network(), link, node);
    double msPerByte = 1e3 / (link.bandwidthBytesPerS(node) * fit.bandwidthEff());
    // Bytes one device sends (and receives) per token of its group, each way.
    double bytesPerToken =
        ep > 1
            ? moe.topK() * e * RooflineOps.BYTES * (ep - 1.0) / ep / tp
            : e * RooflineOps.BYTES * (dp - 1.0);
    this.a2aMsPerToken = 2 * bytesPerToken * msPerByte;
    this.a2aFixedMs = 2 * fit.latencyUs() * 1e-3;
  }

  /** Tokens the MoE layer processes: every data-parallel group's. */
  private double layerTokens(double tokens) {
    return tokens * dp;
  }

  /** Expected experts of this device that at least one of {@code layerTokens} tokens picks. */
  double touchedExperts(double layerTokens) {
    return localExperts * (1 - Math.pow(untouched, layerTokens));
  }

  /** (token, expert) pairs the busiest device runs. */
  double pairs(double layerTokens) {
    double mean = layerTokens * topK / ep;
    if (ep == 1 || mean <= 0) {
      return mean;
    }
    return mean * Math.min(ep, 1 + sqrtTwoLnEp / Math.sqrt(mean));
  }

  double gateMs(double tokens) {
    return gate.ms(tokens);
  }

  double upMs(double tokens) {
    double t = layerTokens(tokens);
    double ms = expertUp.grouped(pairs(t), touchedExperts(t));
    return sharedUp == null ? ms : ms + sharedUp.ms(tokens);
  }

  double downMs(double tokens) {
    double t = layerTokens(tokens);
    double ms = expertDown.grouped(pairs(t), touchedExperts(t));
    return sharedDown == null ? ms : ms + sharedDown.ms(tokens);
  }

  double actMs(double tokens) {
    return pairs(layerTokens(tokens)) * actMsPerPair + tokens * sharedActMsPerToken + actLaunchMs;
  }

  /** Dispatch and combine of {@code tokens} tokens of this group, NCCL launch excluded. */
  double allToAllMs(double tokens) {
    return tokens * a2aMsPerToken + a2aFixedMs;
  }
}
