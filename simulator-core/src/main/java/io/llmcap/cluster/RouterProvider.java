package io.llmcap.cluster;

import io.llmcap.plugin.Plugin;
import java.util.function.Function;

/**
 * Makes global schedulers (routers) of one kind; the config key {@code router} selects it by {@link
 * #name()}, and its own options live in {@code router_options.<name>}.
 *
 * <p>A jar adds a router by implementing this interface (public class, public no-argument
 * constructor) and listing the class in {@code META-INF/services/io.llmcap.cluster.RouterProvider}.
 * See {@code docs/extending.md}.
 *
 * @param <O> the options record, or {@link Void}
 */
public interface RouterProvider<O> extends Plugin<O> {
  /**
   * The router of one run, created once per run.
   *
   * @param options the bound and validated options, or null when the plug-in has none
   */
  GlobalScheduler create(RouterContext ctx, O options);

  /** A provider without options, for the built-ins. */
  static RouterProvider<Void> of(String name, Function<RouterContext, GlobalScheduler> f) {
    return new RouterProvider<>() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public GlobalScheduler create(RouterContext ctx, Void options) {
        return f.apply(ctx);
      }
    };
  }
}
