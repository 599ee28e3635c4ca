package io.llmcap.scheduler;

import io.llmcap.catalog.Deployment;
import io.llmcap.config.SimulationConfig.SchedulerConfig;
import io.llmcap.kv.HostKvTier;

/**
 * A replica's host-memory KV tier ({@code scheduler.cpu_offload_gib}, vLLM's {@code
 * --kv-offloading-size}): how many blocks it holds and how long one block takes to load back.
 *
 * <p>vLLM reads the size as the replica's total, summed over its tensor- and pipeline-parallel
 * ranks: each rank gets {@code size / (tp × pp)} ({@code vllm/config/kv_offloading.py} {@code
 * NativeOffloadingParser}), in blocks of its own KV shard. So the tier holds {@code size} over the
 * bytes of one block of the whole replica (every layer, every KV head, in the KV-cache format), the
 * bytes per token that the memory plan uses. A load moves each GPU's shard over its own host link
 * at once ({@link io.llmcap.catalog.NodeSku#hostLinkBandwidth()}), so one block takes its per-GPU
 * bytes over one GPU's bandwidth: the replica's bytes over tp × pp links. Each attention
 * data-parallel group is its own engine with its own tier.
 *
 * @param blocks blocks the tier holds
 * @param loadSecondsPerBlock seconds to load one block back into the GPUs
 */
public record HostTierPlan(int blocks, double loadSecondsPerBlock) {
  private static final double GIB = 1024.0 * 1024.0 * 1024.0;

  /** The tier {@code s} asks for on {@code d}, or null when {@code cpu_offload_gib} is 0. */
  public static HostTierPlan of(SchedulerConfig s, Deployment d, int blockSize) {
    if (s.cpuOffloadGib() <= 0) {
      return null;
    }
    long perGpuBlock = (long) blockSize * d.kvBytesPerToken(d.layersPerStage());
    long replicaBlock = perGpuBlock * d.tp() * d.pp();
    int blocks = HostKvTier.blocksFor(s.cpuOffloadGib() * GIB, replicaBlock);
    return new HostTierPlan(blocks, perGpuBlock / d.node().hostLinkBandwidth());
  }
}
