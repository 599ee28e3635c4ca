package io.llmcap.output;

import io.llmcap.catalog.Deployment;
import io.llmcap.config.SimulationConfig;
import io.llmcap.engine.Pool;
import io.llmcap.engine.SimulationResult;
import io.llmcap.metrics.Distribution;
import io.llmcap.metrics.MetricsCollector;
import io.llmcap.scheduler.HostTierPlan;
import io.llmcap.timing.ModelFlops;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The headline numbers of a run, as an ordered map that becomes {@code summary.json}. Latencies are
 * seconds: {@code tbt_s} is the gap between consecutive output tokens of one request, {@code
 * batch_execution_time_s} the wall time of one iteration (what the reference called TBT).
 */
public final class Summary {
  /** Quantile labels and values written for every distribution. */
  public static final String[] QUANTILE_KEYS = {"p50", "p90", "p95", "p99", "p99.9"};

  private static final double[] QUANTILES = {0.5, 0.9, 0.95, 0.99, 0.999};

  private Summary() {}

  public static Map<String, Object> of(SimulationResult r) {
    MetricsCollector m = r.metrics();
    double makespan = m.lastEventTime();
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("requests", r.requestsArrived());
    s.put("requests_completed", m.completed());
    s.put("restarts_total", m.restarts());
    s.put("makespan_s", makespan);
    s.put("throughput_rps", makespan > 0 ? m.completed() / makespan : 0.0);
    s.put("output_tokens_per_s", makespan > 0 ? m.outputTokens() / makespan : 0.0);
    s.put("tokens_processed", m.tokensProcessed());
    s.put("batches", (long) m.batchSize().size());
    distribution(s, "ttft_s", m.ttft());
    distribution(s, "tbt_s", m.tbt());
    distribution(s, "tpot_s", m.tpot());
    distribution(s, "e2e_s", m.e2e());
    distribution(s, "scheduling_delay_s", m.schedulingDelay());
    distribution(s, "batch_execution_time_s", m.batchTime());
    distribution(s, "batch_size", m.batchSize());
    distribution(s, "batch_tokens", m.batchTokens());
    if (r.speculative()) {
      speculative(s, r);
    }
    s.put("max_batch_size", r.maxBatchSize());
    s.put("kv_block_size", r.memory().blockSize());
    s.put("kv_blocks_per_replica", r.kvBlocksPerReplica().get(0));
    s.put("kv_request_slots", r.memory().requestSlots());
    s.put("weights_gib_per_device", r.memory().paramBytesPerDevice() / (double) (1L << 30));
    boolean caches = r.cachesPrefixes();
    boolean fleet = caches && reportsPrefixFleet(r.config());
    if (caches) {
      s.put("prefix_cached_tokens", m.cachedTokens());
      s.put("prefix_computed_tokens", m.promptTokens() - m.cachedTokens());
      s.put("prefix_hit_rate", share(m.cachedTokens(), m.promptTokens()));
    }
    if (fleet) {
      prefixFleet(s, r);
    }
    s.put("predictor", r.predictor());
    s.put("replicas", replicaStats(r, makespan, fleet));
    if (r.pools().size() > 1) {
      s.put("pools", poolStats(r, makespan, fleet));
    }
    var disaggregation = r.config().cluster().disaggregation();
    if (disaggregation != null) {
      s.put("layout", "disaggregated");
      s.put("first_token", disaggregation.firstToken());
      s.put("layerwise_transfer", disaggregation.layerwiseTransfer());
      s.put("kv_transfers", (long) m.kvTransfer().size());
      s.put("kv_transfer_bytes", m.kvTransferBytes());
      distribution(s, "kv_transfer_s", m.kvTransfer());
      distribution(s, "decode_kv_wait_s", m.decodeKvWait());
      distribution(s, "decode_queue_s", m.decodeQueue());
      distribution(s, "kv_link_wait_s", m.kvLinkWait());
    }
    return s;
  }

  /**
   * One entry per pool, for runs with several: its shape, what it completed and processed, and its
   * replicas' mean busy fraction, MFU and KV use. (Top-level keys describe the first pool.)
   */
  private static List<Map<String, Object>> poolStats(
      SimulationResult r, double makespan, boolean fleet) {
    MetricsCollector m = r.metrics();
    List<Map<String, Object>> out = new ArrayList<>();
    for (Pool p : r.pools()) {
      Deployment d = p.deployment();
      long completed = 0;
      long tokens = 0;
      long batches = 0;
      double busy = 0;
      double flops = 0;
      double kv = 0;
      double kvPeak = 0;
      int n = p.replicas().size();
      for (int rep = p.firstReplica(); rep < p.firstReplica() + n; rep++) {
        completed += m.completed(rep);
        tokens += m.tokensProcessed(rep);
        batches += m.batches(rep);
        for (int st = 0; st < d.pp(); st++) {
          busy += m.busySeconds(rep, st);
          flops += m.flops(rep, st);
        }
        kv += m.kvMeanBlocks(rep, makespan) / r.kvBlocksPerReplica().get(rep);
        kvPeak = Math.max(kvPeak, m.kvPeakBlocks(rep) / (double) r.kvBlocksPerReplica().get(rep));
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("pool", p.name());
      row.put("model", d.model().name());
      row.put("sku", d.sku().name());
      row.put("node", d.node().name());
      row.put("tensor_parallel", d.tp());
      row.put("pipeline_parallel", d.pp());
      row.put("replicas", n);
      row.put("predictor", p.predictor().describe());
      row.put("max_batch_size", p.maxBatchSize());
      row.put("kv_block_size", p.memory().blockSize());
      row.put("kv_blocks_per_replica", p.kvBlocksPerReplica());
      row.put("requests_completed", completed);
      row.put("tokens_processed", tokens);
      row.put("batches", batches);
      double stageSeconds = makespan * n * d.pp();
      row.put("busy_fraction", makespan > 0 ? busy / stageSeconds : 0.0);
      row.put("mfu", ModelFlops.mfu(flops, d.sku().peakFlops(), stageSeconds));
      row.put("kv_usage_mean", kv / n);
      if (fleet) {
        long prompt = 0;
        long cached = 0;
        long[] requests = new long[n];
        for (int k = 0; k < n; k++) {
          prompt += m.promptTokens(p.firstReplica() + k);
          cached += m.cachedTokens(p.firstReplica() + k);
          requests[k] = m.completed(p.firstReplica() + k);
        }
        row.put("prefix_hit_rate", share(cached, prompt));
        row.put("requests_per_replica_max_over_mean", maxOverMean(requests));
      }
      if (r.config().cluster().disaggregation() != null) {
        // queueing: prefill, arrival to first step; decode, KV arrival to first step there
        Distribution queue = p == r.pools().get(0) ? m.schedulingDelay() : m.decodeQueue();
        row.put("kv_usage_peak", kvPeak);
        row.put("queue_s_p50", finite(queue.quantile(0.5)));
        row.put("queue_s_p99", finite(queue.quantile(0.99)));
        row.put("queue_s_mean", finite(queue.mean()));
      }
      out.add(row);
    }
    return out;
  }

  private static void speculative(Map<String, Object> s, SimulationResult r) {
    MetricsCollector m = r.metrics();
    Distribution steps = m.specTokensPerStep();
    s.put("spec_method", r.config().speculative().method());
    s.put("spec_num_speculative_tokens", r.config().speculative().numSpeculativeTokens());
    s.put("spec_verify_steps", (long) steps.size());
    s.put("spec_proposed_tokens", m.specProposedTokens());
    s.put("spec_accepted_tokens", m.specAcceptedTokens());
    s.put(
        "spec_acceptance_ratio",
        m.specProposedTokens() > 0
            ? m.specAcceptedTokens() / (double) m.specProposedTokens()
            : null);
    s.put(
        "spec_accepted_tokens_per_step_mean",
        steps.size() > 0 ? m.specAcceptedTokens() / (double) steps.size() : null);
    distribution(s, "spec_tokens_per_step", steps);
    s.put("spec_draft_time_s", m.specDraftSeconds());
    s.put("spec_verify_time_s", m.specVerifySeconds());
  }

  private static void distribution(Map<String, Object> s, String name, Distribution d) {
    for (int i = 0; i < QUANTILES.length; i++) {
      s.put(name + "_" + QUANTILE_KEYS[i], finite(d.quantile(QUANTILES[i])));
    }
    s.put(name + "_mean", finite(d.mean()));
    s.put(name + "_max", finite(d.max()));
  }

  /**
   * Whether a run reports prefix-aware fleet figures (per-tier hit rates, per-replica hit rates and
   * load balance, the batch rows' cached tokens): when it has multi-turn sessions, a host-memory KV
   * tier or a cache-aware router. Other runs' outputs stay as they were.
   */
  public static boolean reportsPrefixFleet(SimulationConfig c) {
    var sessions = c.workload().sessions();
    boolean multiTurn = sessions != null && !"none".equals(sessions.type());
    boolean offload = c.scheduler().cpuOffloadGib() > 0;
    boolean cacheRouter =
        c.router().equals("prefix_aware") || c.router().equals("session_affinity");
    return c.scheduler().prefixCaching() && (multiTurn || offload || cacheRouter);
  }

  /**
   * The fleet's prefix-cache figures: reused prompt tokens per tier over all prompt tokens, the
   * host tier's size, and how evenly requests and prompt tokens spread over the replicas (max over
   * mean: 1 is even, the replica count is everything on one).
   */
  private static void prefixFleet(Map<String, Object> s, SimulationResult r) {
    MetricsCollector m = r.metrics();
    long prompt = m.promptTokens();
    long host = m.hostCachedTokens();
    s.put("prefix_host_cached_tokens", host);
    s.put("prefix_hit_rate_gpu", share(m.cachedTokens() - host, prompt));
    s.put("prefix_hit_rate_cpu", share(host, prompt));
    HostTierPlan t =
        HostTierPlan.of(r.config().scheduler(), r.deployment(), r.memory().blockSize());
    s.put("cpu_kv_blocks_per_replica", t == null ? 0 : t.blocks());
    int n = r.kvBlocksPerReplica().size();
    long[] requests = new long[n];
    long[] tokens = new long[n];
    for (int i = 0; i < n; i++) {
      requests[i] = m.completed(i);
      tokens[i] = m.promptTokens(i);
    }
    s.put("requests_per_replica_max_over_mean", maxOverMean(requests));
    s.put("prompt_tokens_per_replica_max_over_mean", maxOverMean(tokens));
  }

  private static double maxOverMean(long[] v) {
    long max = 0;
    long sum = 0;
    for (long x : v) {
      max = Math.max(max, x);
      sum += x;
    }
    return sum > 0 ? max * v.length / (double) sum : 0.0;
  }

  /** Of {@code prompt} tokens, the share {@code tokens} are; 0 without prompt tokens. */
  private static double share(long tokens, long prompt) {
    return prompt > 0 ? tokens / (double) prompt : 0.0;
  }

  private static Double finite(double v) {
    return Double.isNaN(v) ? null : v;
  }

  private static List<Map<String, Object>> replicaStats(
      SimulationResult r, double makespan, boolean fleet) {
    MetricsCollector m = r.metrics();
    boolean pooled = r.pools().size() > 1;
    List<Map<String, Object>> out = new ArrayList<>();
    for (Pool p : r.pools()) {
      double peak = p.deployment().sku().peakFlops();
      for (int rep = p.firstReplica(); rep < p.firstReplica() + p.replicas().size(); rep++) {
        int blocks = r.kvBlocksPerReplica().get(rep);
        for (int st = 0; st < p.deployment().pp(); st++) {
          Map<String, Object> row = new LinkedHashMap<>();
          if (pooled) {
            row.put("pool", p.name());
          }
          row.put("replica", rep);
          row.put("stage", st);
          row.put("busy_fraction", makespan > 0 ? m.busySeconds(rep, st) / makespan : 0.0);
          row.put("mfu", ModelFlops.mfu(m.flops(rep, st), peak, makespan));
          row.put("kv_usage_mean", m.kvMeanBlocks(rep, makespan) / blocks);
          row.put("kv_usage_peak", m.kvPeakBlocks(rep) / (double) blocks);
          if (fleet) {
            long prompt = m.promptTokens(rep);
            row.put("requests_completed", m.completed(rep));
            row.put("prompt_tokens", prompt);
            row.put("prefix_hit_rate", share(m.cachedTokens(rep), prompt));
            row.put("prefix_hit_rate_cpu", share(m.hostCachedTokens(rep), prompt));
          }
          out.add(row);
        }
      }
    }
    return out;
  }
}
