package io.llmcap.report;

import io.llmcap.config.SimulationConfig;
import io.llmcap.engine.SimulationResult;
import io.llmcap.metrics.Distribution;
import io.llmcap.metrics.MetricsCollector;
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
import java.util.function.IntToDoubleFunction;
import java.util.stream.Collectors;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;

/**
 * The report of one simulation: PNG plots (latency CDFs, batches over time, KV use and queues per
 * replica, utilisation per replica stage, the prefix hit rate over time when the cache hit) and
 * {@code report.html}, which shows them with the summary percentiles. Written into the run folder
 * before it is committed.
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
    RunWriter.REQUESTS_PARQUET,
    RunWriter.REQUESTS,
    RunWriter.BATCHES_PARQUET,
    RunWriter.BATCHES,
    RunWriter.TIMELINE_PARQUET,
    RunWriter.TIMELINE,
    RunWriter.TRACE,
    RunWriter.TRACE + ".gz",
    io.llmcap.metrics.ChromeTraceWriter.NOTE
  };

  /** Draws every plot into {@code dir} and writes {@code report.html}; returns the files. */
  public static List<String> write(Path dir, SimulationResult r, Map<String, Object> summary)
      throws IOException {
    return write(dir, r, summary, buckets(r), List.of());
  }

  /**
   * Draws every plot into {@code dir} and writes {@code report.html}, the time series from {@code
   * timeline} (streamed during the run); {@code notes} go on the page as they are.
   */
  public static List<String> write(
      Path dir,
      SimulationResult r,
      Map<String, Object> summary,
      TimelineBuckets timeline,
      List<String> notes)
      throws IOException {
    List<Figure> figures = new ArrayList<>(figures(r, summary, timeline));
    Figure hits = PrefixHitsOverTime.figure(dir, r.metrics().lastEventTime());
    if (hits != null) {
      figures.add(hits);
    }
    Charts.pngs(figures, dir);
    List<String> files = new ArrayList<>(figures.stream().map(Figure::file).toList());
    Files.writeString(
        dir.resolve(HTML), html(dir, r, summary, figures, timeline, notes), StandardCharsets.UTF_8);
    files.add(HTML);
    return files;
  }

  private static TimelineBuckets buckets(SimulationResult r) {
    MetricsCollector m = r.metrics();
    return m.keptRecords() ? TimelineBuckets.of(m.timeline()) : TimelineBuckets.forReport();
  }

  /** The plots of a run, not yet drawn. */
  public static List<Figure> figures(SimulationResult r, Map<String, Object> summary) {
    return figures(r, summary, buckets(r));
  }

  /**
   * The plots of a run, not yet drawn: latency CDFs from the run's distributions (kept in bounded
   * memory), time series from {@code t}.
   */
  public static List<Figure> figures(
      SimulationResult r, Map<String, Object> summary, TimelineBuckets t) {
    MetricsCollector m = r.metrics();
    List<Figure> out = new ArrayList<>();
    cdf(out, "ttft_cdf.png", "Time to first token", "TTFT (s)", "fraction of requests", m.ttft());
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
        m.tpot());
    cdf(
        out,
        "e2e_cdf.png",
        "End-to-end latency",
        "end-to-end latency (s)",
        "fraction of requests",
        m.e2e());
    if (t.samples() > 0) {
      int replicas = r.kvBlocksPerReplica().size();
      int shown = Math.min(replicas, MAX_REPLICAS_PLOTTED);
      String more =
          replicas > shown
              ? " The first " + shown + " of " + replicas + " replicas are drawn."
              : "";
      String avg = t.averaged() ? averagedNote(t) : "";
      out.add(
          overTime(
              "batch_size.png",
              "Batch size over time",
              "requests per batch",
              t,
              shown,
              TimelineBuckets.SIZE,
              rep -> 1.0,
              "Requests in each batch (iteration), at the time it ended, per replica."
                  + more
                  + avg));
      out.add(
          overTime(
              "batch_tokens.png",
              "Tokens per batch over time",
              "tokens per batch (prefill + decode)",
              t,
              shown,
              TimelineBuckets.TOKENS,
              rep -> 1.0,
              "Tokens each batch processed, prefill and decode, at the time it ended."
                  + more
                  + avg));
      out.add(
          overTime(
              "kv_usage.png",
              "KV-cache use over time",
              "KV-cache blocks in use (%)",
              t,
              shown,
              TimelineBuckets.KV,
              rep -> 100.0 / r.kvBlocksPerReplica().get(rep),
              kvCaption(r.kvBlocksPerReplica()) + more + avg));
      out.add(queues(t, shown, more + avg));
    }
    out.add(utilization(summary));
    return out;
  }

  /**
   * The KV plot's caption: each replica's share of its own blocks, which differ between the pools
   * of a disaggregated run.
   */
  private static String kvCaption(List<Integer> blocks) {
    if (blocks.stream().distinct().count() == 1) {
      return "Share of each replica's "
          + blocks.get(0)
          + " KV blocks held by requests, sampled when a batch ends.";
    }
    return "Share of each replica's own KV blocks ("
        + blocks.stream().distinct().map(String::valueOf).collect(Collectors.joining(", "))
        + " by pool) held by requests, sampled when a batch ends.";
  }

  private static String averagedNote(TimelineBuckets t) {
    return String.format(
        Locale.ROOT,
        " Each point averages the batches that ended in one span of %s s of simulated time.",
        Html.num(t.width()));
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

  /** One line per replica of a bucketed timeline field, against simulated time. */
  private static Figure overTime(
      String file,
      String title,
      String y,
      TimelineBuckets t,
      int shown,
      int field,
      IntToDoubleFunction scale,
      String caption) {
    XYChart c = Charts.xy(title, "simulated time (s)", y);
    c.getStyler().setYAxisMin(0.0);
    for (int rep = 0; rep < shown; rep++) {
      double[][] xy = t.series(rep, field);
      if (xy[0].length > 0) {
        double k = scale.applyAsDouble(rep);
        for (int i = 0; i < xy[1].length; i++) {
          xy[1][i] *= k;
        }
        Charts.line(c, "replica " + rep, xy[0], xy[1], Charts.color(rep), Charts.SOLID);
      }
    }
    return new Figure(file, c, caption);
  }

  private static Figure queues(TimelineBuckets t, int shown, String more) {
    XYChart c =
        Charts.xy("Running and waiting requests over time", "simulated time (s)", "requests");
    c.getStyler().setYAxisMin(0.0);
    for (int rep = 0; rep < shown; rep++) {
      double[][] run = t.series(rep, TimelineBuckets.RUNNING);
      double[][] wait = t.series(rep, TimelineBuckets.WAITING);
      if (run[0].length == 0) {
        continue;
      }
      Charts.line(
          c, "replica " + rep + " running", run[0], run[1], Charts.color(rep), Charts.SOLID);
      Charts.line(
          c, "replica " + rep + " waiting", wait[0], wait[1], Charts.color(rep), Charts.DASHED);
    }
    return new Figure(
        "requests.png",
        c,
        "Requests admitted to each replica and not yet completed (running, solid) and requests"
            + " queued or preempted (waiting, dashed), sampled when a batch ends."
            + more);
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
      Path dir,
      SimulationResult r,
      Map<String, Object> s,
      List<Figure> figures,
      TimelineBuckets timeline,
      List<String> notes) {
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
    h.append("</table>\n<h2>Plots</h2>\n<p>");
    h.append(Html.esc(drawnFrom(r.metrics(), timeline))).append("</p>\n");
    for (String note : notes) {
      h.append("<p>").append(Html.esc(note)).append("</p>\n");
    }
    for (Figure f : figures) {
      h.append("<figure><img src=\"")
          .append(f.file())
          .append("\" alt=\"")
          .append(Html.esc(f.chart().getTitle()))
          .append("\"><figcaption>")
          .append(Html.esc(f.caption()))
          .append("</figcaption></figure>\n");
    }
    if (r.metrics().completed() == 0) {
      h.append("<p>No request completed, so there are no latency distributions.</p>\n");
    }
    h.append("</body>\n</html>\n");
    return h.toString();
  }

  /** How the plots were drawn from the streamed data: sketched or exact, averaged or not. */
  static String drawnFrom(MetricsCollector m, TimelineBuckets t) {
    boolean sketched =
        m.ttft().sketched() || m.tbt().sketched() || m.tpot().sketched() || m.e2e().sketched();
    String cdfs =
        sketched
            ? String.format(
                Locale.ROOT,
                "The latency CDFs come from the run's distributions, which are exact up to %,d"
                    + " values and a quantile sketch (about 2 significant digits) beyond;"
                    + " this run's larger ones are sketched.",
                Distribution.DEFAULT_EXACT_LIMIT)
            : "The latency CDFs hold every request (every output-token gap for TBT).";
    String series =
        t.averaged()
            ? String.format(
                Locale.ROOT,
                " The plots over time average the %,d batch-end samples in spans of %s s of"
                    + " simulated time (at most %,d points per replica); the Parquet or CSV"
                    + " files hold every row.",
                t.samples(),
                Html.num(t.width()),
                Charts.MAX_POINTS)
            : " The plots over time show every batch-end sample.";
    return cdfs + series;
  }

  private static String cell(Object v) {
    return v == null ? "-" : Html.num(((Number) v).doubleValue());
  }
}
