package io.llmcap.workload;

import io.llmcap.plugin.Plugin;
import java.util.function.Function;

/**
 * Makes request-length generators of one kind; {@code workload.length.type} selects it by {@link
 * #name()} (when {@code workload.preset} is null), and its own options live in {@code
 * workload.length.<name>}.
 *
 * <p>A jar adds one by listing its class (public, public no-argument constructor) in {@code
 * META-INF/services/io.llmcap.workload.LengthProvider}. Lengths it returns are clipped to {@code
 * workload.max_tokens} proportionally, as for the built-ins.
 *
 * @param <O> the options record, or {@link Void}
 */
public interface LengthProvider<O> extends Plugin<O> {
  /**
   * The generator of one run.
   *
   * @param options the bound and validated options, or null when the plug-in has none
   */
  LengthGenerator create(WorkloadContext ctx, O options);

  /** A provider without options, for the built-ins. */
  static LengthProvider<Void> of(String name, Function<WorkloadContext, LengthGenerator> f) {
    return new LengthProvider<>() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public LengthGenerator create(WorkloadContext ctx, Void options) {
        return f.apply(ctx);
      }
    };
  }
}
