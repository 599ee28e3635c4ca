package io.llmcap.search;

import io.llmcap.search.SearchSpace.SearchSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleFunction;

/**
 * Finds the highest QPS at which a deployment meets every SLO: bracket by doubling (or halving)
 * from the start QPS, then bisect until the bracket is narrower than {@code granularity} × QPS.
 * Bisection alone can never see a pass above a failure, so once the bracket is found the search
 * spends up to two more probes checking it: half the answer (which must pass) and twice the lowest
 * failure (which must fail). A pass above a failure among all probes marks the deployment as
 * non-monotone in the results rather than hiding it.
 */
public final class CapacitySearch {
  private final SearchSettings settings;
  private final List<Slo> slos;

  public CapacitySearch(SearchSettings settings, List<Slo> slos) {
    this.settings = settings;
    this.slos = List.copyOf(slos);
  }

  /** What the search found. {@code best} is null when no probed QPS met the SLOs. */
  public record Outcome(
      double maxQps,
      Measurement best,
      String failingSlo,
      boolean nonMonotone,
      boolean bracketClosed,
      List<Probe> probes) {}

  /** One probe: its QPS, its measurement and the first SLO it missed (null if none). */
  public record Probe(double qps, Measurement measurement, Slo violation) {
    public boolean passed() {
      return violation == null;
    }
  }

  public Outcome run(double startQps, DoubleFunction<Measurement> simulate) {
    List<Probe> probes = new ArrayList<>();
    Probe first = probe(startQps, simulate, probes);
    Probe lo = null;
    Probe hi = null;
    if (first.passed()) {
      lo = first;
      while (probes.size() < settings.maxProbes()) {
        Probe p = probe(lo.qps() * 2, simulate, probes);
        if (p.passed()) {
          lo = p;
        } else {
          hi = p;
          break;
        }
      }
    } else {
      hi = first;
      while (probes.size() < settings.maxProbes() && hi.qps() / 2 >= settings.minQps()) {
        Probe p = probe(hi.qps() / 2, simulate, probes);
        if (p.passed()) {
          lo = p;
          break;
        }
        hi = p;
      }
    }
    if (lo != null && hi != null) {
      while (probes.size() < settings.maxProbes()
          && hi.qps() - lo.qps() > settings.granularity() * lo.qps()) {
        Probe p = probe((lo.qps() + hi.qps()) / 2, simulate, probes);
        if (p.passed()) {
          lo = p;
        } else {
          hi = p;
        }
      }
    }
    double half = lo == null ? 0 : lo.qps() / 2;
    if (lo != null
        && probes.stream().noneMatch(p -> p.passed() && p.qps() <= half)
        && half >= settings.minQps()) {
      probe(half, simulate, probes);
    }
    if (hi != null && probes.size() < settings.maxProbes()) {
      probe(hi.qps() * 2, simulate, probes);
    }
    boolean nonMonotone = false;
    for (Probe a : probes) {
      for (Probe b : probes) {
        nonMonotone |= a.passed() && !b.passed() && a.qps() > b.qps();
      }
    }
    String failing = lo == null ? hi.violation().label() : null;
    return new Outcome(
        lo == null ? 0 : lo.qps(),
        lo == null ? null : lo.measurement(),
        failing,
        nonMonotone,
        lo != null && hi != null,
        List.copyOf(probes));
  }

  private Probe probe(double qps, DoubleFunction<Measurement> simulate, List<Probe> probes) {
    Measurement m = simulate.apply(qps);
    Probe p = new Probe(qps, m, m.firstViolation(slos));
    probes.add(p);
    return p;
  }
}
