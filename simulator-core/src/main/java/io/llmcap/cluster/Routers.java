package io.llmcap.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmcap.plugin.Registry;
import java.util.List;
import java.util.Map;

/**
 * Global schedulers by config name: the built-ins below (one line each) and every {@link
 * RouterProvider} on the classpath.
 */
public final class Routers {
  private static final Registry<RouterProvider<?>> REGISTRY =
      new Registry<>(
          "router",
          "router",
          "router_options",
          RouterProvider.class,
          List.of(
              RouterProvider.of("round_robin", c -> new RoundRobinRouter()),
              RouterProvider.of("random", c -> new RandomRouter(c.seed())),
              RouterProvider.of("lor", c -> new LeastOutstandingRouter()),
              PrefixAwareRouter.PROVIDER,
              RouterProvider.of("session_affinity", c -> new SessionAffinityRouter())));

  private Routers() {}

  public static Registry<RouterProvider<?>> registry() {
    return REGISTRY;
  }

  /** Built-in and discovered names. */
  public static List<String> names() {
    return REGISTRY.names();
  }

  public static void check(String name) {
    REGISTRY.get(name);
  }

  /** Checks the name and the selected router's block in {@code router_options}. */
  public static void check(String name, Map<String, JsonNode> options) {
    REGISTRY.options(REGISTRY.get(name), options);
  }

  public static GlobalScheduler create(
      String name, Map<String, JsonNode> options, RouterContext ctx) {
    return create(REGISTRY.get(name), options, ctx);
  }

  private static <O> GlobalScheduler create(
      RouterProvider<O> p, Map<String, JsonNode> options, RouterContext ctx) {
    return p.create(ctx, REGISTRY.options(p, options));
  }
}
