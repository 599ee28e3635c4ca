package io.llmcap.workload;

import io.llmcap.workload.SessionSource.Session;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Draws sessions ({@link SessionParams}): starts at the running sum of an interval generator's
 * gaps, a geometric turn count with the configured mean, a system prompt chosen uniformly, and per
 * turn lognormal token counts with the configured means and spreads and an exponential think time.
 * Every number of a session is drawn when it starts, from one generator in session order, so a seed
 * gives the same sessions whatever the engine's timing.
 *
 * <p><b>Steady state from time 0.</b> Sessions start at the generator's rate from {@code warmup}
 * seconds before time 0 ({@link #warmup(SessionParams)} for a stationary process), so that at time
 * 0 conversations of every age are in progress, as on a server that has been serving for a while: a
 * probe at a given QPS sees that QPS from its first second, instead of only the first turns of new
 * sessions (a sixth of the rate for six-turn conversations) until the oldest sessions have lived a
 * whole session's life. A session's turns before time 0 are spaced by their think times alone
 * (their replies taken as instant); it joins the run at its first turn at or after 0, with those
 * turns' tokens as history. That history is not in any cache: the prefix cache starts cold, and
 * each such session's first turn in the run recomputes it.
 */
public final class SyntheticSessions implements Supplier<Session> {
  /** Sessions still in progress after this long ago are rarer than this. */
  private static final double TAIL = 1e-4;

  private final SessionParams p;
  private final IntervalGenerator starts;
  private final SplittableRandom random;
  private final int maxTokens;
  private final PriorityQueue<Session> inProgress =
      new PriorityQueue<>(
          Comparator.comparingDouble(Session::start).thenComparingLong(Session::id));
  private Session fresh;
  private boolean exhausted;
  private double time;
  private long id;

  /**
   * @param maxTokens token counts are capped here before rounding, so they fit an int
   * @param warmup seconds before time 0 sessions start from: {@link #warmup(SessionParams)} for a
   *     stationary arrival process, 0 to start with no session in progress
   */
  public SyntheticSessions(
      SessionParams p, IntervalGenerator starts, long seed, int maxTokens, double warmup) {
    this.p = p;
    this.starts = starts;
    this.random = new SplittableRandom(seed);
    this.maxTokens = maxTokens;
    this.time = -warmup;
    while (true) {
      Session s = draw();
      if (s == null || s.start() >= 0) {
        fresh = s;
        exhausted = s == null;
        break;
      }
      Session joined = joinAtZero(s);
      if (joined != null) {
        inProgress.add(joined);
      }
    }
  }

  /**
   * How long before time 0 sessions start: a session's life after its first turn (turns − 1 think
   * times) exceeds x with probability (1 − 1/T) e^(−x / (T θ)) for T geometric turns of mean T and
   * think times θ, so this long ago leaves fewer than {@link #TAIL} of them unseen.
   */
  static double warmup(SessionParams p) {
    double turns = Math.max(1, p.turns());
    if (turns == 1 || p.thinkTime() == 0) {
      return 0;
    }
    return turns * p.thinkTime() * Math.log((1 - 1 / turns) / TAIL);
  }

  @Override
  public Session get() {
    Session early = inProgress.peek();
    if (early != null && (fresh == null || early.start() <= fresh.start())) {
      return inProgress.poll();
    }
    Session s = fresh;
    fresh = exhausted ? null : draw();
    exhausted = fresh == null;
    return s;
  }

  /**
   * {@code s}, started before time 0, as it joins the run: from its first turn at or after 0, or
   * null when its last turn came before.
   */
  private static Session joinAtZero(Session s) {
    double t = s.start();
    for (int k = 0; k < s.turns(); k++) {
      if (k > 0) {
        t += s.thinkTimes()[k];
      }
      if (t >= 0) {
        return new Session(
            s.id(),
            t,
            s.systemPrompt(),
            s.newTokens(),
            s.outputTokens(),
            s.thinkTimes(),
            s.salt(),
            k);
      }
    }
    return null;
  }

  private Session draw() {
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
    return new Session(id++, time, prompt, fresh, output, think, random.nextLong(), 0);
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
