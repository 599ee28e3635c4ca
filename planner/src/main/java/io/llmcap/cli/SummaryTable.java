package io.llmcap.cli;

import io.llmcap.engine.SimulationResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The human-readable run summary printed after a simulation. */
final class SummaryTable {
  private SummaryTable() {}

  private static final String[][] ROWS = {
    {"TTFT (s)", "ttft_s"},
    {"TBT per token (s)", "tbt_s"},
    {"TPOT (s)", "tpot_s"},
    {"end-to-end (s)", "e2e_s"},
    {"scheduling delay (s)", "scheduling_delay_s"},
    {"batch execution (s)", "batch_execution_time_s"},
    {"batch size", "batch_size"},
    {"batch tokens", "batch_tokens"},
  };

  static void print(PrintWriter out, SimulationResult r, Map<String, Object> s, Path folder) {
    var c = r.config();
    var d = r.deployment();
    var g = c.cluster().disaggregation();
    if (g != null) {
      out.printf(Locale.ROOT, "%s, disaggregated:", d.model().name());
      for (var p : r.pools()) {
        var pd = p.deployment();
        out.printf(
            Locale.ROOT,
            " %s %d x %s TP%d PP%d (%s);",
            p.name(),
            p.replicas().size(),
            pd.sku().name(),
            pd.tp(),
            pd.pp(),
            pd.node().name());
      }
      out.printf(
          Locale.ROOT,
          " routers %s / %s, first token from %s%n",
          g.prefillRouter(),
          g.decodeRouter(),
          g.firstToken());
    } else {
      header(out, r);
    }
    out.printf(
        Locale.ROOT,
        "%d requests, %.1f s simulated in %.2f s wall (%,.0f events/s); predictor: %s%n%n",
        r.requestsArrived(),
        r.endTime(),
        r.wallSeconds(),
        r.events() / Math.max(r.wallSeconds(), 1e-9),
        r.predictor());
    if (g != null) {
      out.printf(
          Locale.ROOT,
          "KV transfers: %d, p50 %.4f s, p99 %.4f s; waits for decode-side KV room: p99 %.4f s%n%n",
          r.metrics().kvTransfer().size(),
          r.metrics().kvTransfer().quantile(0.5),
          r.metrics().kvTransfer().quantile(0.99),
          r.metrics().decodeKvWait().quantile(0.99));
    }
    table(out, r, s, folder);
  }

  private static void header(PrintWriter out, SimulationResult r) {
    var c = r.config();
    var d = r.deployment();
    out.printf(
        Locale.ROOT,
        "%s on %d x %s replica(s) of TP%d PP%d (%s), scheduler %s, router %s%n",
        d.model().name(),
        c.cluster().replicas(),
        d.sku().name(),
        d.tp(),
        d.pp(),
        d.node().name(),
        c.scheduler().type(),
        c.router());
  }

  private static void table(
      PrintWriter out, SimulationResult r, Map<String, Object> s, Path folder) {
    out.printf(
        Locale.ROOT,
        "%-22s %10s %10s %10s %10s %10s%n",
        "metric",
        "p50",
        "p90",
        "p99",
        "mean",
        "max");
    for (String[] row : ROWS) {
      out.printf(
          Locale.ROOT,
          "%-22s %10s %10s %10s %10s %10s%n",
          row[0],
          fmt(s.get(row[1] + "_p50")),
          fmt(s.get(row[1] + "_p90")),
          fmt(s.get(row[1] + "_p99")),
          fmt(s.get(row[1] + "_mean")),
          fmt(s.get(row[1] + "_max")));
    }
    out.printf(
        Locale.ROOT,
        "%nthroughput %.2f req/s, %.0f output tokens/s; restarts %s; max batch size %s;"
            + " KV blocks/replica %s of %s tokens%n",
        (Double) s.get("throughput_rps"),
        (Double) s.get("output_tokens_per_s"),
        s.get("restarts_total"),
        s.get("max_batch_size"),
        s.get("kv_blocks_per_replica"),
        s.get("kv_block_size"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> stages = (List<Map<String, Object>>) s.get("replicas");
    for (Map<String, Object> st : stages) {
      out.printf(
          Locale.ROOT,
          "replica %s stage %s: busy %.1f%%, MFU %.1f%%, KV use mean %.1f%% peak %.1f%%%n",
          st.get("replica"),
          st.get("stage"),
          100 * (Double) st.get("busy_fraction"),
          100 * (Double) st.get("mfu"),
          100 * (Double) st.get("kv_usage_mean"),
          100 * (Double) st.get("kv_usage_peak"));
    }
    out.println();
    out.println("wrote " + folder);
  }

  private static String fmt(Object v) {
    if (v == null) {
      return "-";
    }
    double d = ((Number) v).doubleValue();
    return Math.abs(d) >= 1000
        ? String.format(Locale.ROOT, "%.0f", d)
        : String.format(Locale.ROOT, "%.4f", d);
  }
}
