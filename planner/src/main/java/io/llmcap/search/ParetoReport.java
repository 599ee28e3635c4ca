package io.llmcap.search;

import static io.llmcap.report.Html.esc;
import static io.llmcap.report.Html.num;
import static io.llmcap.report.Html.pct;
import static io.llmcap.report.Html.plain;
import static io.llmcap.report.Html.slug;

import io.llmcap.catalog.Precision;
import io.llmcap.metrics.Distribution;
import io.llmcap.report.Charts;
import io.llmcap.report.Figure;
import io.llmcap.report.Html;
import io.llmcap.search.Pareto.Group;
import io.llmcap.search.Pareto.Metric;
import io.llmcap.search.Pareto.Thresholds;
import java.awt.Color;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes {@code report/}: per (model, workload) PNG plots of capacity per dollar against TTFT p90
 * and TBT p99 (frontier and SLO drawn), max QPS per deployment, and the best deployment's latency
 * CDFs at its max QPS; {@code frontier.csv}; and {@code index.html} tying them together. Returns
 * the text summary printed after a search.
 */
public final class ParetoReport {
  private ParetoReport() {}

  /** What the report says about the search as a whole. */
  public record Info(
      String name,
      String priceBook,
      List<Slo> slos,
      int skipped,
      Map<String, Integer> skipReasons,
      double wallS) {}

  /** The latency distributions of a deployment at its max QPS, for the best one's CDF plot. */
  @FunctionalInterface
  public interface Latencies {
    Measurement atMaxQps(DeploymentResult best);
  }

  /**
   * Writes the report into {@code dir} and returns the summary lines. {@code latencies} reruns (or
   * looks up) the best deployment of each (model, workload) at its max QPS.
   */
  public static List<String> write(
      Path dir, List<DeploymentResult> rows, Info info, Latencies latencies) {
    Thresholds t = Thresholds.of(info.slos());
    List<Group> groups = Pareto.analyze(rows, t);
    try {
      Files.createDirectories(dir);
      writeFrontierCsv(dir.resolve("frontier.csv"), groups, t);
      List<String> skus = rows.stream().map(DeploymentResult::sku).distinct().sorted().toList();
      StringBuilder html = Html.page("llmcap search " + info.name());
      header(html, info, rows, t);
      List<Figure> figures = new ArrayList<>();
      for (Group g : groups) {
        section(html, g, t, skus, latencies, figures);
      }
      html.append("</body>\n</html>\n");
      Charts.pngs(figures, dir);
      Files.writeString(dir.resolve("index.html"), html, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return summary(groups, rows, info, t);
  }

  // ---------------------------------------------------------------------------------- summary

  static List<String> summary(
      List<Group> groups, List<DeploymentResult> rows, Info info, Thresholds t) {
    List<String> out = new ArrayList<>();
    long probes = rows.stream().mapToLong(DeploymentResult::probes).sum();
    long requests = rows.stream().mapToLong(DeploymentResult::simulatedRequests).sum();
    out.add(
        String.format(
            Locale.ROOT,
            "searched %d deployments in %.1f s (%d probes, %,d simulated requests); skipped %d"
                + " combinations",
            rows.size(),
            info.wallS(),
            probes,
            requests,
            info.skipped()));
    info.skipReasons()
        .forEach(
            (reason, n) -> out.add(String.format(Locale.ROOT, "  skipped %4d: %s", n, reason)));
    long nonMonotone = rows.stream().filter(DeploymentResult::nonMonotone).count();
    if (nonMonotone > 0) {
      out.add(
          nonMonotone
              + " deployment(s) passed the SLOs above a QPS that failed them (non_monotone);"
              + " their max QPS is the highest pass below the first failure");
    }
    out.add(
        String.format(
            Locale.ROOT,
            "best per model and workload: most QPS per $/hour (price book %s) with TTFT p90 ≤"
                + " %s s and TBT p99 ≤ %s s",
            info.priceBook(),
            plain(t.ttftP90()),
            plain(t.tbtP99())));
    for (Group g : groups) {
      String head = g.model() + " / " + g.workload() + ": ";
      DeploymentResult b = g.best();
      if (b != null) {
        out.add(head + "best " + describe(b, g) + " [" + b.deploymentId() + "]");
        out.add("    " + numbers(b));
      } else if (g.compliant().isEmpty()) {
        out.add(head + "no deployment met the SLOs (" + failing(g.rows()) + ")");
      } else {
        out.add(head + "no priced deployment met the SLOs");
      }
      // a SKU missing from the price book cannot compete on $, so name its best by QPS per GPU
      g.compliant().stream()
          .filter(r -> r.capacityPerDollar() == null)
          .max(
              Comparator.comparingDouble((DeploymentResult r) -> r.maxQps() / r.gpus())
                  .thenComparing(DeploymentResult::deploymentId, Comparator.reverseOrder()))
          .ifPresent(
              r ->
                  out.add(
                      String.format(
                          Locale.ROOT,
                          "    no price for %s: best of those by QPS per GPU: %s [%s], max QPS"
                              + " %s (%s per GPU), TTFT p90 %s s, TBT p99 %s s",
                          String.join(
                              ", ",
                              new TreeSet<>(g.unpriced().stream().map(u -> u.sku()).toList())),
                          describe(r, g),
                          r.deploymentId(),
                          num(r.maxQps()),
                          num(r.maxQps() / r.gpus()),
                          num(r.ttftP90()),
                          num(r.tbtP99()))));
      String layouts = layoutLine(g, t);
      if (layouts != null) {
        out.add("    " + layouts);
      }
      for (String line : routingLines(g, t)) {
        out.add("    " + line);
      }
      for (Map.Entry<String, DeploymentResult> e : bestPerPrecision(g).entrySet()) {
        DeploymentResult r = e.getValue();
        out.add(
            "    best in "
                + e.getKey()
                + ": "
                + (r == null
                    ? "none met the SLOs"
                    : describe(r, g) + " [" + r.deploymentId() + "], " + numbers(r)));
      }
    }
    return out;
  }

  /**
   * Which layout wins the group per dollar and by how much: "aggregated vs disaggregated:
   * disaggregated wins, 1.31x the QPS per $/hour (best disaggregated: ...; best aggregated: ...)".
   * Null unless the group has both layouts.
   */
  static String layoutLine(Group g, Thresholds t) {
    Pareto.LayoutVerdict v = Pareto.verdict(g, t);
    if (v == null) {
      return null;
    }
    String head = "aggregated vs disaggregated: ";
    String w = v.winner();
    if (w == null) {
      return head + "neither layout has a priced deployment within the SLOs";
    }
    if (v.aggregated() == null || v.disaggregated() == null) {
      DeploymentResult only = v.aggregated() == null ? v.disaggregated() : v.aggregated();
      return head
          + "only "
          + w
          + " deployments meet the SLOs with a price; best "
          + describe(only, g)
          + " ["
          + only.deploymentId()
          + "], "
          + num(only.capacityPerDollar())
          + " QPS per $/hour";
    }
    String verdict =
        w.equals("tie")
            ? "a tie at " + num(v.aggregated().capacityPerDollar()) + " QPS per $/hour"
            : w
                + " wins, "
                + String.format(
                    Locale.ROOT,
                    "%.2fx",
                    w.equals(DeploymentMetrics.DISAGGREGATED) ? v.ratio() : 1 / v.ratio())
                + " the QPS per $/hour of the best "
                + (w.equals(DeploymentMetrics.DISAGGREGATED)
                    ? DeploymentMetrics.AGGREGATED
                    : DeploymentMetrics.DISAGGREGATED);
    return head
        + verdict
        + " (best disaggregated: "
        + describe(v.disaggregated(), g)
        + " ["
        + v.disaggregated().deploymentId()
        + "], "
        + num(v.disaggregated().capacityPerDollar())
        + " QPS per $/hour; best aggregated: "
        + describe(v.aggregated(), g)
        + " ["
        + v.aggregated().deploymentId()
        + "], "
        + num(v.aggregated().capacityPerDollar())
        + ")";
  }

  /**
   * Where the group compares routers or CPU tiers, one line each saying which wins per dollar and
   * by how much, from the best compliant, priced deployment of each: "routers: prefix_aware wins,
   * 1.40x the QPS per $/hour of the best lor (prefix_aware: ... [id], 3.1 QPS per $/hour, prefix
   * hit rate 61.0%; lor: ...)".
   */
  static List<String> routingLines(Group g, Thresholds t) {
    List<String> out = new ArrayList<>();
    for (String[] what : new String[][] {{"routers", "router"}, {"CPU tiers", "tier"}}) {
      String line =
          what[1].equals("router")
              ? comparison(what[0], ParetoReport::router, g, t)
              : comparison(what[0], ParetoReport::cpuTier, g, t);
      if (line != null) {
        out.add(line);
      }
    }
    return out;
  }

  /** "lor", "prefix_aware {...}": the router of a row and its options when the search gave some. */
  static String router(DeploymentResult r) {
    return r.routerOptions() == null ? r.router() : r.router() + " " + r.routerOptions();
  }

  /** "CPU tier 64 GiB" or "no CPU tier". */
  static String cpuTier(DeploymentResult r) {
    return r.cpuOffloadGib() > 0
        ? "CPU tier " + CpuOffloadDimension.text(r.cpuOffloadGib()) + " GiB"
        : "no CPU tier";
  }

  /** The group's distinct values of {@code key}, sorted. */
  private static List<String> distinct(
      Group g, java.util.function.Function<DeploymentResult, String> key) {
    return g.rows().stream().map(key).distinct().sorted().toList();
  }

  /** The line of {@link #routingLines} for one setting; null unless the group has two or more. */
  private static String comparison(
      String what,
      java.util.function.Function<DeploymentResult, String> key,
      Group g,
      Thresholds t) {
    List<String> values = distinct(g, key);
    if (values.size() < 2) {
      return null;
    }
    Map<String, DeploymentResult> best = new LinkedHashMap<>();
    for (String v : values) {
      g.rows().stream()
          .filter(r -> key.apply(r).equals(v) && t.met(r) && r.capacityPerDollar() != null)
          .min(
              Comparator.comparingDouble((DeploymentResult r) -> -r.capacityPerDollar())
                  .thenComparingDouble(DeploymentResult::ttftP90)
                  .thenComparing(DeploymentResult::deploymentId))
          .ifPresent(r -> best.put(v, r));
    }
    String head = what + ": ";
    if (best.isEmpty()) {
      return head + "none has a priced deployment within the SLOs";
    }
    List<Map.Entry<String, DeploymentResult>> ranked = new ArrayList<>(best.entrySet());
    ranked.sort(
        Comparator.comparingDouble(
            (Map.Entry<String, DeploymentResult> e) -> -e.getValue().capacityPerDollar()));
    String verdict;
    if (ranked.size() == 1) {
      verdict = "only " + ranked.get(0).getKey() + " meets the SLOs with a price";
    } else {
      double first = ranked.get(0).getValue().capacityPerDollar();
      double second = ranked.get(1).getValue().capacityPerDollar();
      verdict =
          first == second
              ? "a tie between "
                  + ranked.get(0).getKey()
                  + " and "
                  + ranked.get(1).getKey()
                  + " at "
                  + num(first)
                  + " QPS per $/hour"
              : ranked.get(0).getKey()
                  + " wins, "
                  + String.format(Locale.ROOT, "%.2fx", first / second)
                  + " the QPS per $/hour of the best "
                  + ranked.get(1).getKey();
    }
    List<String> parts = new ArrayList<>();
    for (String v : values) {
      DeploymentResult r = best.get(v);
      parts.add(
          v
              + ": "
              + (r == null
                  ? "none met the SLOs"
                  : describe(r, g)
                      + " ["
                      + r.deploymentId()
                      + "], "
                      + num(r.capacityPerDollar())
                      + " QPS per $/hour"
                      + hitRate(r)));
    }
    return head + verdict + " (" + String.join("; ", parts) + ")";
  }

  /** ", prefix hit rate 61.0%" when the row measured one, else "". */
  static String hitRate(DeploymentResult r) {
    return Double.isNaN(r.prefixHitRate())
        ? ""
        : String.format(Locale.ROOT, ", prefix hit rate %.1f%%", 100 * r.prefixHitRate());
  }

  private static String capitalized(String s) {
    return s.isEmpty() || Character.isUpperCase(s.charAt(0))
        ? s
        : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  /**
   * The weights' (and, when not the default for them, the KV cache's) format of a row: "fp8",
   * "bf16", "fp8 KV fp8".
   */
  static String precision(DeploymentResult r) {
    Precision w = Precision.parse("dtype", r.dtype());
    Precision autoKv = w.sixteenBit() ? w : Precision.BF16;
    return r.dtype() + (r.kvCacheDtype().equals(autoKv.id()) ? "" : " KV " + r.kvCacheDtype());
  }

  /** The group's precisions, sorted; one for a search that compares none. */
  static List<String> precisions(Group g) {
    return g.rows().stream().map(ParetoReport::precision).distinct().sorted().toList();
  }

  /**
   * With more than one precision in the group: per precision, the compliant row with the most
   * capacity per dollar (the group's ordering of the best; null when none); else empty.
   */
  static Map<String, DeploymentResult> bestPerPrecision(Group g) {
    Map<String, DeploymentResult> out = new LinkedHashMap<>();
    List<String> all = precisions(g);
    if (all.size() < 2) {
      return out;
    }
    for (String p : all) {
      out.put(
          p,
          g.compliant().stream()
              .filter(r -> r.capacityPerDollar() != null && precision(r).equals(p))
              .min(
                  Comparator.comparingDouble((DeploymentResult r) -> -r.capacityPerDollar())
                      .thenComparingDouble(DeploymentResult::ttftP90)
                      .thenComparing(DeploymentResult::deploymentId))
              .orElse(null));
    }
    return out;
  }

  private static String numbers(DeploymentResult b) {
    return String.format(
        Locale.ROOT,
        "max QPS %s%s, $%.2f/hour, %s QPS per $/hour, TTFT p90 %s s, TBT p99 %s s",
        num(b.maxQps()),
        interval(b),
        b.dollarsPerHour(),
        num(b.capacityPerDollar()),
        num(b.ttftP90()),
        num(b.tbtP99()));
  }

  /** " (90% interval 1.70–1.95)" with {@code search.seeds} > 1, else "". */
  static String interval(DeploymentResult r) {
    Double lo = r.metrics().maxQpsLow();
    Double hi = r.metrics().maxQpsHigh();
    return lo == null || hi == null
        ? ""
        : " ("
            + Math.round(CapacitySearch.LEVEL * 100)
            + "% interval "
            + num(lo)
            + "–"
            + num(hi)
            + ")";
  }

  /**
   * The compliant deployments whose capacity per dollar cannot be told from the best's: their max
   * QPS intervals, per $/hour, overlap the best's. Empty without intervals.
   */
  static List<DeploymentResult> indistinguishable(Group g) {
    DeploymentResult b = g.best();
    if (b == null || b.metrics().maxQpsLow() == null || b.dollarsPerHour() == null) {
      return List.of();
    }
    double bLow = b.metrics().maxQpsLow() / b.dollarsPerHour();
    List<DeploymentResult> out = new ArrayList<>();
    for (DeploymentResult r : g.compliant()) {
      if (r != b && r.metrics().maxQpsHigh() != null && r.dollarsPerHour() != null) {
        double rHigh = r.metrics().maxQpsHigh() / r.dollarsPerHour();
        double rLow = r.metrics().maxQpsLow() / r.dollarsPerHour();
        double bHigh = b.metrics().maxQpsHigh() / b.dollarsPerHour();
        if (rHigh >= bLow && rLow <= bHigh) {
          out.add(r);
        }
      }
    }
    return out;
  }

  /** The SLOs that kept deployments at zero, most frequent first. */
  private static String failing(List<DeploymentResult> rows) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    rows.stream()
        .filter(r -> r.failingSlo() != null)
        .forEach(r -> counts.merge(r.failingSlo(), 1, Integer::sum));
    if (counts.isEmpty()) {
      return "every deployment exceeds the report's TTFT p90 or TBT p99 threshold";
    }
    List<String> parts = new ArrayList<>();
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .forEach(e -> parts.add(e.getKey() + " missed by " + e.getValue()));
    return String.join(", ", parts);
  }

  /**
   * "a100 x4 TP1 PP1 sarathi chunk 512 cap 128": the deployment within its (model, workload), and
   * its router and CPU tier when not the defaults (round robin, none).
   */
  public static String describe(DeploymentResult r) {
    return shape(r) + " " + setting(r) + routing(r, false, false);
  }

  /**
   * As {@link #describe(DeploymentResult)}, naming the precision, the router and the CPU tier when
   * the group compares several.
   */
  static String describe(DeploymentResult r, Group g) {
    return shape(r, g)
        + " "
        + setting(r)
        + routing(
            r,
            distinct(g, ParetoReport::router).size() > 1,
            distinct(g, ParetoReport::cpuTier).size() > 1);
  }

  /** ", router lor, CPU tier 64 GiB": each named when compared or not the default. */
  private static String routing(DeploymentResult r, boolean routers, boolean tiers) {
    String out = "";
    if (routers || !router(r).equals(RouterDimension.DEFAULT)) {
      out += ", router " + router(r);
    }
    if (tiers || r.cpuOffloadGib() > 0) {
      out += ", " + cpuTier(r);
    }
    return out;
  }

  // ---------------------------------------------------------------------------------- files

  private static void writeFrontierCsv(Path file, List<Group> groups, Thresholds t)
      throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write(
          "model,workload,metric,value_s,deployment_id,sku,node,tp,pp,replicas,scheduler,"
              + "chunk_size,max_tokens_in_batch,batch_size_cap,gpus,max_qps,dollars_per_hour,"
              + "capacity_per_dollar,slo_compliant,best,dtype,kv_cache_dtype,ep,layout,"
              + "prefill_sku,prefill_tp,prefill_pp,prefill_ep,prefill_replicas,"
              + "decode_sku,decode_tp,decode_pp,decode_ep,decode_replicas,"
              + "router,router_options,cpu_offload_gib,prefix_hit_rate\n");
      for (Group g : groups) {
        for (Metric m : Metric.values()) {
          for (DeploymentResult r : g.frontiers().get(m)) {
            Object[] cells = {
              g.model(),
              g.workload(),
              m.column,
              m.value.applyAsDouble(r),
              r.deploymentId(),
              r.sku(),
              r.node(),
              r.tp(),
              r.pp(),
              r.replicas(),
              r.scheduler(),
              r.chunkSize(),
              r.maxTokensInBatch(),
              r.batchSizeCap(),
              r.gpus(),
              r.maxQps(),
              r.dollarsPerHour(),
              r.capacityPerDollar(),
              t.met(r),
              r == g.best(),
              r.dtype(),
              r.kvCacheDtype(),
              r.ep(),
              r.layout(),
              r.metrics().prefillSku(),
              r.metrics().prefillTp(),
              r.metrics().prefillPp(),
              r.metrics().prefillEp(),
              r.metrics().prefillReplicas(),
              r.metrics().decodeSku(),
              r.metrics().decodeTp(),
              r.metrics().decodePp(),
              r.metrics().decodeEp(),
              r.metrics().decodeReplicas(),
              r.router(),
              r.routerOptions(),
              r.cpuOffloadGib(),
              Double.isNaN(r.prefixHitRate()) ? null : r.prefixHitRate()
            };
            List<String> s = new ArrayList<>();
            for (Object c : cells) {
              s.add(ResultColumns.cell(c));
            }
            w.write(String.join(",", s));
            w.write('\n');
          }
        }
      }
    }
  }

  private static void header(
      StringBuilder h, Info info, List<DeploymentResult> rows, Thresholds t) {
    h.append("<h1>llmcap search: ")
        .append(esc(info.name()))
        .append("</h1>\n<p>")
        .append(rows.size())
        .append(" deployments searched in ")
        .append(String.format(Locale.ROOT, "%.1f", info.wallS()))
        .append(" s; ")
        .append(info.skipped())
        .append(" combinations skipped. Capacity is the highest QPS meeting every search SLO (")
        .append(
            esc(
                String.join(
                    ", ",
                    info.slos().stream()
                        .map(s -> s.label() + " ≤ " + plain(s.maxS()) + " s")
                        .toList())))
        .append(
            "); capacity per dollar is that QPS per $/hour of the deployment's GPUs (price book ")
        .append(esc(info.priceBook()))
        .append("). The best deployment has the most capacity per dollar with TTFT p90 ≤ ")
        .append(plain(t.ttftP90()))
        .append(" s and TBT p99 ≤ ")
        .append(plain(t.tbtP99()))
        .append(
            " s. Frontier rows (blue) are those no other deployment beats on both capacity per"
                + " dollar and the latency. Data: <code>../deployments.csv</code>,"
                + " <code>../probes.csv</code>, <code>frontier.csv</code>.</p>\n");
    if (!info.skipReasons().isEmpty()) {
      h.append("<table><tr><th>skipped because</th><th>combinations</th></tr>\n");
      info.skipReasons()
          .forEach(
              (reason, n) ->
                  h.append("<tr><td>")
                      .append(esc(reason))
                      .append("</td><td>")
                      .append(n)
                      .append("</td></tr>\n"));
      h.append("</table>\n");
    }
  }

  private static void section(
      StringBuilder h,
      Group g,
      Thresholds t,
      List<String> skus,
      Latencies latencies,
      List<Figure> figures) {
    String slug = slug(g.model() + "__" + g.workload());
    h.append("<h2>")
        .append(esc(g.model()))
        .append(" / ")
        .append(esc(g.workload()))
        .append("</h2>\n");
    DeploymentResult b = g.best();
    h.append("<p>");
    if (b != null) {
      h.append("<b>Best:</b> ")
          .append(esc(describe(b, g)))
          .append(" [")
          .append(b.deploymentId())
          .append("]: ")
          .append(esc(numbers(b)))
          .append(". ");
    } else {
      h.append("<b>No priced deployment met the SLOs.</b> ");
    }
    h.append(g.compliant().size())
        .append(" of ")
        .append(g.rows().size())
        .append(" deployments meet the SLOs.");
    List<DeploymentResult> tied = indistinguishable(g);
    if (!tied.isEmpty()) {
      h.append(" <b>Not distinguishable from the best</b> (their ")
          .append(Math.round(CapacitySearch.LEVEL * 100))
          .append("% max QPS intervals, per $/hour, overlap the best's): ")
          .append(
              esc(
                  String.join(
                      "; ",
                      tied.stream()
                          .map(r -> describe(r, g) + " [" + r.deploymentId() + "]")
                          .toList())))
          .append(".");
    }
    List<DeploymentResult> unpriced = g.unpriced();
    if (!unpriced.isEmpty()) {
      h.append(" ")
          .append(unpriced.size())
          .append(" deployment(s) of SKUs without a price (")
          .append(
              esc(String.join(", ", new TreeSet<>(unpriced.stream().map(r -> r.sku()).toList()))))
          .append(") are listed below but not plotted on the $ axis.");
    }
    h.append("</p>\n");
    String layouts = layoutLine(g, t);
    if (layouts != null) {
      h.append("<p class=\"layouts\"><b>Aggregated vs disaggregated:</b> ")
          .append(esc(layouts.substring(layouts.indexOf(": ") + 2)))
          .append("</p>\n");
    }
    for (String line : routingLines(g, t)) {
      int colon = line.indexOf(": ");
      h.append("<p class=\"routing\"><b>")
          .append(esc(capitalized(line.substring(0, colon))))
          .append(":</b> ")
          .append(esc(line.substring(colon + 2)))
          .append("</p>\n");
    }
    Map<String, DeploymentResult> perPrecision = bestPerPrecision(g);
    if (!perPrecision.isEmpty()) {
      h.append("<p><b>Best per precision</b> (weights, and the KV cache when not 16-bit):</p>\n")
          .append("<table><tr><th>precision</th><th>best deployment</th><th>id</th>")
          .append("<th>max QPS</th><th>QPS per $/hour</th><th>TTFT p90 (s)</th>")
          .append("<th>TBT p99 (s)</th></tr>\n");
      perPrecision.forEach(
          (p, r) -> {
            h.append("<tr><td>").append(esc(p)).append("</td>");
            if (r == null) {
              h.append("<td colspan=\"6\">none met the SLOs</td>");
            } else {
              for (Object c :
                  new Object[] {
                    describe(r, g),
                    r.deploymentId(),
                    num(r.maxQps()),
                    num(r.capacityPerDollar()),
                    num(r.ttftP90()),
                    num(r.tbtP99())
                  }) {
                h.append("<td>").append(esc(String.valueOf(c))).append("</td>");
              }
            }
            h.append("</tr>\n");
          });
      h.append("</table>\n");
    }
    List<Figure> mine = new ArrayList<>();
    for (Metric m : Metric.values()) {
      if (!g.plotted().isEmpty()) {
        mine.add(
            new Figure(
                slug + "-" + m.column + ".png",
                scatter(g, m, t, skus),
                "Capacity per dollar against "
                    + m.label
                    + (perPrecision.isEmpty()
                        ? ": points coloured by SKU"
                        : ": points coloured by SKU and precision, one marker shape per precision")
                    + (g.rows().stream().anyMatch(DeploymentResult::disaggregated)
                        ? "; disaggregated deployments as crosses, coloured by prefill → decode"
                            + " SKU pair"
                        : "")
                    + " (grey: outside the SLOs), the Pareto frontier in red, the best deployment"
                    + " as a black diamond, the SLO as a dashed line."));
      }
    }
    if (g.plotted().isEmpty()) {
      h.append("<p>Nothing to plot: no priced deployment served any QPS within the SLOs.</p>");
    }
    mine.add(
        new Figure(
            slug + "-max_qps.png",
            maxQpsBars(g),
            "Max QPS of every deployment, grouped by SKU, replicas and parallelism (one bar per"
                + " scheduler setting; 0 = no QPS met the SLOs)."
                + (g.rows().stream().anyMatch(r -> r.metrics().maxQpsLow() != null)
                    ? " Error bars: the "
                        + Math.round(CapacitySearch.LEVEL * 100)
                        + "% interval over seeds (max_qps_low to max_qps_high), drawn symmetric"
                        + " with the larger of its two distances from max QPS."
                    : "")));
    if (b != null) {
      Measurement at = latencies.atMaxQps(b);
      mine.add(
          new Figure(
              slug + "-best_cdf.png",
              bestCdfs(g, b, at, t),
              "Latency CDFs of the best deployment at its max QPS ("
                  + num(b.maxQps())
                  + " QPS, "
                  + at.requests()
                  + " requests), with the TTFT p90 and TBT p99 thresholds."));
    }
    for (Figure f : mine) {
      h.append("<figure><img src=\"")
          .append(f.file())
          .append("\" alt=\"")
          .append(esc(f.chart().getTitle()))
          .append("\"><figcaption>")
          .append(esc(f.caption()))
          .append("</figcaption></figure>\n");
    }
    figures.addAll(mine);
    h.append("\n");
    for (Metric m : Metric.values()) {
      h.append("<h3>Pareto frontier: capacity per dollar vs ")
          .append(esc(m.label))
          .append("</h3>\n");
      table(h, g.frontiers().get(m), g, t);
    }
    h.append("<h3>All deployments</h3>\n");
    List<DeploymentResult> all = new ArrayList<>(g.rows());
    all.sort(
        Comparator.comparingDouble(
                (DeploymentResult r) ->
                    r.capacityPerDollar() == null
                        ? Double.POSITIVE_INFINITY
                        : -r.capacityPerDollar())
            .thenComparingDouble(r -> -r.maxQps())
            .thenComparing(DeploymentResult::deploymentId));
    table(h, all, g, t);
  }

  private static void table(StringBuilder h, List<DeploymentResult> rows, Group g, Thresholds t) {
    h.append(
        "<table><tr><th>deployment</th><th>id</th><th>GPUs</th><th>max QPS</th><th>$/hour</th>"
            + "<th>QPS per $/hour</th><th>TTFT p90 (s)</th><th>TBT p99 (s)</th>"
            + "<th>sched. delay p99 (s)</th><th>e2e p90 (s)</th><th>MFU</th><th>KV use</th>"
            + "<th>meets SLOs</th><th>failing SLO</th><th>probes</th></tr>\n");
    List<DeploymentResult> front = new ArrayList<>(g.frontiers().get(Metric.TTFT_P90));
    front.addAll(g.frontiers().get(Metric.TBT_P99));
    for (DeploymentResult r : rows) {
      String cls = r == g.best() ? " class=\"best\"" : front.contains(r) ? " class=\"front\"" : "";
      h.append("<tr").append(cls).append("><td>").append(esc(describe(r, g))).append("</td>");
      for (Object c :
          new Object[] {
            r.deploymentId(),
            r.gpus(),
            num(r.maxQps())
                + (r.metrics().maxQpsLow() == null
                    ? ""
                    : " ["
                        + num(r.metrics().maxQpsLow())
                        + ", "
                        + num(r.metrics().maxQpsHigh())
                        + "]"),
            r.dollarsPerHour() == null
                ? "no price"
                : String.format(Locale.ROOT, "%.2f", r.dollarsPerHour()),
            r.capacityPerDollar() == null ? "" : num(r.capacityPerDollar()),
            num(r.ttftP90()),
            num(r.tbtP99()),
            num(r.metrics().schedulingDelayP99()),
            num(r.metrics().e2eP90()),
            pct(r.metrics().mfu()),
            pct(r.metrics().kvUsageMean()),
            t.met(r) ? "yes" : "no",
            (r.failingSlo() == null ? "" : r.failingSlo())
                + (r.nonMonotone() ? " (non-monotone)" : ""),
            r.probes()
          }) {
        h.append("<td>").append(esc(String.valueOf(c))).append("</td>");
      }
      h.append("</tr>\n");
    }
    h.append("</table>\n");
  }

  /** Capacity per dollar against one latency, for the priced deployments of a group. */
  private static XYChart scatter(Group g, Metric m, Thresholds t, List<String> skus) {
    List<DeploymentResult> pts = g.plotted();
    ToDoubleFunction<DeploymentResult> x = m.value;
    XYChart chart =
        Charts.xy(
            g.model() + " / " + g.workload(), m.label, "capacity per dollar (QPS per $/hour)");
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
    chart.getStyler().setXAxisMin(0.0);
    chart.getStyler().setYAxisMin(0.0);
    double maxX = 0;
    double maxY = 0;
    for (DeploymentResult r : pts) {
      maxX = Math.max(maxX, x.applyAsDouble(r));
      maxY = Math.max(maxY, r.capacityPerDollar());
    }
    // colour by SKU (stable across the groups of one report); grey for rows outside the SLOs;
    // with several precisions, a series, colour and marker shape per SKU and precision
    List<String> precisions = precisions(g);
    for (int i = 0; i < skus.size(); i++) {
      String sku = skus.get(i);
      for (int j = 0; j < precisions.size(); j++) {
        String p = precisions.get(j);
        List<DeploymentResult> in =
            pts.stream()
                .filter(
                    r ->
                        !r.disaggregated()
                            && r.sku().equals(sku)
                            && precision(r).equals(p)
                            && t.met(r))
                .toList();
        if (!in.isEmpty()) {
          String name = precisions.size() > 1 ? sku + " " + p : sku;
          XYSeries s = series(chart, name + " (meets SLOs)", in, x);
          s.setMarker(PRECISION_MARKERS[j % PRECISION_MARKERS.length]);
          s.setMarkerColor(Charts.color(i * precisions.size() + j));
        }
      }
    }
    // disaggregated deployments: crosses, one colour per prefill → decode SKU pair
    List<String> pairs =
        pts.stream()
            .filter(DeploymentResult::disaggregated)
            .map(ParetoReport::skuPair)
            .distinct()
            .sorted()
            .toList();
    for (int k = 0; k < pairs.size(); k++) {
      String pair = pairs.get(k);
      List<DeploymentResult> in =
          pts.stream()
              .filter(r -> r.disaggregated() && skuPair(r).equals(pair) && t.met(r))
              .toList();
      if (!in.isEmpty()) {
        XYSeries s = series(chart, "disagg " + pair, in, x);
        s.setMarker(SeriesMarkers.CROSS);
        s.setMarkerColor(Charts.color(skus.size() * precisions.size() + k));
      }
    }
    List<DeploymentResult> out = pts.stream().filter(r -> !t.met(r)).toList();
    if (!out.isEmpty()) {
      XYSeries s = series(chart, "outside the SLOs", out, x);
      s.setMarker(SeriesMarkers.CIRCLE);
      s.setMarkerColor(Charts.GREY);
    }
    List<DeploymentResult> front = g.frontiers().get(m);
    Charts.line(
        chart,
        "Pareto frontier",
        front.stream().mapToDouble(x).toArray(),
        front.stream().mapToDouble(DeploymentResult::capacityPerDollar).toArray(),
        Charts.RED,
        Charts.SOLID);
    if (g.best() != null) {
      XYSeries s = series(chart, "best", List.of(g.best()), x);
      s.setMarker(SeriesMarkers.DIAMOND);
      s.setMarkerColor(Color.BLACK);
    }
    double limit = t.of(m);
    if (limit <= maxX * 1.5) {
      Charts.vertical(chart, "SLO " + plain(limit) + " s", limit, maxY * 1.05, Color.DARK_GRAY);
    }
    return chart;
  }

  /**
   * Max QPS per deployment: one category per SKU, replica count and parallelism, one bar series per
   * scheduler setting (scheduler, chunk or token budget, batch cap).
   */
  private static CategoryChart maxQpsBars(Group g) {
    Comparator<DeploymentResult> shape =
        Comparator.comparing(DeploymentResult::sku)
            .thenComparingInt(DeploymentResult::tp)
            .thenComparingInt(DeploymentResult::pp)
            .thenComparingInt(DeploymentResult::replicas)
            .thenComparingInt(DeploymentResult::ep)
            .thenComparing(ParetoReport::precision);
    List<String> categories = new ArrayList<>();
    g.rows().stream()
        .sorted(shape)
        .map(r -> shape(r, g))
        .distinct()
        .forEachOrdered(categories::add);
    Map<String, Map<String, Double>> bySetting = new java.util.TreeMap<>();
    Map<String, Map<String, Double>> errors = new java.util.TreeMap<>();
    boolean withErrors = false;
    for (DeploymentResult r : g.rows()) {
      bySetting
          .computeIfAbsent(setting(r), k -> new LinkedHashMap<>())
          .put(shape(r, g), r.maxQps());
      Double lo = r.metrics().maxQpsLow();
      Double hi = r.metrics().maxQpsHigh();
      if (lo != null && hi != null) {
        withErrors = true;
        errors
            .computeIfAbsent(setting(r), k -> new LinkedHashMap<>())
            .put(shape(r, g), Math.max(hi - r.maxQps(), r.maxQps() - lo));
      }
    }
    CategoryChart c =
        Charts.bars(
            g.model() + " / " + g.workload() + ": max QPS",
            "SKU, replicas and parallelism",
            "max QPS within the SLOs (requests/s)");
    if (categories.size() > 6) {
      c.getStyler().setXAxisLabelRotation(45);
    }
    if (withErrors) {
      c.getStyler().setErrorBarsColor(java.awt.Color.BLACK);
    }
    int i = 0;
    for (Map.Entry<String, Map<String, Double>> e : bySetting.entrySet()) {
      // a shape without this setting gets a zero-height bar, so the groups stay aligned
      List<Double> ys = categories.stream().map(k -> e.getValue().getOrDefault(k, 0.0)).toList();
      Map<String, Double> err = errors.getOrDefault(e.getKey(), Map.of());
      CategorySeries s =
          withErrors
              ? c.addSeries(
                  e.getKey(),
                  categories,
                  ys,
                  categories.stream().map(k -> err.getOrDefault(k, 0.0)).toList())
              : c.addSeries(e.getKey(), categories, ys);
      s.setFillColor(Charts.color(i++));
    }
    return c;
  }

  /** "a100 x4 TP1 PP1": the hardware shape of a deployment (and "EP4" with expert parallelism). */
  static String shape(DeploymentResult r) {
    if (r.disaggregated()) {
      DeploymentMetrics m = r.metrics();
      return m.prefillReplicas()
          + "P"
          + m.decodeReplicas()
          + "D "
          + pool(m.prefillSku(), m.prefillTp(), m.prefillEp(), m.prefillPp())
          + " → "
          + pool(m.decodeSku(), m.decodeTp(), m.decodeEp(), m.decodePp());
    }
    return r.sku()
        + " x"
        + r.replicas()
        + " TP"
        + r.tp()
        + (r.ep() > 1 ? " EP" + r.ep() : "")
        + " PP"
        + r.pp();
  }

  private static String pool(String sku, int tp, int ep, int pp) {
    return sku + " TP" + tp + (ep > 1 ? " EP" + ep : "") + " PP" + pp;
  }

  /** "h100→h200": a disaggregated row's prefill and decode SKUs. */
  static String skuPair(DeploymentResult r) {
    return r.metrics().prefillSku() + "→" + r.metrics().decodeSku();
  }

  /** The shape, and the precision when its group compares several ("h100 x4 TP2 PP1 fp8"). */
  static String shape(DeploymentResult r, Group g) {
    return shape(r) + (precisions(g).size() > 1 ? " " + precision(r) : "");
  }

  /** One marker shape per precision, so the precisions stay apart in grey print too. */
  private static final org.knowm.xchart.style.markers.Marker[] PRECISION_MARKERS = {
    SeriesMarkers.CIRCLE,
    SeriesMarkers.SQUARE,
    SeriesMarkers.TRIANGLE_UP,
    SeriesMarkers.TRIANGLE_DOWN
  };

  /** "sarathi chunk 512 cap 128": the scheduler setting of a deployment. */
  static String setting(DeploymentResult r) {
    return r.scheduler()
        + (r.chunkSize() == null ? "" : " chunk " + r.chunkSize())
        + (r.maxTokensInBatch() == null ? "" : " budget " + r.maxTokensInBatch())
        + " cap "
        + r.batchSizeCap();
  }

  /** The best deployment's TTFT, TBT, TPOT and end-to-end CDFs at its max QPS, log time axis. */
  private static XYChart bestCdfs(Group g, DeploymentResult b, Measurement at, Thresholds t) {
    XYChart c =
        Charts.xy(
            g.model() + " / " + g.workload() + ": best at " + num(b.maxQps()) + " QPS",
            "latency (s, log scale)",
            "fraction (of requests; TBT: of output tokens)");
    c.getStyler().setXAxisLogarithmic(true);
    c.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
    String[][] metrics = {
      {"ttft", "TTFT"}, {"tbt", "TBT per token"}, {"tpot", "TPOT"}, {"e2e", "end-to-end"}
    };
    for (int i = 0; i < metrics.length; i++) {
      Distribution v = at.series().get(metrics[i][0]);
      if (v.size() > 0) {
        Charts.cdf(c, metrics[i][1], v, Charts.color(i), true);
      }
    }
    Charts.vertical(
        c, "TTFT p90 SLO " + plain(t.ttftP90()) + " s", t.ttftP90(), 1, Charts.color(0));
    Charts.vertical(c, "TBT p99 SLO " + plain(t.tbtP99()) + " s", t.tbtP99(), 1, Charts.color(1));
    return c;
  }

  private static XYSeries series(
      XYChart chart,
      String name,
      List<DeploymentResult> rows,
      ToDoubleFunction<DeploymentResult> x) {
    double[] xs = rows.stream().mapToDouble(x).toArray();
    double[] ys = rows.stream().mapToDouble(DeploymentResult::capacityPerDollar).toArray();
    return chart.addSeries(name, xs, ys);
  }
}
