package io.llmcap.cluster;

import io.llmcap.config.ConfigException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/** Global schedulers by config name. */
public final class Routers {
  private static final Map<String, LongFunction<GlobalScheduler>> REGISTRY = new LinkedHashMap<>();

  static {
    REGISTRY.put("round_robin", seed -> new RoundRobinRouter());
    REGISTRY.put("random", RandomRouter::new);
    REGISTRY.put("lor", seed -> new LeastOutstandingRouter());
  }

  private Routers() {}

  public static Set<String> names() {
    return REGISTRY.keySet();
  }

  public static void check(String name) {
    if (!REGISTRY.containsKey(name)) {
      throw ConfigException.unknown("router", "router", name, REGISTRY.keySet());
    }
  }

  public static GlobalScheduler create(String name, long seed) {
    check(name);
    return REGISTRY.get(name).apply(seed);
  }
}
