package io.llmcap.scheduler;

import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.kv.KvLayout;

/**
 * The number of KV blocks a vLLM 0.15.1 (V1 engine) server allocates per GPU, derived the way its
 * worker derives it at start-up ({@code vllm/v1/worker/gpu_worker.py} {@code
 * determine_available_memory}, {@code vllm/utils/mem_utils.py} {@code memory_profiling}, {@code
 * vllm/v1/core/kv_cache_utils.py} {@code get_num_blocks}):
 *
 * <pre>
 *   requested = ceil(total × gpu_memory_utilization)          total as cudaMemGetInfo reports it
 *   kv bytes  = requested − weights − torch peak of a profiling forward − non-torch increase
 *   blocks    = floor(kv bytes / (block × KV bytes per token and layer × layers per group))
 * </pre>
 *
 * <p>Weights and KV take the deployment's formats ({@link Deployment#weightBytes}, {@link
 * Deployment#kvBytesPerTokenPerLayer}: fp8 halves both, MLA caches one latent per token). A model
 * with sliding-window layers has several KV-cache groups ({@link KvLayout}); a block then holds the
 * tokens of one group's layers, as vLLM's hybrid allocator sizes its pages.
 *
 * <p>The profiling forward runs {@code max_num_batched_tokens} tokens split over {@code
 * max_num_seqs} requests, skips the attention kernel, then samples {@code max_num_seqs} rows. CUDA
 * graphs, the CUDA context and NCCL's start-up buffers are not subtracted in 0.15.1 (they live in
 * the 1 − utilisation headroom). One block is reserved as the null block.
 *
 * <p>Checked against the block counts that vLLM 0.15.1 logged for the runs of {@code real-serving/}
 * ("GPU KV cache size: 119,408 tokens" for Llama-2-7B TP1; 425,648 for CodeLlama-34B TP2; 501,712
 * for Llama-2-70B TP4; {@code inference-sim/sim-to-real-accuracy-validation}, 2026-03): see {@code
 * VllmKvCapacityTest}.
 */
public final class VllmKvCapacity {
  private VllmKvCapacity() {}

  /**
   * Share of the HBM that {@code cudaMemGetInfo} reports as total on data-centre GPUs (the rest is
   * the driver's and ECC's): 79.19 of 80 GiB on H100 SXM 80GB (llm-d-benchmark's empirical vLLM
   * memory results: "Free memory on device: 78.57/79.18 GiB"), 79.15 of 80 GiB on A100 80GB.
   */
  static final double CUDA_VISIBLE_FRACTION = 79.19 / 80.0;

  /**
   * Memory that the profiling pass adds outside torch's allocator (cuBLAS workspaces, lazily loaded
   * kernels; with tensor parallelism also the communicators' lazily allocated buffers). Fitted to
   * the three logged block counts above after the activation and sampler terms: 0.19 GiB on one
   * GPU, 0.62 and 0.66 GiB at TP2 and TP4 (their mean is used).
   */
  static final double NON_TORCH_GIB_TP1 = 0.19;

  static final double NON_TORCH_GIB_TP = 0.64;

  private static final double GIB = 1024.0 * 1024.0 * 1024.0;

  /** Usable KV blocks per GPU (the null block excluded). */
  public static int blocks(
      Deployment d,
      double gpuMemoryUtilization,
      int maxNumBatchedTokens,
      int maxNumSeqs,
      int blockSize) {
    double total = d.sku().memoryBytes() * CUDA_VISIBLE_FRACTION;
    double requested = Math.ceil(total * gpuMemoryUtilization);
    double kv =
        requested
            - weightBytes(d)
            - activationPeakBytes(d, maxNumBatchedTokens)
            - samplerBytes(d.model(), maxNumSeqs)
            - (d.tp() > 1 ? NON_TORCH_GIB_TP : NON_TORCH_GIB_TP1) * GIB;
    long perBlock =
        (long) blockSize * d.kvBytesPerTokenPerLayer() * layout(d, blockSize).layersPerGroup();
    return (int) Math.max(0, Math.floor(kv / perBlock) - 1);
  }

  /**
   * The KV-cache groups of a stage's layers (vLLM's hybrid allocator): one group of all layers
   * unless the model has sliding-window layers.
   */
  public static KvLayout layout(Deployment d, int blockSize) {
    int sliding = d.slidingLayersPerStage();
    int window = sliding == 0 ? 0 : d.model().slidingWindow().window();
    return KvLayout.of(blockSize, d.layersPerStage() - sliding, sliding, window);
  }

  /**
   * Weights on one GPU: the layers of its stage in the deployment's weight format plus the
   * vocabulary-parallel embedding and output head (one matrix when tied) in 16 bits, which
   * quantised checkpoints leave unquantised; all sharded over the tensor-parallel ranks.
   */
  static double weightBytes(Deployment d) {
    double layers = (double) d.layerParamsPerDevice();
    double vocab = (double) d.model().embeddingParams() / d.tp();
    return d.weightBytes(layers) + 2 * vocab;
  }

  /**
   * The torch peak of the profiling forward: the residual and hidden states, the gated MLP's
   * up-projection output and its activation output, all live together, for every token of the step,
   * in 16 bits.
   */
  static double activationPeakBytes(Deployment d, int tokens) {
    ModelSpec m = d.model();
    if (m.isMoe() && d.moeLayers(0) > 0) {
      return moeActivationPeakBytes(d, tokens);
    }
    double mlp = (double) m.mlpHiddenDim() / d.tp();
    return 2.0 * tokens * (2.0 * m.embeddingDim() + (m.useGatedMlp() ? 3 : 2) * mlp);
  }

  /**
   * The profiling forward of an MoE layer: the residual and hidden states plus the fused-MoE
   * kernel's three intermediate caches, live together ({@code fused_moe.py}: {@code
   * intermediate_cache1} of M × top-k × 2 F (gate and up), {@code cache2} of M × top-k × F after
   * the activation, {@code cache3} of M × top-k × hidden), F the expert width on this device (the
   * expert's slice without expert parallelism, whole experts with it, where each device receives M
   * × top-k / ep routed tokens on average).
   */
  static double moeActivationPeakBytes(Deployment d, int tokens) {
    ModelSpec m = d.model();
    int shareDevices = d.tp() * d.dp();
    double width =
        d.ep() > 1 ? m.moe().expertHiddenDim() : (double) m.moe().expertHiddenDim() / shareDevices;
    double pairs = (double) tokens * m.moe().topK() / d.ep();
    double gate = m.useGatedMlp() ? 2 : 1;
    return 2.0
        * (2.0 * tokens * m.embeddingDim() + pairs * ((gate + 1) * width + m.embeddingDim()));
  }

  /** The dummy sampler run: fp32 logits, sorted values and int64 indices for each row. */
  static double samplerBytes(ModelSpec m, int rows) {
    return (double) rows * m.vocabSize() * (4 + 4 + 8);
  }
}
