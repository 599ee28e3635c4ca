package io.llmcap.report;

import io.llmcap.config.SimulationConfig;
import io.llmcap.engine.SimulationResult;
import io.llmcap.metrics.Distribution;
import io.llmcap.metrics.MetricsCollector;
import io.llmcap.metrics.ReplicaTimeline;
import io.llmcap.metrics.RequestRecord;
import io.llmcap.output.RunWriter;
import io.llmcap.output.Summary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;

/**
 * The report of one simulation: PNG plots (latency CDFs, batches over time, KV use and queues per
 * replica, utilisation per replica stage) and {@code report.html}, which shows them with the
 * summary percentiles. Written into the run folder before it is committed.
 */
public final class RunReport {
  private RunReport() {}

  public static final String HTML = "report.html";

  /** Most replicas drawn in the per-replica plots (one colour each). */
  static final int MAX_REPLICAS_PLOTTED = 8;

  /** Distributions of the percentile table: summary.json key prefix and label. */
  private static final String[][] ROWS = {
    {"ttft_s", "TTFT (s)"},
    {"tbt_s", "TBT per token (s)"},
    {"tpot_s", "TPOT (s)"},
    {"e2e_s", "end-to-end (s)"},
    {"scheduling_delay_s", "scheduling delay (s)"},
    {"batch_execution_time_s", "batch execution (s)"},
    {"batch_size", "batch size (requests)"},
    {"batch_tokens", "batch tokens"},
  };

  /** Data files of a run folder that the page links to when they exist. */
  private static final String[] DATA_FILES = {
    RunWriter.CONFIG,
    RunWriter.SUMMARY,
    RunWriter.REQUESTS,
    RunWriter.BATCHES,
    RunWriter.TIMELINE,
    RunWriter.TRACE
  };

  /** Draws every plot into {@code dir} and writes {@code report.html}; returns the files. */
  public static List<String> write(Path dir, SimulationResult r, Map<String, Object> summary)
      throws IOException {
    List<Figure> figures = figures(r, summary);
    Charts.pngs(figures, dir);
    List<String> files = new ArrayList<>(figures.stream().map(Figure::file).toList());
    Files.writeString(dir.resolve(HTML), html(dir, r, summary, figures), StandardCharsets.UTF_8);
    files.add(HTML);
    return files;
  }

  /** The plots of a run, not yet drawn. */
  public static List<Figure> figures(SimulationResult r, Map<String, Object> summary) {
    MetricsCollector m = r.metrics();
    int n = m.requests().size();
    Distribution ttft = new Distribution();
    Distribution tpot = new Distribution();
    Distribution e2e = new Distribution();
    for (RequestRecord q : m.requests()) {
      ttft.add(q.ttft());
      e2e.add(q.e2e());
      if (!Double.isNaN(q.tpot())) {
        tpot.add(q.tpot());
      }
    }
    List<Figure> out = new ArrayList<>();
    cdf(out, "ttft_cdf.png", "Time to first token", "TTFT (s)", "fraction of requests", ttft);
    cdf(
        out,
        "tbt_cdf.png",
        "Time between tokens (per token)",
        "gap between consecutive output tokens of a request (s)",
        "fraction of output tokens",
        m.tbt());
    cdf(
        out,
        "tpot_cdf.png",
        "Time per output token (per request)",
        "TPOT (s)",
        "fraction of requests with 2+ output tokens",
        tpot);
    cdf(
        out,
        "e2e_cdf.png",
        "End-to-end latency",
        "end-to-end latency (s)",
        "fraction of requests",
        e2e);
    ReplicaTimeline t = m.timeline();
    if (t.size() > 0) {
      int replicas = r.kvBlocksPerReplica().size();
      int shown = Math.min(replicas, MAX_REPLICAS_PLOTTED);
      String more =
          replicas > shown
              ? " The first " + shown + " of " + replicas + " replicas are drawn."
              : "";
      out.add(
          overTime(
              "batch_size.png",
              "Batch size over time",
              "requests per batch",
              t,
              shown,
              i -> t.batchSize(i),
              "Requests in each batch (iteration), at the time it ended, per replica." + more));
      out.add(
          overTime(
              "batch_tokens.png",
              "Tokens per batch over time",
              "tokens per batch (prefill + decode)",
              t,
              shown,
              i -> t.batchTokens(i),
              "Tokens each batch processed, prefill and decode, at the time it ended." + more));
      out.add(
          overTime(
              "kv_usage.png",
              "KV-cache use over time",
              "KV-cache blocks in use (%)",
              t,
              shown,
              i -> 100.0 * t.kvBlocks(i) / r.kvBlocksPerReplica().get(t.replica(i)),
              "Share of each replica's "
                  + r.kvBlocksPerReplica().get(0)
                  + " KV blocks held by requests, sampled when a batch ends."
                  + more));
      out.add(queues(t, shown, more));
    }
    out.add(utilization(summary));
    return out;
  }

  private static void cdf(
      List<Figure> out, String file, String title, String x, String y, Distribution values) {
    if (values.size() == 0) {
      return;
    }
    XYChart c = Charts.xy(title, x, y);
    c.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
    Charts.cdf(
        c,
        String.format(
            Locale.ROOT,
            "p50 %s s, p90 %s s, p99 %s s",
            Html.num(values.quantile(0.5)),
            Html.num(values.quantile(0.9)),
            Html.num(values.quantile(0.99))),
        values,
        Charts.color(0),
        false);
    out.add(
        new Figure(
            file,
            c,
            title + ": the fraction of " + values.size() + " values at or below each latency."));
  }

  private interface Value {
    double at(int i);
  }

  /** One line per replica of a value sampled at batch ends, against simulated time. */
  private static Figure overTime(
      String file, String title, String y, ReplicaTimeline t, int shown, Value v, String caption) {
    XYChart c = Charts.xy(title, "simulated time (s)", y);
    c.getStyler().setYAxisMin(0.0);
    boolean thinned = false;
    for (int rep = 0; rep < shown; rep++) {
      double[][] xy = replicaSeries(t, rep, v);
      thinned |= xy[0].length > Charts.MAX_POINTS;
      if (xy[0].length > 0) {
        double[][] p = Charts.thin(xy[0], xy[1]);
        Charts.line(c, "replica " + rep, p[0], p[1], Charts.color(rep), Charts.SOLID);
      }
    }
    return new Figure(file, c, caption + (thinned ? THINNED : ""));
  }

  private static final String THINNED =
      " Long series are averaged over " + Charts.MAX_POINTS + " equal runs of batches.";

  private static double[][] replicaSeries(ReplicaTimeline t, int rep, Value v) {
    int k = 0;
    for (int i = 0; i < t.size(); i++) {
      if (t.replica(i) == rep) {
        k++;
      }
    }
    double[] xs = new double[k];
    double[] ys = new double[k];
    k = 0;
    for (int i = 0; i < t.size(); i++) {
      if (t.replica(i) == rep) {
        xs[k] = t.time(i);
        ys[k++] = v.at(i);
      }
    }
    return new double[][] {xs, ys};
  }

  private static Figure queues(ReplicaTimeline t, int shown, String more) {
    XYChart c =
        Charts.xy("Running and waiting requests over time", "simulated time (s)", "requests");
    c.getStyler().setYAxisMin(0.0);
    boolean thinned = false;
    for (int rep = 0; rep < shown; rep++) {
      double[][] run = replicaSeries(t, rep, t::running);
      double[][] wait = replicaSeries(t, rep, t::waiting);
      if (run[0].length == 0) {
        continue;
      }
      thinned |= run[0].length > Charts.MAX_POINTS;
      double[][] p = Charts.thin(run[0], run[1]);
      Charts.line(c, "replica " + rep + " running", p[0], p[1], Charts.color(rep), Charts.SOLID);
      p = Charts.thin(wait[0], wait[1]);
      Charts.line(c, "replica " + rep + " waiting", p[0], p[1], Charts.color(rep), Charts.DASHED);
    }
    return new Figure(
        "requests.png",
        c,
        "Requests admitted to each replica and not yet completed (running, solid) and requests"
            + " queued or preempted (waiting, dashed), sampled when a batch ends."
            + more
            + (thinned ? THINNED : ""));
  }

  private static Figure utilization(Map<String, Object> summary) {
    List<Map<String, Object>> stages = stages(summary);
    List<String> names = new ArrayList<>();
    List<Double> busy = new ArrayList<>();
    List<Double> mfu = new ArrayList<>();
    for (Map<String, Object> s : stages) {
      names.add("replica " + s.get("replica") + " stage " + s.get("stage"));
      busy.add(100 * (Double) s.get("busy_fraction"));
      mfu.add(100 * (Double) s.get("mfu"));
    }
    CategoryChart c =
        Charts.bars("Busy time and MFU per replica stage", "replica stage", "percent");
    if (names.size() > 6) {
      c.getStyler().setXAxisLabelRotation(90);
    }
    c.addSeries("busy (% of the run)", names, busy);
    c.addSeries("MFU (% of peak FLOPs)", names, mfu);
    return new Figure(
        "utilization.png",
        c,
        "Busy: the share of the run's simulated time a stage was executing a batch. MFU: model"
            + " FLOPs done over the stage's peak FLOPs for the whole run.");
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> stages(Map<String, Object> summary) {
    return (List<Map<String, Object>>) summary.get("replicas");
  }

  // ---------------------------------------------------------------------------------- page

  private static String html(
      Path dir, SimulationResult r, Map<String, Object> s, List<Figure> figures) {
    SimulationConfig c = r.config();
    var d = r.deployment();
    StringBuilder h = Html.page("llmcap run " + c.name());
    h.append("<h1>llmcap run: ").append(Html.esc(c.name())).append("</h1>\n<p>");
    h.append(
        Html.esc(
            String.format(
                Locale.ROOT,
                "%s on %d × %s replica(s) of TP%d PP%d (%s), scheduler %s, router %s;"
                    + " predictor %s.",
                d.model().name(),
                c.cluster().replicas(),
                d.sku().name(),
                d.tp(),
                d.pp(),
                d.node().name(),
                c.scheduler().type(),
                c.router(),
                r.predictor())));
    h.append(" ")
        .append(
            Html.esc(
                String.format(
                    Locale.ROOT,
                    "%d requests arrived, %s completed over %s s of simulated time: %s requests/s,"
                        + " %s output tokens/s; %s restarts (preemptions); KV cache %s blocks of"
                        + " %s tokens per replica.",
                    r.requestsArrived(),
                    s.get("requests_completed"),
                    Html.num((Double) s.get("makespan_s")),
                    Html.num((Double) s.get("throughput_rps")),
                    Html.num((Double) s.get("output_tokens_per_s")),
                    s.get("restarts_total"),
                    s.get("kv_blocks_per_replica"),
                    s.get("kv_block_size"))));
    h.append("</p>\n<p>Data:");
    for (String f : DATA_FILES) {
      if (Files.isRegularFile(dir.resolve(f))) {
        h.append(" <a href=\"").append(f).append("\">").append(f).append("</a>");
      }
    }
    h.append("</p>\n<h2>Summary percentiles</h2>\n<table><tr><th>metric</th>");
    for (String q : Summary.QUANTILE_KEYS) {
      h.append("<th>").append(q).append("</th>");
    }
    h.append("<th>mean</th><th>max</th></tr>\n");
    for (String[] row : ROWS) {
      h.append("<tr><td>").append(Html.esc(row[1])).append("</td>");
      for (String q : Summary.QUANTILE_KEYS) {
        h.append("<td>").append(cell(s.get(row[0] + "_" + q))).append("</td>");
      }
      h.append("<td>").append(cell(s.get(row[0] + "_mean"))).append("</td>");
      h.append("<td>").append(cell(s.get(row[0] + "_max"))).append("</td></tr>\n");
    }
    h.append("</table>\n<h2>Replica stages</h2>\n<table><tr><th>replica</th><th>stage</th>")
        .append("<th>busy</th><th>MFU</th><th>KV use (mean)</th><th>KV use (peak)</th></tr>\n");
    for (Map<String, Object> st : stages(s)) {
      h.append("<tr><td>")
          .append(st.get("replica"))
          .append("</td><td>")
          .append(st.get("stage"))
          .append("</td>");
      for (String k : new String[] {"busy_fraction", "mfu", "kv_usage_mean", "kv_usage_peak"}) {
        h.append("<td>").append(Html.pct((Double) st.get(k))).append("</td>");
      }
      h.append("</tr>\n");
    }
    h.append("</table>\n<h2>Plots</h2>\n");
    for (Figure f : figures) {
      h.append("<figure><img src=\"")
          .append(f.file())
          .append("\" alt=\"")
          .append(Html.esc(f.chart().getTitle()))
          .append("\"><figcaption>")
          .append(Html.esc(f.caption()))
          .append("</figcaption></figure>\n");
    }
    if (r.metrics().requests().isEmpty()) {
      h.append("<p>No request completed, so there are no latency distributions.</p>\n");
    }
    h.append("</body>\n</html>\n");
    return h.toString();
  }

  private static String cell(Object v) {
    return v == null ? "-" : Html.num(((Number) v).doubleValue());
  }
}
