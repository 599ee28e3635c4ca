package io.llmcap.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The analysis behind the report, per (model, workload): which deployments trade capacity per
 * dollar against latency best (the Pareto frontier), which meet the latency SLOs, and which is the
 * best buy.
 */
public final class Pareto {
  private Pareto() {}

  /** A latency axis of the report. */
  public enum Metric {
    TTFT_P90("ttft_p90", "TTFT p90 (s)", DeploymentResult::ttftP90),
    TBT_P99("tbt_p99", "per-token TBT p99 (s)", DeploymentResult::tbtP99);

    public final String column;
    public final String label;
    public final ToDoubleFunction<DeploymentResult> value;

    Metric(String column, String label, ToDoubleFunction<DeploymentResult> value) {
      this.column = column;
      this.label = label;
      this.value = value;
    }
  }

  /**
   * The report's SLO thresholds: the search's TTFT p90 and TBT p99 objectives when it has them,
   * else the reference's 2 s and 0.2 s (so a search run with only a stability SLO, as the
   * reference's was, is still judged on latency).
   */
  public record Thresholds(double ttftP90, double tbtP99) {
    public static Thresholds of(List<Slo> slos) {
      double ttft = 2.0;
      double tbt = 0.2;
      for (Slo s : slos) {
        if (s.metric().equals("ttft") && s.quantile() == 0.9) {
          ttft = s.maxS();
        } else if (s.metric().equals("tbt") && s.quantile() == 0.99) {
          tbt = s.maxS();
        }
      }
      return new Thresholds(ttft, tbt);
    }

    public double of(Metric m) {
      return m == Metric.TTFT_P90 ? ttftP90 : tbtP99;
    }

    /** Served some QPS, and its TTFT p90 and TBT p99 there are within the thresholds. */
    public boolean met(DeploymentResult r) {
      return r.maxQps() > 0 && r.ttftP90() <= ttftP90 && r.tbtP99() <= tbtP99;
    }
  }

  /** One (model, workload) and its analysis; frontiers are sorted by latency. */
  public record Group(
      String model,
      String workload,
      List<DeploymentResult> rows,
      List<DeploymentResult> compliant,
      Map<Metric, List<DeploymentResult>> frontiers,
      DeploymentResult best) {

    /** Rows that can go on a $ axis: priced, with capacity. */
    public List<DeploymentResult> plotted() {
      return rows.stream().filter(Pareto::plottable).toList();
    }

    public List<DeploymentResult> unpriced() {
      return rows.stream().filter(r -> r.capacityPerDollar() == null).toList();
    }
  }

  public static List<Group> analyze(List<DeploymentResult> rows, Thresholds t) {
    Map<List<String>, List<DeploymentResult>> byKey = new TreeMap<>(LIST_ORDER);
    for (DeploymentResult r : rows) {
      byKey.computeIfAbsent(List.of(r.model(), r.workload()), k -> new ArrayList<>()).add(r);
    }
    List<Group> out = new ArrayList<>();
    byKey.forEach(
        (k, rs) -> {
          List<DeploymentResult> compliant = rs.stream().filter(t::met).toList();
          Map<Metric, List<DeploymentResult>> frontiers = new EnumMap<>(Metric.class);
          for (Metric m : Metric.values()) {
            frontiers.put(m, frontier(rs, m.value));
          }
          // most capacity per dollar; ties to the lower TTFT, then the smaller id (deterministic)
          DeploymentResult best =
              compliant.stream()
                  .filter(r -> r.capacityPerDollar() != null)
                  .min(
                      Comparator.comparingDouble((DeploymentResult r) -> -r.capacityPerDollar())
                          .thenComparingDouble(DeploymentResult::ttftP90)
                          .thenComparing(DeploymentResult::deploymentId))
                  .orElse(null);
          out.add(new Group(k.get(0), k.get(1), List.copyOf(rs), compliant, frontiers, best));
        });
    return out;
  }

  /**
   * The rows no other row beats on both capacity per dollar (higher) and {@code metric} (lower),
   * among priced rows with capacity; sorted by the metric.
   */
  public static List<DeploymentResult> frontier(
      List<DeploymentResult> rows, ToDoubleFunction<DeploymentResult> metric) {
    List<DeploymentResult> c =
        rows.stream()
            .filter(r -> plottable(r) && Double.isFinite(metric.applyAsDouble(r)))
            .sorted(
                Comparator.comparingDouble(metric)
                    .thenComparing(
                        Comparator.comparingDouble(DeploymentResult::capacityPerDollar).reversed())
                    .thenComparing(DeploymentResult::deploymentId))
            .toList();
    List<DeploymentResult> out = new ArrayList<>();
    double bestCap = Double.NEGATIVE_INFINITY;
    for (DeploymentResult r : c) {
      if (r.capacityPerDollar() > bestCap) {
        out.add(r);
        bestCap = r.capacityPerDollar();
      }
    }
    return out;
  }

  /**
   * The best aggregated and the best disaggregated deployment of a group (each: compliant, priced,
   * the most capacity per dollar, ties as for the best; null when none of that layout qualifies).
   */
  public record LayoutVerdict(DeploymentResult aggregated, DeploymentResult disaggregated) {

    /** Disaggregated capacity per dollar over aggregated; NaN unless both exist. */
    public double ratio() {
      return aggregated == null || disaggregated == null
          ? Double.NaN
          : disaggregated.capacityPerDollar() / aggregated.capacityPerDollar();
    }

    /** {@code aggregated}, {@code disaggregated}, {@code tie}, or null when neither qualifies. */
    public String winner() {
      if (aggregated == null && disaggregated == null) {
        return null;
      }
      if (aggregated == null) {
        return DeploymentMetrics.DISAGGREGATED;
      }
      if (disaggregated == null) {
        return DeploymentMetrics.AGGREGATED;
      }
      double c = disaggregated.capacityPerDollar() - aggregated.capacityPerDollar();
      return c > 0 ? DeploymentMetrics.DISAGGREGATED : c < 0 ? DeploymentMetrics.AGGREGATED : "tie";
    }
  }

  /** Null unless the group holds both aggregated and disaggregated deployments. */
  public static LayoutVerdict verdict(Group g, Thresholds t) {
    if (g.rows().stream().noneMatch(DeploymentResult::disaggregated)
        || g.rows().stream().allMatch(DeploymentResult::disaggregated)) {
      return null;
    }
    return new LayoutVerdict(bestOf(g, t, false), bestOf(g, t, true));
  }

  private static DeploymentResult bestOf(Group g, Thresholds t, boolean disaggregated) {
    return g.rows().stream()
        .filter(
            r -> r.disaggregated() == disaggregated && t.met(r) && r.capacityPerDollar() != null)
        .min(BEST)
        .orElse(null);
  }

  /** Most capacity per dollar; ties to the lower TTFT, then the smaller id (deterministic). */
  private static final Comparator<DeploymentResult> BEST =
      Comparator.comparingDouble((DeploymentResult r) -> -r.capacityPerDollar())
          .thenComparingDouble(DeploymentResult::ttftP90)
          .thenComparing(DeploymentResult::deploymentId);

  static boolean plottable(DeploymentResult r) {
    return r.capacityPerDollar() != null && r.maxQps() > 0;
  }

  private static final Comparator<List<String>> LIST_ORDER =
      (a, b) -> {
        int c = a.get(0).compareTo(b.get(0));
        return c != 0 ? c : a.get(1).compareTo(b.get(1));
      };
}
