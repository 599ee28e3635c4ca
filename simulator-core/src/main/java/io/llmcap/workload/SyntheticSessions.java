package io.llmcap.workload;

import io.llmcap.workload.SessionSource.Session;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Draws sessions ({@link SessionParams}): starts at the running sum of an interval generator's
 * gaps, a geometric turn count with the configured mean, a system prompt chosen uniformly, and per
 * turn lognormal token counts with the configured means and spreads and an exponential think time.
 * Every number of a session is drawn when it starts, from one generator in session order, so a seed
 * gives the same sessions whatever the engine's timing.
 */
public final class SyntheticSessions implements Supplier<Session> {
  private final SessionParams p;
  private final IntervalGenerator starts;
  private final SplittableRandom random;
  private final int maxTokens;
  private double time;
  private long id;

  /**
   * @param maxTokens token counts are capped here before rounding, so they fit an int
   */
  public SyntheticSessions(SessionParams p, IntervalGenerator starts, long seed, int maxTokens) {
    this.p = p;
    this.starts = starts;
    this.random = new SplittableRandom(seed);
    this.maxTokens = maxTokens;
  }

  @Override
  public Session get() {
    double gap = starts.next();
    if (gap < 0) {
      return null;
    }
    time += gap;
    int turns = geometric(p.turns());
    int[] fresh = new int[turns];
    int[] output = new int[turns];
    double[] think = new double[turns];
    for (int k = 0; k < turns; k++) {
      fresh[k] =
          k == 0
              ? lognormal(p.firstInputTokens(), p.firstCv())
              : lognormal(p.inputTokens(), p.inputCv());
      output[k] = lognormal(p.outputTokens(), p.outputCv());
      think[k] = k == 0 ? 0 : exponential(p.thinkTime());
    }
    int prompt = p.systemPromptTokens() > 0 ? random.nextInt(p.systemPrompts()) : -1;
    return new Session(id++, time, prompt, fresh, output, think, random.nextLong());
  }

  /** At least 1, mean {@code mean}: P(n) = q (1 − q)^(n − 1) with q = 1 / mean. */
  private int geometric(double mean) {
    if (mean <= 1) {
      return 1;
    }
    double u = 1 - random.nextDouble(); // (0, 1]
    double n = 1 + Math.floor(Math.log(u) / Math.log(1 - 1 / mean));
    return (int) Math.min(n, Integer.MAX_VALUE / 2);
  }

  /** Rounded, at least 1: a lognormal with this mean and coefficient of variation (0: the mean). */
  private int lognormal(double mean, double cv) {
    double x = mean;
    if (cv > 0) {
      double s2 = Math.log1p(cv * cv);
      x = Math.exp(Math.log(mean) - s2 / 2 + Math.sqrt(s2) * random.nextGaussian());
    }
    return (int) Math.max(1, Math.round(Math.min(x, maxTokens)));
  }

  private double exponential(double mean) {
    return mean == 0 ? 0 : -mean * Math.log(1 - random.nextDouble());
  }
}
