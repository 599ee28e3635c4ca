package io.llmcap.scheduler;

import io.llmcap.config.ConfigException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** The replica schedulers by config name. Adding one is one class and one line here. */
public final class Schedulers {
  private static final Map<String, Function<SchedulerContext, ReplicaScheduler>> REGISTRY =
      new LinkedHashMap<>();

  static {
    REGISTRY.put("vllm", VllmScheduler::new);
    REGISTRY.put("sarathi", SarathiScheduler::new);
    REGISTRY.put("orca", OrcaScheduler::new);
    REGISTRY.put("faster_transformer", FasterTransformerScheduler::new);
    REGISTRY.put("lightllm", LightLlmScheduler::new);
  }

  private Schedulers() {}

  public static java.util.Set<String> names() {
    return REGISTRY.keySet();
  }

  public static void check(String type) {
    if (!REGISTRY.containsKey(type)) {
      throw ConfigException.unknown("scheduler.type", "scheduler", type, REGISTRY.keySet());
    }
  }

  public static ReplicaScheduler create(SchedulerContext ctx) {
    check(ctx.config().type());
    return REGISTRY.get(ctx.config().type()).apply(ctx);
  }
}
