package io.llmcap.metrics;

import io.llmcap.engine.SimulationResult;
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
    s.put("predictor", r.predictor());
    s.put("replicas", replicaStats(r, makespan));
    return s;
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

  private static Double finite(double v) {
    return Double.isNaN(v) ? null : v;
  }

  private static List<Map<String, Object>> replicaStats(SimulationResult r, double makespan) {
    MetricsCollector m = r.metrics();
    int replicas = r.kvBlocksPerReplica().size();
    double peak = r.deployment().sku().peakFlops();
    List<Map<String, Object>> out = new ArrayList<>();
    for (int rep = 0; rep < replicas; rep++) {
      int blocks = r.kvBlocksPerReplica().get(rep);
      for (int st = 0; st < r.deployment().pp(); st++) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("replica", rep);
        row.put("stage", st);
        row.put("busy_fraction", makespan > 0 ? m.busySeconds(rep, st) / makespan : 0.0);
        row.put("mfu", ModelFlops.mfu(m.flops(rep, st), peak, makespan));
        row.put("kv_usage_mean", m.kvMeanBlocks(rep, makespan) / blocks);
        row.put("kv_usage_peak", m.kvPeakBlocks(rep) / (double) blocks);
        out.add(row);
      }
    }
    return out;
  }
}
