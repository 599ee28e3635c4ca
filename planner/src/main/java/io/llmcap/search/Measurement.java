package io.llmcap.search;

import io.llmcap.engine.SimulationResult;
import io.llmcap.metrics.DoubleSeries;
import io.llmcap.metrics.MetricsCollector;
import io.llmcap.metrics.RequestRecord;
import java.util.Map;

/** The latency distributions of one probe, by SLO metric name, plus throughput figures. */
public record Measurement(
    Map<String, DoubleSeries> series,
    double outputTokensPerS,
    double mfu,
    double kvUsageMean,
    double batchSizeMean,
    long requests,
    double makespan) {

  public static Measurement of(SimulationResult r) {
    MetricsCollector m = r.metrics();
    int n = m.requests().size();
    DoubleSeries ttft = new DoubleSeries(n);
    DoubleSeries e2e = new DoubleSeries(n);
    DoubleSeries delay = new DoubleSeries(n);
    DoubleSeries tpot = new DoubleSeries(n);
    long outputTokens = 0;
    for (RequestRecord q : m.requests()) {
      ttft.add(q.ttft());
      e2e.add(q.e2e());
      delay.add(q.schedulingDelay());
      if (!Double.isNaN(q.tpot())) {
        tpot.add(q.tpot());
      }
      outputTokens += q.decodeTokens();
    }
    double makespan = m.lastEventTime();
    int replicas = r.kvBlocksPerReplica().size();
    int stages = r.deployment().pp();
    double flops = 0;
    double kv = 0;
    for (int rep = 0; rep < replicas; rep++) {
      for (int st = 0; st < stages; st++) {
        flops += m.flops(rep, st);
      }
      kv += m.kvMeanBlocks(rep, makespan) / r.kvBlocksPerReplica().get(rep);
    }
    double peak = r.deployment().sku().peakFlops() * replicas * stages;
    return new Measurement(
        Map.of(
            "ttft", ttft,
            "tbt", m.tbt(),
            "batch_time", m.batchTime(),
            "tpot", tpot,
            "e2e", e2e,
            "scheduling_delay", delay),
        makespan > 0 ? outputTokens / makespan : 0,
        makespan > 0 ? flops / (peak * makespan) : 0,
        kv / replicas,
        m.batchSize().mean(),
        n,
        makespan);
  }

  public double quantile(String metric, double q) {
    return series.get(metric).quantile(q);
  }

  /** The first SLO this probe misses, or null when it meets all. */
  public Slo firstViolation(Iterable<Slo> slos) {
    for (Slo s : slos) {
      double v = quantile(s.metric(), s.quantile());
      if (!(v <= s.maxS())) {
        return s;
      }
    }
    return null;
  }
}
