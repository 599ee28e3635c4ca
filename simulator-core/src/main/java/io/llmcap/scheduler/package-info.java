/**
 * Replica schedulers (vLLM, Orca, Sarathi, LightLLM, FasterTransformer), their shared building
 * blocks (batch builder, token budget, memory planner) and the scheduler seam: {@link
 * io.llmcap.scheduler.SchedulerProvider} with its {@link io.llmcap.scheduler.SchedulerRules} (block
 * size, PP support, capacity, token ranges), registered in {@link io.llmcap.scheduler.Schedulers}.
 */
package io.llmcap.scheduler;
