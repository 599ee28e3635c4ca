package io.llmcap.search;

import io.llmcap.search.SearchSpace.SearchSettings;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.DoubleFunction;

/**
 * Finds the highest QPS at which a deployment meets every SLO: bracket by geometric steps from the
 * first QPS (doubling or halving when the first QPS is a guess, steps of 10% growing to doubling
 * when it is a capacity estimate), then bisect until the bracket is narrower than {@code
 * granularity} × QPS. Bisection alone can never see a pass above a failure, so when the bracket is
 * first closed the search also checks it: half its lower end (which must pass) and twice its upper
 * end (which must fail). A pass above a failure among one seed's probes marks the deployment as
 * non-monotone in the results rather than hiding it.
 *
 * <p><b>Seeds.</b> With {@code search.seeds} K > 1, the decisive probes (the first seed's bracket
 * ends) are repeated with K − 1 more seeds; each seed extends its own bracket where needed and all
 * seeds bisect in lockstep. The seeds' answers give a {@link #LEVEL 90%} prediction interval for
 * the max QPS a search with another seed would find (Student's t with K − 1 degrees of freedom),
 * widened by the widest final bracket. A seed stops bisecting once its bracket is narrower than the
 * seeds' spread (half the interval without the bracket's widening): the answer is not known more
 * precisely than the seeds agree. {@code maxQps} is always the first seed's answer, as with K = 1.
 *
 * <p>The probes come in rounds, each a list that does not depend on the order its probes finish in:
 * a {@link Prober} may run a round's probes in parallel, and the search is the same for any number
 * of threads.
 */
public final class CapacitySearch {
  /** The level of the {@code max_qps_low, max_qps_high} interval. */
  public static final double LEVEL = 0.90;

  /** Student's t 0.95 quantiles for 1..30 degrees of freedom (two-sided 90%). */
  private static final double[] T95 = {
    6.314, 2.920, 2.353, 2.132, 2.015, 1.943, 1.895, 1.860, 1.833, 1.812, 1.796, 1.782, 1.771,
        1.761,
    1.753, 1.746, 1.740, 1.734, 1.729, 1.725, 1.721, 1.717, 1.714, 1.711, 1.708, 1.706, 1.703,
        1.701,
    1.699, 1.697
  };

  /**
   * A bracket counts as narrower than the granularity up to rounding: a bracket of 10% bisected
   * twice is 2.5% wide, and whether one more probe ran depended on the last bit of a double.
   */
  private static final double NOT_ROUNDING = 1 + 1e-9;

  private final SearchSettings settings;
  private final List<Slo> slos;

  public CapacitySearch(SearchSettings settings, List<Slo> slos) {
    this.settings = settings;
    this.slos = List.copyOf(slos);
  }

  /** One probe to run: a QPS and the index (0-based) of the seed it uses. */
  public record Request(double qps, int seed) {}

  /**
   * Runs a round of probes, possibly in parallel; returns their measurements in order. {@code
   * ahead}: probes the next round may need (by priority), which a prober with idle threads may
   * start now; a probe's measurement depends only on its QPS and seed, so what it returns is the
   * same.
   */
  @FunctionalInterface
  public interface Prober {
    List<Measurement> run(List<Request> round, List<Request> ahead);
  }

  /**
   * What the search found. {@code best} is null when no probed QPS met the SLOs; {@code low} and
   * {@code high} are null unless K > 1 and the first seed's bracket closed.
   */
  public record Outcome(
      double maxQps,
      Double low,
      Double high,
      Measurement best,
      String failingSlo,
      boolean nonMonotone,
      boolean bracketClosed,
      List<Probe> probes) {}

  /** One probe: its QPS, seed index, measurement and the first SLO it missed (null if none). */
  public record Probe(double qps, int seed, Measurement measurement, Slo violation) {
    public Probe(double qps, Measurement measurement, Slo violation) {
      this(qps, 0, measurement, violation);
    }

    public boolean passed() {
      return violation == null;
    }
  }

  /** One seed's search state. */
  private static final class Seed {
    final int index;
    final List<Probe> probes = new ArrayList<>();
    Probe lo;
    Probe hi;
    double ratio;
    // check probes requested but not yet collected (they count towards max_probes)
    int pending;

    Seed(int index, double ratio) {
      this.index = index;
      this.ratio = ratio;
    }

    boolean closed() {
      return lo != null && hi != null;
    }

    int probed() {
      return probes.size() + pending;
    }

    double width() {
      return hi.qps() - lo.qps();
    }

    void take(Probe p) {
      probes.add(p);
      if (p.passed()) {
        if (lo == null || p.qps() > lo.qps()) {
          lo = p;
        }
      } else if (hi == null || p.qps() < hi.qps()) {
        hi = p;
      }
    }
  }

  /** One seed, doubling or halving from {@code startQps}, one probe at a time. */
  public Outcome run(double startQps, DoubleFunction<Measurement> simulate) {
    return run(
        startQps, 2.0, (round, ahead) -> round.stream().map(r -> simulate.apply(r.qps())).toList());
  }

  /**
   * Searches from {@code firstQps} with a first bracketing step of {@code firstRatio} (2: doubling;
   * smaller when {@code firstQps} is an estimate of the answer; each further step squares the
   * ratio, up to doubling).
   */
  public Outcome run(double firstQps, double firstRatio, Prober prober) {
    int k = Math.max(1, settings.seeds() == null ? 1 : settings.seeds());
    List<Probe> all = new ArrayList<>();
    Seed s0 = new Seed(0, firstRatio);
    List<Seed> seeds = new ArrayList<>(List.of(s0));
    // bracket with the first seed; an idle thread may start the check below the first QPS (the
    // slowest probe: a full run at half the load), needed whenever the first QPS stays the answer
    round(
        List.of(new Request(firstQps, 0)),
        List.of(
            new Request(firstQps / 2, 0),
            new Request(firstQps * firstRatio, 0),
            new Request(firstQps / firstRatio, 0),
            new Request((firstQps + firstQps * firstRatio) / 2, 0),
            new Request((firstQps / firstRatio + firstQps) / 2, 0)),
        seeds,
        prober,
        all);
    while (!s0.closed() && s0.probed() < settings.maxProbes()) {
      double next = step(s0);
      if (next < settings.minQps()) {
        break;
      }
      double r = s0.ratio;
      List<Request> ahead =
          s0.lo == null
              ? List.of(new Request(next / r, 0), new Request((next + s0.hi.qps()) / 2, 0))
              : List.of(new Request(next * r, 0), new Request((s0.lo.qps() + next) / 2, 0));
      round(List.of(new Request(next, 0)), ahead, seeds, prober, all);
    }
    if (s0.closed() && k > 1) {
      // the decisive probes again, with the other seeds, then each seed closes its own bracket
      List<Request> decisive = new ArrayList<>();
      for (int i = 1; i < k; i++) {
        seeds.add(new Seed(i, Math.min(2.0, s0.hi.qps() / s0.lo.qps())));
        decisive.add(new Request(s0.lo.qps(), i));
        decisive.add(new Request(s0.hi.qps(), i));
      }
      round(decisive, List.of(), seeds, prober, all);
      while (true) {
        List<Request> next = new ArrayList<>();
        for (Seed s : seeds) {
          if (!s.closed() && s.probed() < settings.maxProbes()) {
            double q = step(s);
            if (q >= settings.minQps()) {
              next.add(new Request(q, s.index));
            }
          }
        }
        if (next.isEmpty()) {
          break;
        }
        round(next, List.of(), seeds, prober, all);
      }
    }
    // bisect all seeds in lockstep. The first seed's bracket is checked once, as bisection starts;
    // the checks do not move a bracket, so bisection goes on without waiting for them: a prober
    // with idle threads runs them meanwhile, and they are collected at the end
    List<Request> checks = null;
    int checksAt = 0;
    while (true) {
      List<Request> next = new ArrayList<>();
      double spread = k > 1 ? spread(seeds) : 0;
      for (Seed s : seeds) {
        if (s.closed()
            && s.probed() < settings.maxProbes()
            && s.width() > Math.max(settings.granularity() * s.lo.qps(), spread) * NOT_ROUNDING) {
          next.add(new Request((s.lo.qps() + s.hi.qps()) / 2, s.index));
        }
      }
      if (checks == null) {
        checks = checks(s0);
        s0.pending = checks.size();
        // listed after the first bisection round's probes
        checksAt = all.size() + next.size();
      }
      if (next.isEmpty()) {
        break;
      }
      // ahead: the checks, then both halves of each bisected bracket, as the midpoint passes or
      // fails
      List<Request> ahead = new ArrayList<>(checks);
      for (Request r : next) {
        Seed s = seeds.get(r.seed());
        ahead.add(new Request((r.qps() + s.hi.qps()) / 2, r.seed()));
        ahead.add(new Request((s.lo.qps() + r.qps()) / 2, r.seed()));
      }
      round(next, ahead, seeds, prober, all);
    }
    if (!checks.isEmpty()) {
      List<Probe> done = new ArrayList<>();
      List<Measurement> ms = prober.run(checks, List.of());
      for (int i = 0; i < checks.size(); i++) {
        Request r = checks.get(i);
        done.add(new Probe(r.qps(), r.seed(), ms.get(i), ms.get(i).firstViolation(slos)));
      }
      s0.pending = 0;
      s0.probes.addAll(done);
      all.addAll(checksAt, done);
    }
    boolean nonMonotone = false;
    for (Seed s : seeds) {
      for (Probe a : s.probes) {
        for (Probe b : s.probes) {
          nonMonotone |= a.passed() && !b.passed() && a.qps() > b.qps();
        }
      }
    }
    Double low = null;
    Double high = null;
    if (k > 1 && s0.closed()) {
      double[] interval = interval(seeds);
      low = interval[0];
      high = interval[1];
    }
    Probe lo = s0.lo;
    String failing =
        lo == null
            ? s0.probes.stream()
                .min(Comparator.comparingDouble(Probe::qps))
                .orElseThrow()
                .violation()
                .label()
            : null;
    return new Outcome(
        lo == null ? 0 : lo.qps(),
        low,
        high,
        lo == null ? null : lo.measurement(),
        failing,
        nonMonotone,
        s0.closed(),
        List.copyOf(all));
  }

  /** The next bracketing QPS of a seed with one end missing; the step grows each time. */
  private static double step(Seed s) {
    double q = s.lo == null ? s.hi.qps() / s.ratio : s.lo.qps() * s.ratio;
    s.ratio = Math.min(2.0, s.ratio * s.ratio);
    return q;
  }

  /**
   * The checks of the first seed's bracket: half its lower end unless a pass at or below that is
   * known, and twice its upper end.
   */
  private List<Request> checks(Seed s0) {
    List<Request> out = new ArrayList<>();
    if (s0.lo != null) {
      double half = s0.lo.qps() / 2;
      if (s0.probes.stream().noneMatch(p -> p.passed() && p.qps() <= half)
          && half >= settings.minQps()) {
        out.add(new Request(half, 0));
      }
    }
    if (s0.hi != null && s0.probed() < settings.maxProbes()) {
      out.add(new Request(s0.hi.qps() * 2, 0));
    }
    return out;
  }

  private void round(
      List<Request> round, List<Request> ahead, List<Seed> seeds, Prober prober, List<Probe> all) {
    List<Measurement> ms = prober.run(round, ahead);
    for (int i = 0; i < round.size(); i++) {
      Request r = round.get(i);
      Measurement m = ms.get(i);
      Probe p = new Probe(r.qps(), r.seed(), m, m.firstViolation(slos));
      all.add(p);
      seeds.get(r.seed()).take(p);
    }
  }

  /** t × sd × √(1 + 1/K) of the seeds' bracket midpoints: the interval's half-width from noise. */
  private static double spread(List<Seed> seeds) {
    List<Double> mids = new ArrayList<>();
    for (Seed s : seeds) {
      if (s.closed()) {
        mids.add((s.lo.qps() + s.hi.qps()) / 2);
      }
    }
    return halfWidth(mids);
  }

  private static double halfWidth(List<Double> xs) {
    int n = xs.size();
    if (n < 2) {
      return 0;
    }
    double mean = xs.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    double ss = 0;
    for (double x : xs) {
      ss += (x - mean) * (x - mean);
    }
    double sd = Math.sqrt(ss / (n - 1));
    return t95(n - 1) * sd * Math.sqrt(1 + 1.0 / n);
  }

  /**
   * The prediction interval: each seed's answer (its highest pass, 0 if none) gives mean ± t × sd ×
   * √(1 + 1/K), widened on each side by the widest final bracket (a search's answer may sit
   * anywhere in its bracket); clipped at 0.
   */
  private static double[] interval(List<Seed> seeds) {
    List<Double> xs = new ArrayList<>();
    double widest = 0;
    for (Seed s : seeds) {
      xs.add(s.lo == null ? 0 : s.lo.qps());
      if (s.closed()) {
        widest = Math.max(widest, s.width());
      }
    }
    double mean = xs.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    double half = halfWidth(xs) + widest;
    return new double[] {Math.max(0, mean - half), mean + half};
  }

  static double t95(int dof) {
    return dof <= T95.length ? T95[dof - 1] : 1.645 + 1.0 / dof;
  }
}
