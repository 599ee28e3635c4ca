package io.llmcap.scheduler;

import io.llmcap.catalog.Deployment;
import io.llmcap.config.SimulationConfig.SchedulerConfig;
import io.llmcap.kv.KvManagerFactory;
import io.llmcap.plugin.Plugin;
import io.llmcap.timing.EngineFeatures;
import java.util.function.Function;

/**
 * Makes replica schedulers of one kind; {@code scheduler.type} selects it by {@link #name()}.
 *
 * <p>A jar adds a scheduler by implementing this interface (public class, public no-argument
 * constructor) and listing the class in {@code
 * META-INF/services/io.llmcap.scheduler.SchedulerProvider}. The scheduler reads the shared knobs
 * from {@link SchedulerContext#config()} ({@code batch_size_cap}, {@code block_size}, {@code
 * watermark_fraction}, …) and its own from the options record ({@link Plugin#defaultOptions()}).
 * What it requires of the run (block size, pipeline support, KV capacity, token budget, KV manager)
 * it declares by overriding {@link SchedulerRules}' defaults, which fit a paged scheduler. See
 * {@code examples/custom-scheduler/} and {@code docs/extending.md}.
 *
 * @param <O> the options record, or {@link Void}
 */
public interface SchedulerProvider<O> extends Plugin<O>, SchedulerRules {
  /**
   * A new scheduler for one replica. Called once per replica per run; schedulers must not share
   * mutable state, so that runs stay deterministic and repeatable.
   *
   * @param options the bound and validated options, or null when the plug-in has none
   */
  ReplicaScheduler create(SchedulerContext ctx, O options);

  /** A provider without options, for the built-ins. */
  static SchedulerProvider<Void> of(String name, Function<SchedulerContext, ReplicaScheduler> f) {
    return of(name, f, new SchedulerRules() {});
  }

  /**
   * A provider without options that declares {@code rules}. Every {@link SchedulerRules} method is
   * delegated below; a new rule must be added here too (a test checks).
   */
  static SchedulerProvider<Void> of(
      String name, Function<SchedulerContext, ReplicaScheduler> f, SchedulerRules rules) {
    return new SchedulerProvider<>() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public ReplicaScheduler create(SchedulerContext ctx, Void options) {
        return f.apply(ctx);
      }

      @Override
      public int blockSize(SchedulerConfig s) {
        return rules.blockSize(s);
      }

      @Override
      public boolean supportsPipelineParallel() {
        return rules.supportsPipelineParallel();
      }

      @Override
      public int minKvBlocks(SchedulerConfig s, MemoryPlan plan, int maxTokens) {
        return rules.minKvBlocks(s, plan, maxTokens);
      }

      @Override
      public TokenBudget tokenBudget(SchedulerConfig s) {
        return rules.tokenBudget(s);
      }

      @Override
      public MemoryPlan memoryPlan(
          SchedulerConfig s,
          Deployment d,
          double memoryMargin,
          int maxTokens,
          int blockSize,
          Deployment draft) {
        return rules.memoryPlan(s, d, memoryMargin, maxTokens, blockSize, draft);
      }

      @Override
      public EngineFeatures engineFeatures(SchedulerConfig s) {
        return rules.engineFeatures(s);
      }

      @Override
      public KvManagerFactory kvManagers() {
        return rules.kvManagers();
      }
    };
  }
}
