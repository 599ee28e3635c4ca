package io.llmcap.scheduler;

import io.llmcap.config.SimulationConfig.SchedulerConfig;
import io.llmcap.plugin.Registry;
import java.util.List;

/**
 * The replica schedulers by config name: the built-ins below (one line each) and every {@link
 * SchedulerProvider} on the classpath.
 */
public final class Schedulers {
  private static final Registry<SchedulerProvider<?>> REGISTRY =
      new Registry<>(
          "scheduler",
          "scheduler.type",
          "scheduler",
          SchedulerProvider.class,
          List.of(
              SchedulerProvider.of("vllm", VllmScheduler::new, VllmScheduler.RULES),
              SchedulerProvider.of("sarathi", SarathiScheduler::new, SarathiScheduler.RULES),
              SchedulerProvider.of("orca", OrcaScheduler::new, ReplicaScheduler.WORST_CASE),
              SchedulerProvider.of(
                  "faster_transformer",
                  FasterTransformerScheduler::new,
                  ReplicaScheduler.WORST_CASE),
              SchedulerProvider.of("lightllm", LightLlmScheduler::new, LightLlmScheduler.RULES),
              SchedulerProvider.of("vllm_v1", VllmV1Scheduler::new, VllmV1Scheduler.RULES)));

  private Schedulers() {}

  public static Registry<SchedulerProvider<?>> registry() {
    return REGISTRY;
  }

  /** Built-in and discovered names. */
  public static List<String> names() {
    return REGISTRY.names();
  }

  /** Checks that {@code type} names a scheduler. */
  public static void check(String type) {
    REGISTRY.get(type);
  }

  /** Checks the name and the selected scheduler's own config block. */
  public static void check(SchedulerConfig s) {
    REGISTRY.options(REGISTRY.get(s.type()), s.plugins());
  }

  /** What the scheduler named {@code type} requires of the run (block size, capacity, …). */
  public static SchedulerRules rules(String type) {
    return REGISTRY.get(type);
  }

  /** A replica's scheduler, with the KV manager its provider chooses. */
  public static ReplicaScheduler create(SchedulerContext ctx) {
    return create(REGISTRY.get(ctx.config().type()), ctx);
  }

  private static <O> ReplicaScheduler create(SchedulerProvider<O> p, SchedulerContext ctx) {
    return p.create(
        ctx.withKvManagers(p.kvManagers()), REGISTRY.options(p, ctx.config().plugins()));
  }
}
