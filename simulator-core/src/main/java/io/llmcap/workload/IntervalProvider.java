package io.llmcap.workload;

import io.llmcap.plugin.Plugin;
import java.util.function.Function;

/**
 * Makes arrival-interval generators of one kind; {@code workload.interval.type} selects it by
 * {@link #name()}, and its own options live in {@code workload.interval.<name>}.
 *
 * <p>A jar adds one by listing its class (public, public no-argument constructor) in {@code
 * META-INF/services/io.llmcap.workload.IntervalProvider}. A workload with a plug-in interval
 * generator needs {@code num_requests} or {@code duration} to end.
 *
 * @param <O> the options record, or {@link Void}
 */
public interface IntervalProvider<O> extends Plugin<O> {
  /**
   * The generator of one run.
   *
   * @param options the bound and validated options, or null when the plug-in has none
   */
  IntervalGenerator create(WorkloadContext ctx, O options);

  /** A provider without options, for the built-ins. */
  static IntervalProvider<Void> of(String name, Function<WorkloadContext, IntervalGenerator> f) {
    return new IntervalProvider<>() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public IntervalGenerator create(WorkloadContext ctx, Void options) {
        return f.apply(ctx);
      }
    };
  }
}
