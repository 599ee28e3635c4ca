package io.llmcap.scheduler;

import io.llmcap.config.SimulationConfig.SchedulerConfig;
import java.util.concurrent.atomic.AtomicLong;

/** What a replica scheduler is built from. Batch ids are shared by all replicas of a run. */
public record SchedulerContext(
    int replicaId, int numStages, SchedulerConfig config, MemoryPlan memory, AtomicLong batchIds) {}
