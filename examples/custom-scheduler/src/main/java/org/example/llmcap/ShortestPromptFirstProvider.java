package org.example.llmcap;

import io.llmcap.base.ConfigException;
import io.llmcap.scheduler.ReplicaScheduler;
import io.llmcap.scheduler.SchedulerContext;
import io.llmcap.scheduler.SchedulerProvider;

/**
 * Registers {@link ShortestPromptFirstScheduler} as scheduler {@code spf}; listed in {@code
 * META-INF/services/io.llmcap.scheduler.SchedulerProvider}, which is how llmcap finds it.
 */
public final class ShortestPromptFirstProvider
    implements SchedulerProvider<ShortestPromptFirstProvider.Options> {

  /**
   * The keys of config block {@code scheduler.spf} (snake_case of the component names).
   *
   * @param maxOvertakes how many later-arrived requests may start before a waiting request does;
   *     once a request has been overtaken this often it is served before any shorter prompt
   */
  public record Options(int maxOvertakes) {}

  @Override
  public String name() {
    return "spf";
  }

  @Override
  public Options defaultOptions() {
    return new Options(32);
  }

  @Override
  public void validate(Options options, String field) {
    if (options.maxOvertakes() < 0) {
      throw ConfigException.invalid(
          field + ".max_overtakes", options.maxOvertakes(), "an integer ≥ 0 (0: plain FCFS)");
    }
  }

  @Override
  public ReplicaScheduler create(SchedulerContext ctx, Options options) {
    return new ShortestPromptFirstScheduler(ctx, options.maxOvertakes());
  }
}
