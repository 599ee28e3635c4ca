package io.llmcap.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.metrics.Distribution;
import io.llmcap.search.SearchSpace.SearchSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CapacitySearchTest {
  static final SearchSettings SETTINGS = new SearchSettings(0.025, 30, 0.01, true);

  /** A probe whose TTFT p90 is {@code ttft(qps)} and every other metric 0. */
  static Measurement fake(double qps, DoubleUnaryOperator ttft) {
    Distribution t = new Distribution();
    t.add(ttft.applyAsDouble(qps));
    Distribution zero = new Distribution();
    zero.add(0);
    return new Measurement(
        Map.of(
            "ttft", t,
            "tbt", zero,
            "batch_time", zero,
            "tpot", zero,
            "e2e", zero,
            "scheduling_delay", zero),
        0,
        0,
        0,
        0,
        100,
        1,
        null,
        null);
  }

  @ParameterizedTest
  @CsvSource({"1.0, 7.3", "1.0, 0.37", "16, 5.0", "0.5, 123.4", "3, 3"})
  void findsTheKnownCapacityWithinTheGranularity(double start, double capacity) {
    // an M/D/1-like latency curve: TTFT grows without bound as QPS approaches capacity, so the
    // 2 s SLO holds exactly up to qps* = capacity * 2 / 2.1 (by hand: 0.1 + 0.1 / (1 - x) ≤ 2)
    double answer = capacity * (1 - 0.1 / 1.9);
    DoubleUnaryOperator ttft = q -> q >= capacity ? 1e9 : 0.1 + 0.1 / (1 - q / capacity);
    CapacitySearch s = new CapacitySearch(SETTINGS, List.of(new Slo("ttft", 0.9, 2.0)));
    CapacitySearch.Outcome o = s.run(start, q -> fake(q, ttft));
    assertTrue(o.maxQps() <= answer, o.maxQps() + " > " + answer);
    assertTrue(o.maxQps() >= answer * (1 - 0.025), o.maxQps() + " too low vs " + answer);
    assertFalse(o.nonMonotone());
    assertTrue(o.bracketClosed());
    assertNull(o.failingSlo());
    assertTrue(o.probes().size() <= SETTINGS.maxProbes());
  }

  @Test
  void impossibleSloGivesZeroAndNamesTheSlo() {
    CapacitySearch s = new CapacitySearch(SETTINGS, List.of(new Slo("ttft", 0.9, 2.0)));
    CapacitySearch.Outcome o = s.run(4, q -> fake(q, x -> 3.0));
    assertEquals(0, o.maxQps());
    assertEquals("ttft_p90", o.failingSlo());
    assertNull(o.best());
    assertTrue(o.probes().stream().allMatch(p -> !p.passed()));
  }

  @Test
  void nonMonotonePredicateIsReported() {
    // passes below 2, fails in [2, 3), passes again in [3, 5), fails above
    DoubleUnaryOperator ttft = q -> (q < 2 || (q >= 3 && q < 5)) ? 1.0 : 9.0;
    CapacitySearch s = new CapacitySearch(SETTINGS, List.of(new Slo("ttft", 0.9, 2.0)));
    CapacitySearch.Outcome o = s.run(1, q -> fake(q, ttft));
    // bisection settles in [1, 2); the check probe at twice the lowest failure (4) passes
    assertTrue(o.maxQps() >= 1 && o.maxQps() < 2);
    assertTrue(o.nonMonotone());
    // coming from above: 8 fails, 4 passes; the check at 2 lands in the failing band
    CapacitySearch.Outcome o2 = s.run(8, q -> fake(q, ttft));
    assertTrue(o2.nonMonotone());
  }

  @Test
  void aBracketAtTheGranularityUpToRoundingIsNotBisectedAgain() {
    // from an estimate of 3 whose 10% step and midpoints fail: [3, 3.075] is the 2.5% granularity,
    // though in doubles it is a hair wider
    double hi = 3.0 * 1.1;
    double mid = (3.0 + hi) / 2;
    double quarter = (3.0 + mid) / 2;
    assertTrue(quarter - 3.0 > 0.025 * 3.0);
    CapacitySearch s = new CapacitySearch(SETTINGS, List.of(new Slo("ttft", 0.9, 2.0)));
    CapacitySearch.Outcome o =
        s.run(
            3.0,
            1.1,
            (round, ahead) ->
                round.stream().map(r -> fake(r.qps(), q -> q > 3.0 ? 9 : 1)).toList());
    assertEquals(3.0, o.maxQps());
    // the first bisection's checks (1.5, 2 × hi) are listed after it; nothing after a quarter
    assertEquals(List.of(3.0, hi, mid, 1.5, 2 * hi, quarter), qps(o));
  }

  @Test
  void checksRunBesideTheBisectionAndAreListedWhereTheyWereAsked() {
    // a prober that records what each round asks and what it may start ahead
    List<List<Double>> rounds = new ArrayList<>();
    List<List<Double>> aheads = new ArrayList<>();
    CapacitySearch s = new CapacitySearch(SETTINGS, List.of(new Slo("ttft", 0.9, 2.0)));
    CapacitySearch.Outcome o =
        s.run(
            1.0,
            1.1,
            (round, ahead) -> {
              rounds.add(round.stream().map(CapacitySearch.Request::qps).toList());
              aheads.add(ahead.stream().map(CapacitySearch.Request::qps).toList());
              return round.stream().map(r -> fake(r.qps(), q -> q > 1.0 ? 9 : 1)).toList();
            });
    // an idle thread may start the check below the first QPS with the first probe
    assertEquals(0.5, aheads.get(0).get(0));
    // bisection rounds hold only midpoints; their ahead lists start with the checks
    assertEquals(List.of(1.05), rounds.get(2));
    assertEquals(List.of(0.5, 2.2), aheads.get(2).subList(0, 2));
    assertEquals(List.of(1.025), rounds.get(3));
    assertEquals(List.of(0.5, 2.2), aheads.get(3).subList(0, 2));
    // the checks are collected last, and listed after the first bisection round
    assertEquals(List.of(0.5, 2.2), rounds.get(rounds.size() - 1));
    assertEquals(List.of(1.0, 1.1, 1.05, 0.5, 2.2, 1.025), qps(o));
    assertFalse(o.nonMonotone());
  }

  private static List<Double> qps(CapacitySearch.Outcome o) {
    return o.probes().stream().map(CapacitySearch.Probe::qps).toList();
  }

  @Test
  void sloLabelsAndValidation() {
    assertEquals("ttft_p90", new Slo("ttft", 0.9, 2).label());
    assertEquals("tbt_p99.9", new Slo("tbt", 0.999, 2).label());
  }
}
