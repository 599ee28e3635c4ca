package io.llmcap.search;

import io.llmcap.search.Pareto.Group;
import io.llmcap.search.Pareto.Metric;
import io.llmcap.search.Pareto.Thresholds;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
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
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes {@code report/}: per (model, workload) PNG plots of capacity per dollar against TTFT p90
 * and TBT p99, {@code frontier.csv}, and {@code index.html} tying them together; returns the text
 * summary printed after a search.
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

  private static final Color[] PALETTE = {
    new Color(0x1f77b4),
    new Color(0xff7f0e),
    new Color(0x2ca02c),
    new Color(0x9467bd),
    new Color(0x8c564b),
    new Color(0xe377c2),
    new Color(0x17becf),
    new Color(0xbcbd22)
  };
  private static final Color GREY = new Color(0xb0b0b0);
  private static final Color FRONTIER = new Color(0xd62728);

  /** Writes the report into {@code dir} and returns the summary lines. */
  public static List<String> write(Path dir, List<DeploymentResult> rows, Info info) {
    Thresholds t = Thresholds.of(info.slos());
    List<Group> groups = Pareto.analyze(rows, t);
    try {
      Files.createDirectories(dir);
      writeFrontierCsv(dir.resolve("frontier.csv"), groups, t);
      List<String> skus = rows.stream().map(DeploymentResult::sku).distinct().sorted().toList();
      StringBuilder html = new StringBuilder();
      header(html, info, rows, t);
      for (Group g : groups) {
        section(html, dir, g, t, skus);
      }
      html.append("</body>\n</html>\n");
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
        out.add(head + "best " + describe(b) + " [" + b.deploymentId() + "]");
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
                          describe(r),
                          r.deploymentId(),
                          num(r.maxQps()),
                          num(r.maxQps() / r.gpus()),
                          num(r.ttftP90()),
                          num(r.tbtP99()))));
    }
    return out;
  }

  private static String numbers(DeploymentResult b) {
    return String.format(
        Locale.ROOT,
        "max QPS %s, $%.2f/hour, %s QPS per $/hour, TTFT p90 %s s, TBT p99 %s s",
        num(b.maxQps()),
        b.dollarsPerHour(),
        num(b.capacityPerDollar()),
        num(b.ttftP90()),
        num(b.tbtP99()));
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

  /** "a100 x4 TP1 PP1 sarathi chunk 512 cap 128": the deployment within its (model, workload). */
  public static String describe(DeploymentResult r) {
    return r.sku()
        + " x"
        + r.replicas()
        + " TP"
        + r.tp()
        + " PP"
        + r.pp()
        + " "
        + r.scheduler()
        + (r.chunkSize() == null ? "" : " chunk " + r.chunkSize())
        + (r.maxTokensInBatch() == null ? "" : " budget " + r.maxTokensInBatch())
        + " cap "
        + r.batchSizeCap();
  }

  // ---------------------------------------------------------------------------------- files

  private static void writeFrontierCsv(Path file, List<Group> groups, Thresholds t)
      throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write(
          "model,workload,metric,value_s,deployment_id,sku,node,tp,pp,replicas,scheduler,"
              + "chunk_size,max_tokens_in_batch,batch_size_cap,gpus,max_qps,dollars_per_hour,"
              + "capacity_per_dollar,slo_compliant,best\n");
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
              r == g.best()
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
    h.append("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>llmcap search ")
        .append(esc(info.name()))
        .append("</title>\n<style>\n")
        .append("body{font-family:sans-serif;margin:2em;max-width:1400px}")
        .append("table{border-collapse:collapse;font-size:13px;margin:0.5em 0 1.5em}")
        .append("td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}")
        .append("td:first-child,th:first-child{text-align:left}")
        .append("tr.best{background:#fff3b0}tr.front{background:#e8f4ff}")
        .append("img{max-width:49%;border:1px solid #eee}\n</style>\n</head>\n<body>\n")
        .append("<h1>llmcap search: ")
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

  private static void section(StringBuilder h, Path dir, Group g, Thresholds t, List<String> skus)
      throws IOException {
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
          .append(esc(describe(b)))
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
    for (Metric m : Metric.values()) {
      String file = slug + "-" + m.column + ".png";
      if (plot(dir.resolve(file), g, m, t, skus)) {
        h.append("<img src=\"").append(file).append("\" alt=\"").append(esc(m.label)).append("\">");
      }
    }
    if (g.plotted().isEmpty()) {
      h.append("<p>Nothing to plot: no priced deployment served any QPS within the SLOs.</p>");
    }
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
      h.append("<tr").append(cls).append("><td>").append(esc(describe(r))).append("</td>");
      for (Object c :
          new Object[] {
            r.deploymentId(),
            r.gpus(),
            num(r.maxQps()),
            r.dollarsPerHour() == null
                ? "no price"
                : String.format(Locale.ROOT, "%.2f", r.dollarsPerHour()),
            r.capacityPerDollar() == null ? "" : num(r.capacityPerDollar()),
            num(r.ttftP90()),
            num(r.tbtP99()),
            num(r.schedulingDelayP99()),
            num(r.e2eP90()),
            pct(r.mfu()),
            pct(r.kvUsageMean()),
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

  /** One scatter plot; false when there is nothing to plot. */
  private static boolean plot(Path file, Group g, Metric m, Thresholds t, List<String> skus)
      throws IOException {
    List<DeploymentResult> pts = g.plotted();
    if (pts.isEmpty()) {
      return false;
    }
    ToDoubleFunction<DeploymentResult> x = m.value;
    XYChart chart =
        new XYChartBuilder()
            .width(800)
            .height(520)
            .title(g.model() + " / " + g.workload())
            .xAxisTitle(m.label)
            .yAxisTitle("capacity per dollar (QPS per $/hour)")
            .build();
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
    chart.getStyler().setLegendPosition(LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Horizontal);
    chart.getStyler().setMarkerSize(8);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotGridLinesColor(new Color(0xe6e6e6));
    chart.getStyler().setXAxisMin(0.0);
    chart.getStyler().setYAxisMin(0.0);
    double maxX = 0;
    double maxY = 0;
    for (DeploymentResult r : pts) {
      maxX = Math.max(maxX, x.applyAsDouble(r));
      maxY = Math.max(maxY, r.capacityPerDollar());
    }
    // colour by SKU (stable across the groups of one report); grey for rows outside the SLOs
    for (int i = 0; i < skus.size(); i++) {
      String sku = skus.get(i);
      List<DeploymentResult> in =
          pts.stream().filter(r -> r.sku().equals(sku) && t.met(r)).toList();
      if (!in.isEmpty()) {
        XYSeries s = series(chart, sku + " (meets SLOs)", in, x);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setMarkerColor(PALETTE[i % PALETTE.length]);
      }
    }
    List<DeploymentResult> out = pts.stream().filter(r -> !t.met(r)).toList();
    if (!out.isEmpty()) {
      XYSeries s = series(chart, "outside the SLOs", out, x);
      s.setMarker(SeriesMarkers.CIRCLE);
      s.setMarkerColor(GREY);
    }
    XYSeries f = series(chart, "Pareto frontier", g.frontiers().get(m), x);
    f.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
    f.setMarker(SeriesMarkers.NONE);
    f.setLineColor(FRONTIER);
    f.setLineStyle(new BasicStroke(1.5f));
    if (g.best() != null) {
      XYSeries s = series(chart, "best", List.of(g.best()), x);
      s.setMarker(SeriesMarkers.DIAMOND);
      s.setMarkerColor(Color.BLACK);
    }
    double limit = t.of(m);
    if (limit <= maxX * 1.5) {
      XYSeries s =
          chart.addSeries(
              "SLO " + plain(limit) + " s",
              new double[] {limit, limit},
              new double[] {0, maxY * 1.05});
      s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
      s.setMarker(SeriesMarkers.NONE);
      s.setLineColor(Color.DARK_GRAY);
      s.setLineStyle(
          new BasicStroke(
              1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    }
    Files.write(file, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    return true;
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

  // ---------------------------------------------------------------------------------- format

  static String num(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    return Math.abs(v) >= 1000
        ? String.format(Locale.ROOT, "%.0f", v)
        : String.format(Locale.ROOT, "%.4g", v);
  }

  /** A threshold as written in a config: 2, 0.2. */
  static String plain(double v) {
    return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
  }

  private static String pct(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
  }

  static String slug(String s) {
    return s.replaceAll("[^A-Za-z0-9._-]+", "_");
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
