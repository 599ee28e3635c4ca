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
              SchedulerProvider.of("vllm", VllmScheduler::new),
              SchedulerProvider.of("sarathi", SarathiScheduler::new),
              SchedulerProvider.of("orca", OrcaScheduler::new),
              SchedulerProvider.of("faster_transformer", FasterTransformerScheduler::new),
              SchedulerProvider.of("lightllm", LightLlmScheduler::new)));

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

  public static ReplicaScheduler create(SchedulerContext ctx) {
    return create(REGISTRY.get(ctx.config().type()), ctx);
  }

  private static <O> ReplicaScheduler create(SchedulerProvider<O> p, SchedulerContext ctx) {
    return p.create(ctx, REGISTRY.options(p, ctx.config().plugins()));
  }
}
