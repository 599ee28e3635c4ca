package io.llmcap.validate;

import io.llmcap.report.Charts;
import io.llmcap.report.Figure;
import io.llmcap.report.Html;
import io.llmcap.validate.Validation.Outcome;
import io.llmcap.validate.Validation.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code report.html} of a validation: one predicted-vs-measured scatter plot per metric, log axes,
 * with the y = x line and ±20% bands, points coloured by model (flagged rows hollow), then the
 * error summary and every row's status.
 */
public final class ValidationReport {
  public static final String HTML = "report.html";

  private ValidationReport() {}

  public static void write(Path dir, Manifest manifest, List<Outcome> outcomes) throws IOException {
    List<Figure> figures = new ArrayList<>();
    for (Metric m : Metric.values()) {
      XYChart c = scatter(m, outcomes);
      if (c != null) {
        figures.add(
            new Figure(
                "scatter_" + m.column() + ".png",
                c,
                m.column() + ": predicted against measured (hollow: flagged rows)"));
      }
    }
    Charts.pngs(figures, dir);
    Files.writeString(dir.resolve(HTML), html(manifest, outcomes, figures), StandardCharsets.UTF_8);
  }

  private static XYChart scatter(Metric m, List<Outcome> outcomes) {
    Map<String, List<double[]>> byModel = new LinkedHashMap<>();
    double lo = Double.POSITIVE_INFINITY;
    double hi = 0;
    for (Outcome o : outcomes) {
      Double p = o.predicted().get(m);
      Double v = o.measured().get(m);
      if (o.status() != Status.ok || p == null || v == null || !(p > 0) || !(v > 0)) {
        continue;
      }
      String key = o.row().text("model") + (o.row().flags().isEmpty() ? "" : " (flagged)");
      byModel.computeIfAbsent(key, k -> new ArrayList<>()).add(new double[] {v, p});
      lo = Math.min(lo, Math.min(v, p));
      hi = Math.max(hi, Math.max(v, p));
    }
    if (byModel.isEmpty()) {
      return null;
    }
    XYChart c = Charts.xy(m.column(), "measured", "predicted");
    c.getStyler().setXAxisLogarithmic(true);
    c.getStyler().setYAxisLogarithmic(true);
    double a = lo / 1.3;
    double b = hi * 1.3;
    Charts.line(c, "y = x", new double[] {a, b}, new double[] {a, b}, Charts.GREY, Charts.SOLID);
    Charts.line(
        c,
        "±20%",
        new double[] {a, b},
        new double[] {a * 1.2, b * 1.2},
        Charts.GREY,
        Charts.DASHED);
    Charts.line(
        c, " ", new double[] {a, b}, new double[] {a / 1.2, b / 1.2}, Charts.GREY, Charts.DASHED);
    int i = 0;
    for (Map.Entry<String, List<double[]>> e : byModel.entrySet()) {
      double[] x = e.getValue().stream().mapToDouble(d -> d[0]).toArray();
      double[] y = e.getValue().stream().mapToDouble(d -> d[1]).toArray();
      var s = c.addSeries(e.getKey(), x, y);
      s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
      s.setMarker(e.getKey().endsWith("(flagged)") ? SeriesMarkers.CIRCLE : SeriesMarkers.DIAMOND);
      s.setMarkerColor(Charts.color(i++));
      if (e.getKey().endsWith("(flagged)")) {
        s.setMarkerColor(Charts.RED);
      }
    }
    return c;
  }

  private static String html(Manifest manifest, List<Outcome> outcomes, List<Figure> figures) {
    String name = manifest.file().getFileName().toString();
    StringBuilder h = Html.page("llmcap validate " + name);
    h.append("<h1>llmcap validate: ").append(Html.esc(name)).append("</h1>\n");
    long ok = outcomes.stream().filter(o -> o.status() == Status.ok).count();
    h.append("<p>")
        .append(outcomes.size())
        .append(" rows: ")
        .append(ok)
        .append(" simulated, ")
        .append(outcomes.size() - ok)
        .append(" unsupported or failed. Errors are (predicted − measured) / measured;")
        .append(" rows with a flag are reported under their flag, not in <i>all</i>.</p>\n");
    h.append("<h2>Median |error|</h2>\n<table><tr><th>group</th><th>value</th>");
    List<Metric> headline = List.of(Metric.TTFT_MEAN, Metric.TPOT_MEAN, Metric.E2E_MEAN);
    for (Metric m : headline) {
      h.append("<th>").append(m.column()).append("</th>");
    }
    h.append("<th>rows</th></tr>\n");
    Map<String, Map<Metric, Comparison.Line>> lines = new LinkedHashMap<>();
    for (Comparison.Line l : Comparison.lines(outcomes)) {
      lines
          .computeIfAbsent(l.group() + "\u0000" + l.value(), k -> new LinkedHashMap<>())
          .put(l.metric(), l);
    }
    lines.forEach(
        (k, byMetric) -> {
          String[] gv = k.split("\u0000");
          h.append("<tr><td>").append(Html.esc(gv[0])).append("</td><td>");
          h.append(Html.esc(gv[1])).append("</td>");
          int rows = 0;
          for (Metric m : headline) {
            Comparison.Line l = byMetric.get(m);
            h.append("<td>").append(l == null ? "-" : Html.pct(l.medianAbs())).append("</td>");
            rows = l == null ? rows : Math.max(rows, l.rows());
          }
          h.append("<td>").append(rows).append("</td></tr>\n");
        });
    h.append("</table>\n");
    for (Figure f : figures) {
      h.append("<figure><img src=\"")
          .append(f.file())
          .append("\"><figcaption>")
          .append(Html.esc(f.caption()))
          .append("</figcaption></figure>\n");
    }
    h.append("<h2>Rows</h2>\n<table><tr><th>id</th><th>status</th>");
    for (Metric m : headline) {
      h.append("<th>").append(m.column()).append(" measured</th><th>predicted</th><th>error</th>");
    }
    h.append("<th>reason</th></tr>\n");
    for (Outcome o : outcomes) {
      h.append("<tr><td>").append(Html.esc(o.row().id())).append("</td><td>");
      h.append(o.status()).append("</td>");
      for (Metric m : headline) {
        h.append("<td>").append(num(o.measured().get(m))).append("</td>");
        h.append("<td>").append(num(o.predicted().get(m))).append("</td>");
        Double e = o.error(m);
        h.append("<td>").append(e == null ? "-" : Html.pct(e)).append("</td>");
      }
      h.append("<td>").append(Html.esc(o.reason())).append("</td></tr>\n");
    }
    h.append("</table>\n</body>\n</html>\n");
    return h.toString();
  }

  private static String num(Double v) {
    return v == null ? "-" : Html.num(v);
  }
}
