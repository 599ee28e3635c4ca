package io.llmcap.scheduler;

import io.llmcap.config.SimulationConfig.SchedulerConfig;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a replica scheduler is built from.
 *
 * @param replicaId the replica's index, from 0
 * @param numStages pipeline stages of the replica (at most one batch in flight per stage)
 * @param config the {@code scheduler} section: shared knobs and plug-in blocks
 * @param memory the memory planner's result: KV blocks, block size, request slots
 * @param batchIds batch id counter, shared by all replicas of a run
 */
public record SchedulerContext(
    int replicaId, int numStages, SchedulerConfig config, MemoryPlan memory, AtomicLong batchIds) {}
