package io.llmcap.search;

import io.llmcap.engine.SimulationResult;
import io.llmcap.metrics.Distribution;
import io.llmcap.metrics.EarlyStop;
import io.llmcap.metrics.MetricsCollector;
import io.llmcap.timing.ModelFlops;
import java.util.Map;

/**
 * The latency distributions of one probe, by SLO metric name, plus throughput figures. {@code
 * stoppedOn} is the SLO the probe certainly missed when its simulation stopped early (its
 * distributions then cover only the requests completed by then), else null.
 */
public record Measurement(
    Map<String, Distribution> series,
    double outputTokensPerS,
    double mfu,
    double kvUsageMean,
    double batchSizeMean,
    long requests,
    double makespan,
    Slo stoppedOn,
    PrefixHits prefixHits) {

  /**
   * Prompt tokens of the completed requests and, of those, the ones taken from the prefix cache:
   * from either tier ({@code cached}), and from the host-memory tier ({@code hostCached}). Null in
   * a {@link Measurement} when no replica caches prefixes.
   */
  public record PrefixHits(long prompt, long cached, long hostCached) {

    /** Of the prompt tokens, the share taken from the cache (summary.json's prefix_hit_rate). */
    public double rate() {
      return share(cached);
    }

    /** The share taken from the GPU tier. */
    public double gpuRate() {
      return share(cached - hostCached);
    }

    /** The share loaded back from the host-memory tier. */
    public double cpuRate() {
      return share(hostCached);
    }

    private double share(long tokens) {
      return prompt > 0 ? tokens / (double) prompt : 0.0;
    }
  }

  /**
   * The series of a disaggregated run, present only there: seconds of each request's KV transfer
   * from its prefill to its decode replica ({@code kv_transfer_s} of the run's summary), and of its
   * wait for KV room on the decode side ({@code decode_kv_wait_s}).
   */
  public static final String KV_TRANSFER = "kv_transfer";

  public static final String DECODE_KV_WAIT = "decode_kv_wait";

  public static Measurement of(SimulationResult r) {
    MetricsCollector m = r.metrics();
    double makespan = m.lastEventTime();
    int replicas = r.kvBlocksPerReplica().size();
    double flops = 0;
    double kv = 0;
    double peak = 0;
    // per pool: a disaggregated run's pools differ in SKU and stages
    for (io.llmcap.engine.Pool p : r.pools()) {
      int stages = p.deployment().pp();
      for (int i = 0; i < p.replicas().size(); i++) {
        int rep = p.firstReplica() + i;
        for (int st = 0; st < stages; st++) {
          flops += m.flops(rep, st);
        }
        kv += m.kvMeanBlocks(rep, makespan) / r.kvBlocksPerReplica().get(rep);
      }
      peak += p.deployment().sku().peakFlops() * p.replicas().size() * stages;
    }
    EarlyStop stop = m.stoppedBy();
    Map<String, Distribution> series = new java.util.HashMap<>();
    series.put("ttft", m.ttft());
    series.put("tbt", m.tbt());
    series.put("batch_time", m.batchTime());
    series.put("tpot", m.tpot());
    series.put("e2e", m.e2e());
    series.put("scheduling_delay", m.schedulingDelay());
    if (r.pools().size() > 1) {
      series.put(KV_TRANSFER, m.kvTransfer());
      series.put(DECODE_KV_WAIT, m.decodeKvWait());
    }
    return new Measurement(
        Map.copyOf(series),
        makespan > 0 ? m.outputTokens() / makespan : 0,
        ModelFlops.mfu(flops, peak, makespan),
        kv / replicas,
        m.batchSize().mean(),
        m.completed(),
        makespan,
        stop == null ? null : new Slo(stop.metric(), stop.quantile(), stop.maxS()),
        r.cachesPrefixes()
            ? new PrefixHits(m.promptTokens(), m.cachedTokens(), m.hostCachedTokens())
            : null);
  }

  public double quantile(String metric, double q) {
    return series.get(metric).quantile(q);
  }

  /** The first SLO this probe misses, or null when it meets all. */
  public Slo firstViolation(Iterable<Slo> slos) {
    if (stoppedOn != null) {
      return stoppedOn;
    }
    for (Slo s : slos) {
      double v = quantile(s.metric(), s.quantile());
      if (!(v <= s.maxS())) {
        return s;
      }
    }
    return null;
  }
}
