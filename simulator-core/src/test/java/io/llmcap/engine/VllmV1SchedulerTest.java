package io.llmcap.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.catalog.Catalog;
import io.llmcap.config.SimulationConfig;
import io.llmcap.metrics.RequestRecord;
import io.llmcap.metrics.RunListener;
import io.llmcap.output.Summary;
import io.llmcap.request.Batch;
import io.llmcap.request.Request;
import io.llmcap.setup.ConfigLoader;
import io.llmcap.testing.LinearPredictor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The vllm_v1 scheduler: its token budget and sequence cap, running requests before waiting ones,
 * preemption that keeps every token, prefix-cache hits on identical full blocks only, and closed
 * loops that keep exactly their clients' requests in flight.
 */
class VllmV1SchedulerTest {
  static SimulationConfig config(String... extra) {
    List<String> sets =
        new ArrayList<>(
            List.of(
                "cluster.model=meta-llama/Llama-2-7b-hf",
                "cluster.sku=h100",
                "cluster.node=h100_dgx",
                "scheduler.type=vllm_v1",
                "scheduler.chunk_size=256",
                "scheduler.batch_size_cap=16",
                "workload.preset=null",
                "workload.num_requests=200",
                "workload.max_tokens=1024",
                "workload.length.type=uniform",
                "workload.length.min_tokens=64",
                "workload.length.prefill_to_decode_ratio=4",
                "workload.interval.qps=40"));
    sets.addAll(List.of(extra));
    return ConfigLoader.bind(ConfigLoader.resolve(null, sets));
  }

  static SimulationResult run(SimulationConfig cfg, RunListener... listeners) {
    Simulation sim = Simulation.prepare(cfg, Catalog.builtin(), Path.of(""));
    return sim.run(new LinearPredictor(sim.deployment()), List.of(listeners));
  }

  /** Per-batch rules: budget, cap, and running requests scheduled before new ones. */
  static final class Checker implements RunListener {
    final int budget;
    final int cap;
    final boolean onePipelineStage;
    Set<Request> previous = Set.of();
    long tokens;

    Checker(int budget, int cap, boolean onePipelineStage) {
      this.budget = budget;
      this.cap = cap;
      this.onePipelineStage = onePipelineStage;
    }

    @Override
    public void onBatchEnd(Batch b, double end) {
      tokens += b.totalTokens();
      assertTrue(b.totalTokens() <= budget, "budget exceeded: " + b.totalTokens());
      assertTrue(b.size() <= cap, "more than max_num_seqs: " + b.size());
      Set<Request> now = new HashSet<>();
      for (int i = 0; i < b.size(); i++) {
        now.add(b.request(i));
      }
      if (onePipelineStage && b.totalTokens() < budget) {
        // With budget to spare, every request still running from the last step is in this one.
        for (Request r : previous) {
          assertTrue(now.contains(r) || r.restarts() > 0, "running request " + r.id() + " skipped");
        }
      }
      Set<Request> running = new HashSet<>();
      for (Request r : now) {
        if (!r.completed()) {
          running.add(r);
        }
      }
      previous = running;
    }
  }

  @ParameterizedTest(name = "pp={0} async={1} num_blocks={2}")
  @CsvSource({"1, true, 0", "1, false, 0", "2, true, 0", "1, true, 80"})
  void budgetCapOrderAndConservation(int pp, boolean async, int numBlocks) {
    List<String> extra =
        new ArrayList<>(
            List.of("cluster.pipeline_parallel=" + pp, "scheduler.async_scheduling=" + async));
    if (numBlocks > 0) {
      extra.add("scheduler.num_blocks=" + numBlocks);
    }
    SimulationConfig cfg = config(extra.toArray(String[]::new));
    Checker checker = new Checker(256, 16, pp == 1);
    SimulationResult r = run(cfg, checker);
    List<RequestRecord> done = r.metrics().requests();
    assertEquals(200, done.size(), "every request completes");
    long expected = 0;
    for (RequestRecord q : done) {
      expected += q.prefillTokens() + q.decodeTokens() - 1 + q.recomputedTokens();
    }
    assertEquals(expected, checker.tokens, "tokens = prompt + output − 1 + recomputed");
    assertTrue(r.metrics().kvPeakBlocks(0) <= r.kvBlocksPerReplica().get(0), "KV over capacity");
    if (numBlocks > 0) {
      assertTrue(r.preemptions() > 0, "80 blocks of 16 tokens force preemption");
    }
  }

  /**
   * 3 groups × 2 users = 6 prompts of 566 tokens (100-token system prompts), each sent twice, 10 s
   * apart so that every request finishes before the next arrives.
   */
  static SimulationConfig sharedPrefix(String setting) {
    return config(
        "workload.num_requests=12",
        "workload.length.type=fixed",
        "workload.length.prefill_tokens=566",
        "workload.length.decode_tokens=20",
        "workload.interval.type=constant",
        "workload.interval.qps=0.1",
        "workload.shared_prefix.groups=3",
        "workload.shared_prefix.users_per_group=2",
        "workload.shared_prefix.prefix_tokens=100",
        setting);
  }

  @Test
  void repeatedPromptsHitTheirCachedFullBlocksOnly() {
    SimulationConfig cfg = sharedPrefix("scheduler.chunk_size=2048");
    SimulationResult r = run(cfg);
    // First cycle: a group's second user finds the 6 full blocks of the system prompt (block 7
    // mixes system prompt and question). Second cycle: every prompt finds all its full blocks but
    // the last token's: min(35, (566 − 1) / 16) = 35 blocks.
    long cached = 3 * 96 + 6 * 35 * 16;
    assertEquals(cached, r.metrics().cachedTokens());
    Map<String, Object> s = Summary.of(r);
    assertEquals(cached, s.get("prefix_cached_tokens"));
    assertEquals(12 * 566 - cached, s.get("prefix_computed_tokens"));
    assertEquals(cached / (12.0 * 566), (double) s.get("prefix_hit_rate"), 1e-12);
  }

  @Test
  void withoutPrefixCachingNothingIsReused() {
    SimulationConfig cfg = sharedPrefix("scheduler.prefix_caching=false");
    SimulationResult r = run(cfg);
    assertEquals(0, r.metrics().cachedTokens());
    assertTrue(!Summary.of(r).containsKey("prefix_hit_rate"), "no prefix keys without caching");
  }

  @Test
  void closedLoopKeepsItsClientsBusyAndNoMore() {
    SimulationConfig cfg =
        config(
            "workload.concurrency=4",
            "workload.num_requests=400",
            "workload.length.type=fixed",
            "workload.length.prefill_tokens=200",
            "workload.length.decode_tokens=50");
    SimulationResult r = run(cfg);
    List<RequestRecord> done = r.metrics().requests();
    assertEquals(400, done.size());
    // Sweep arrivals (+1) and completions (−1); completions first at equal times.
    double[][] events = new double[2 * done.size()][];
    int k = 0;
    for (RequestRecord q : done) {
      events[k++] = new double[] {q.arrivedAt(), 1};
      events[k++] = new double[] {q.completedAt(), -1};
    }
    Arrays.sort(
        events, (a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
    int inFlight = 0;
    int most = 0;
    for (double[] e : events) {
      inFlight += (int) e[1];
      most = Math.max(most, inFlight);
    }
    assertEquals(4, most, "exactly the clients' requests in flight at most");
    // Little's law at steady state: throughput = clients / mean latency.
    double meanE2e = done.stream().mapToDouble(RequestRecord::e2e).average().orElseThrow();
    double throughput = done.size() / r.metrics().lastEventTime();
    assertEquals(4 / meanE2e, throughput, 0.03 * throughput);
  }
}
