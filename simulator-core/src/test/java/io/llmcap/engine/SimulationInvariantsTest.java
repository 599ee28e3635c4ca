package io.llmcap.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.catalog.Catalog;
import io.llmcap.config.SimulationConfig;
import io.llmcap.metrics.MetricsCollector;
import io.llmcap.metrics.RequestRecord;
import io.llmcap.metrics.RunListener;
import io.llmcap.request.Batch;
import io.llmcap.request.Request;
import io.llmcap.setup.ConfigLoader;
import io.llmcap.testing.LinearPredictor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For every scheduler × router × pipeline depth: all requests complete exactly once, tokens are
 * conserved, KV never exceeds capacity, time never runs backwards, and each scheduler keeps its own
 * batching rule.
 */
class SimulationInvariantsTest {
  static final int REQUESTS = 240;

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (String scheduler :
        List.of("vllm", "sarathi", "orca", "faster_transformer", "lightllm", "vllm_v1")) {
      for (String router : List.of("round_robin", "random", "lor")) {
        for (int pp : List.of(1, 2, 4)) {
          if (scheduler.equals("lightllm") && pp > 1) {
            continue;
          }
          out.add(Arguments.of(scheduler, router, pp));
        }
      }
    }
    return out.stream();
  }

  /** Checks per-batch rules as batches end. */
  static final class Checker implements RunListener {
    final String scheduler;
    final int chunk;
    final int worstCaseBlocks;
    double lastEnd;
    long tokens;
    int batches;

    Checker(String scheduler, int chunk, int worstCaseBlocks) {
      this.scheduler = scheduler;
      this.chunk = chunk;
      this.worstCaseBlocks = worstCaseBlocks;
    }

    @Override
    public void onStageEnd(Batch b, int stage, double start, double duration) {
      assertTrue(duration > 0, "stage duration must be positive");
      assertTrue(start >= b.scheduledAt() - 1e-9, "stage starts before its batch was scheduled");
    }

    @Override
    public void onBatchEnd(Batch b, double end) {
      assertTrue(end >= lastEnd, "batch end times must not go backwards");
      lastEnd = end;
      tokens += b.totalTokens();
      batches++;
      assertTrue(b.size() > 0);
      boolean anyPrefill = false;
      boolean anyDecode = false;
      for (int i = 0; i < b.size(); i++) {
        anyPrefill |= b.isPrefill(i);
        anyDecode |= !b.isPrefill(i);
      }
      switch (scheduler) {
        case "vllm" -> assertFalse(anyPrefill && anyDecode, "vLLM mixed prefill and decode");
        case "sarathi", "vllm_v1" ->
            assertTrue(
                b.totalTokens() <= chunk, scheduler + " exceeded its budget: " + b.totalTokens());
        case "orca", "faster_transformer" -> {
          for (int i = 0; i < b.size(); i++) {
            Request r = b.request(i);
            if (!r.completed()) {
              assertEquals(worstCaseBlocks, r.allocatedBlocks(), "worst-case reservation");
            }
          }
        }
        default -> {}
      }
    }
  }

  static SimulationConfig config(String scheduler, String router, int pp, String... extra) {
    List<String> sets =
        new ArrayList<>(
            List.of(
                "cluster.model=meta-llama/Llama-2-7b-hf",
                "cluster.sku=a100",
                "cluster.node=a100_pairwise_nvlink",
                "cluster.pipeline_parallel=" + pp,
                "cluster.replicas=2",
                "router=" + router,
                "scheduler.type=" + scheduler,
                "scheduler.chunk_size=256",
                "scheduler.max_tokens_in_batch=4096",
                "workload.preset=null",
                "workload.num_requests=" + REQUESTS,
                "workload.max_tokens=4096",
                "workload.length.type=uniform",
                "workload.length.min_tokens=64",
                "workload.length.prefill_to_decode_ratio=4",
                "workload.interval.qps=40"));
    sets.addAll(List.of(extra));
    return ConfigLoader.bind(ConfigLoader.resolve(null, sets));
  }

  static SimulationResult run(SimulationConfig cfg, Checker checker) {
    Simulation sim = Simulation.prepare(cfg, Catalog.builtin(), Path.of(""));
    return sim.run(new LinearPredictor(sim.deployment()), List.of(checker));
  }

  @ParameterizedTest(name = "{0} {1} pp={2}")
  @MethodSource("cases")
  void invariantsHold(String scheduler, String router, int pp) {
    SimulationConfig cfg = config(scheduler, router, pp);
    Simulation sim = Simulation.prepare(cfg, Catalog.builtin(), Path.of(""));
    Checker checker = new Checker(scheduler, 256, sim.memory().maxBlocksPerSequence());
    SimulationResult r = sim.run(new LinearPredictor(sim.deployment()), List.of(checker));
    assertConservation(r, checker);
  }

  static void assertConservation(SimulationResult r, Checker checker) {
    MetricsCollector m = r.metrics();
    assertEquals(REQUESTS, r.requestsArrived());
    assertEquals(REQUESTS, m.requests().size(), "every request completes");
    Set<Long> ids = new HashSet<>();
    long expectedTokens = 0;
    for (RequestRecord q : m.requests()) {
      assertTrue(ids.add(q.id()), "request " + q.id() + " completed twice");
      expectedTokens += q.prefillTokens() + q.decodeTokens() - 1 + q.recomputedTokens();
      assertTrue(q.arrivedAt() <= q.scheduledAt());
      assertTrue(q.scheduledAt() <= q.firstTokenAt());
      assertTrue(q.firstTokenAt() <= q.completedAt());
    }
    assertEquals(expectedTokens, checker.tokens, "tokens processed = prompt + output + recompute");
    assertEquals(expectedTokens, m.tokensProcessed());
    for (int rep = 0; rep < r.kvBlocksPerReplica().size(); rep++) {
      assertTrue(m.kvPeakBlocks(rep) <= r.kvBlocksPerReplica().get(rep), "KV over capacity");
    }
  }
}
