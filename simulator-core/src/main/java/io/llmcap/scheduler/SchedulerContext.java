package io.llmcap.scheduler;

import io.llmcap.config.SimulationConfig.SchedulerConfig;
import io.llmcap.kv.KvManagerFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a replica scheduler is built from.
 *
 * @param replicaId the replica's index, from 0
 * @param numStages pipeline stages of the replica (at most one batch in flight per stage)
 * @param config the {@code scheduler} section: shared knobs and plug-in blocks
 * @param memory the memory planner's result: KV blocks, block size, request slots
 * @param batchIds batch id counter, shared by all replicas of a run
 * @param kvManagers makes the replica's KV manager (the provider's {@link
 *     SchedulerRules#kvManagers}, set by {@link Schedulers#create})
 * @param hostTier the host-memory KV tier ({@code scheduler.cpu_offload_gib}), or null when off
 */
public record SchedulerContext(
    int replicaId,
    int numStages,
    SchedulerConfig config,
    MemoryPlan memory,
    AtomicLong batchIds,
    KvManagerFactory kvManagers,
    HostTierPlan hostTier) {
  /** A context without a host-memory tier. */
  public SchedulerContext(
      int replicaId,
      int numStages,
      SchedulerConfig config,
      MemoryPlan memory,
      AtomicLong batchIds,
      KvManagerFactory kvManagers) {
    this(replicaId, numStages, config, memory, batchIds, kvManagers, null);
  }

  /** A context with the plain KV manager. */
  public SchedulerContext(
      int replicaId,
      int numStages,
      SchedulerConfig config,
      MemoryPlan memory,
      AtomicLong batchIds) {
    this(replicaId, numStages, config, memory, batchIds, KvManagerFactory.PLAIN, null);
  }

  /** This context with {@code f} making the KV manager. */
  public SchedulerContext withKvManagers(KvManagerFactory f) {
    return new SchedulerContext(replicaId, numStages, config, memory, batchIds, f, hostTier);
  }

  /** This context with the host-memory tier {@code t} (null: none). */
  public SchedulerContext withHostTier(HostTierPlan t) {
    return new SchedulerContext(replicaId, numStages, config, memory, batchIds, kvManagers, t);
  }
}
