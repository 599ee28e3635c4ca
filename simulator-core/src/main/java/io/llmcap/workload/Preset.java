package io.llmcap.workload;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A named workload fitted to a public trace: its request-length distribution and its arrival
 * process (mean rate and coefficient of variation of the gaps; the {@code preset} interval type
 * draws gamma gaps with that cv at the configured qps). Only fitted parameters ship; the traces
 * stay outside the project.
 *
 * <p>Fitted by {@code scripts/fit_workload_presets.py}: each marginal is a piecewise-linear inverse
 * CDF in ln(tokens) with 47 knots, joined by a Gaussian copula whose correlation {@code r = 2
 * sin(pi rho / 6)} reproduces the trace's Spearman rho. Quality below compares the trace with
 * 200,000 fitted samples; KS is the Kolmogorov–Smirnov distance. A bivariate log-normal was also
 * fitted and rejected: its KS distances are 0.11 to 0.22 and its p99s are off by factors of 1.8 to
 * 3.5.
 *
 * @param name the value of {@code workload.preset}
 * @param meanQps mean arrival rate of the source trace in requests per second, NaN when the trace
 *     has no arrival times
 * @param arrivalCv coefficient of variation of the source trace's inter-arrival gaps, 1 (Poisson)
 *     when the trace has no arrival times
 * @param fit the fitted length distribution
 */
public record Preset(String name, double meanQps, double arrivalCv, PresetLengths.Fit fit) {
  /**
   * Conversation requests, from splitwise_conv.csv (the Splitwise conversation trace as shipped
   * with the reference; 19,366 rows, 3,502 s). Spearman rho(P, D) = 0.073.
   *
   * <pre>
   *            P p50   p90   p99     D p50  p90  p99    KS(P)  KS(D)
   *   trace     1020  2734  4142       129  424  601
   *   fit       1020  2765  4182       129  424  600    0.017  0.010
   * </pre>
   *
   * Arrivals: 5.530 req/s, gap cv 1.094 (close to Poisson).
   */
  public static final Preset CHAT =
      new Preset(
          "chat",
          5.5301,
          1.0942,
          new PresetLengths.Fit(
              new double[] {
                2, 8, 16.8, 29, 120, 181, 200, 207, 235, 372, 379, 387, 393, 396, 400, 403, 407,
                414, 428, 703, 922, 984, 1005, 1020, 1033.6, 1045, 1058, 1071, 1083, 1097, 1112,
                1130, 1153, 1189, 1276.9, 1315, 1434.3, 1876.2, 2309.4, 2734.5, 4075, 4083, 4092,
                4142, 4831, 6179.1, 14050
              },
              new double[] {
                7, 12, 14, 16, 28, 41, 48, 54, 60, 67, 72, 77, 82, 85, 88, 91, 93, 96, 99, 103, 108,
                113, 120, 129, 138.6, 151, 162, 177, 195.1, 217, 373, 384, 391, 395, 396, 400, 406,
                411, 416, 424, 430, 451, 522, 601, 643.2, 954, 1000
              },
              0.0762));

  /**
   * Coding requests, from splitwise_code.csv (the Splitwise coding trace; 8,819 rows, 3,436 s).
   * Spearman rho(P, D) = -0.022.
   *
   * <pre>
   *            P p50   p90   p99     D p50  p90  p99    KS(P)  KS(D)
   *   trace     1469  5188  7436        13   55  251
   *   fit       1471  5211  7436        13   55  250    0.017  0.010
   * </pre>
   *
   * Arrivals: 2.566 req/s, gap cv 13.15: very bursty (median gap 0.064 s against a mean of 0.39 s,
   * with idle stretches of up to 217 s).
   */
  public static final Preset CODE =
      new Preset(
          "code",
          2.5664,
          13.1513,
          new PresetLengths.Fit(
              new double[] {
                3, 7, 12, 17, 44, 75, 102.4, 147, 185, 232, 299, 385.6, 484.1, 578, 679, 770, 863,
                938.6, 1015.5, 1075, 1153, 1261.1, 1370, 1469, 1585, 1690, 1798, 1909, 2048.3,
                2163.7, 2305, 2433, 2578, 2744.5, 2942, 3192.4, 3537.8, 3920.2, 4434, 5187.6, 6097,
                7303.3, 7435, 7436, 7436, 7437, 7437
              },
              new double[] {
                6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 8, 8, 9, 9, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14,
                14, 15, 16, 16, 18, 19, 20, 22, 24, 26, 29, 33, 39, 46, 55, 69, 90, 145, 251.5,
                359.4, 825.3, 1899
              },
              -0.0225));

  /**
   * Summarization requests, from arxiv_summarization_stats_llama2_tokenizer_filtered_v2.csv (28,257
   * rows). Spearman rho(P, D) = -0.114.
   *
   * <pre>
   *            P p50   p90   p99     D p50  p90  p99    KS(P)  KS(D)
   *   trace     2730  3702  3933       167  372  3271
   *   fit       2731  3704  3935       167  372  3262    0.005  0.005
   * </pre>
   *
   * The trace has no arrival times, so the mean rate is unknown and the gaps default to cv 1.
   */
  public static final Preset SUMMARIZATION =
      new Preset(
          "summarization",
          Double.NaN,
          1.0,
          new PresetLengths.Fit(
              new double[] {
                1, 1, 31, 73, 331, 748.6, 1019, 1242, 1418, 1564, 1687, 1802, 1896, 1986, 2067,
                2150, 2229, 2308, 2379, 2453, 2528.8, 2596, 2663, 2730, 2795.4, 2861, 2930, 2996,
                3063, 3127, 3186, 3249, 3311, 3370, 3429, 3490, 3541, 3597, 3649, 3702, 3759, 3813,
                3876, 3933.4, 3963, 4011.7, 4054
              },
              new double[] {
                5, 18.3, 29.3, 36, 48, 60, 70, 78, 86, 92, 98, 104, 110, 115, 120, 125, 130, 135,
                140, 145, 150, 156, 162, 167, 173, 179, 186, 192, 199, 206, 213, 222, 232, 242, 254,
                268, 285, 304, 333, 372, 438, 736.2, 2506.8, 3271.3, 3582.4, 3844.5, 4056
              },
              -0.1191));

  /** All presets, in documentation order. */
  public static final List<Preset> ALL = List.of(CHAT, CODE, SUMMARIZATION);

  /** A fresh length generator for this preset. */
  public LengthGenerator lengths(long seed) {
    return new PresetLengths(fit, seed);
  }

  /** The preset called {@code name}, if any. */
  public static Optional<Preset> byName(String name) {
    return ALL.stream().filter(p -> p.name.equals(name)).findFirst();
  }

  /** The names of all presets. */
  public static List<String> names() {
    return ALL.stream().map(Preset::name).collect(Collectors.toList());
  }
}
