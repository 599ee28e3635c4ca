package io.llmcap.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.Deployment;
import io.llmcap.config.SimulationConfig;
import io.llmcap.metrics.MetricsCollector;
import io.llmcap.metrics.RequestRecord;
import io.llmcap.output.Summary;
import io.llmcap.request.Request;
import io.llmcap.scheduler.MemoryPlan;
import io.llmcap.scheduler.MemoryPlanner;
import io.llmcap.testing.LinearPredictor;
import io.llmcap.timing.BatchView;
import io.llmcap.timing.ExecutionTime;
import io.llmcap.timing.ExecutionTimePredictor;
import io.llmcap.workload.OpenLoopSource;
import io.llmcap.workload.RequestSource;
import io.llmcap.workload.RequestSpec;
import io.llmcap.workload.Workloads;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A run over two pools of different shapes and predictors. */
class PoolsTest {
  private static final int SMALL = 2;
  private static final int BIG = 1;

  /** Pool "small": 2 replicas TP1 PP1; pool "big": 1 replica TP2 PP2 with its own predictor. */
  private static SimulationResult run(SimulationConfig config) {
    Simulation base = Simulation.prepare(config, Catalog.builtin(), Path.of(""));
    Deployment small = base.deployment();
    Deployment big = new Deployment(small.model(), small.sku(), small.node(), 2, 2);
    int maxTokens = config.workload().maxTokens();
    MemoryPlan bigMemory =
        MemoryPlanner.plan(
            big, config.cluster().memoryMargin(), maxTokens, config.scheduler().blockSize(), null);
    AtomicLong batchIds = new AtomicLong();
    Pool a =
        Pools.pool(
            "small", small, config, base.memory(), SMALL, 0, new LinearPredictor(small), batchIds);
    Pool b =
        Pools.pool(
            "big",
            big,
            config,
            bigMemory,
            BIG,
            SMALL,
            new Named(new LinearPredictor(big)),
            batchIds);
    MetricsCollector metrics =
        new MetricsCollector(new int[] {1, 1, 2}, List.of(), true, List.of());
    // long prompts go to the big pool
    PoolSelector byPrompt = (r, pools) -> r.originalPrefill() > 1000 ? 1 : 0;
    Simulator sim =
        new Simulator(
            List.of(a, b),
            byPrompt,
            new OpenLoopSource(Workloads.open(config.workload(), 5, Path.of(""))),
            0,
            metrics,
            Speculation.OFF,
            1,
            KvTransfer.FREE);
    long start = System.nanoTime();
    sim.run();
    return Simulation.result(config, sim, metrics, start);
  }

  @Test
  void everyRequestCompletesInItsPoolWithPerPoolSummaries() {
    SimulationConfig config = SimulationInvariantsTest.config("sarathi", "round_robin", 1);
    SimulationResult r = run(config);
    List<RequestRecord> records = r.metrics().requests();
    assertEquals(SimulationInvariantsTest.REQUESTS, records.size(), "every request completes");
    long inBig = 0;
    for (RequestRecord q : records) {
      boolean big = q.prefillTokens() > 1000;
      assertEquals(big, q.replica() >= SMALL, "request " + q.id() + " ran in its pool");
      inBig += big ? 1 : 0;
    }
    assertTrue(inBig > 0 && inBig < records.size(), "both pools get requests");

    Map<String, Object> s = Summary.of(r);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> pools = (List<Map<String, Object>>) s.get("pools");
    assertEquals(2, pools.size());
    assertEquals("small", pools.get(0).get("pool"));
    assertEquals("big", pools.get(1).get("pool"));
    assertEquals(2, pools.get(1).get("tensor_parallel"));
    assertEquals(2, pools.get(1).get("pipeline_parallel"));
    assertEquals("big linear test predictor", pools.get(1).get("predictor"));
    assertEquals(records.size() - inBig, pools.get(0).get("requests_completed"));
    assertEquals(inBig, pools.get(1).get("requests_completed"));
    assertEquals(
        r.metrics().tokensProcessed(),
        (long) pools.get(0).get("tokens_processed") + (long) pools.get(1).get("tokens_processed"));
    assertEquals(
        (long) s.get("batches"),
        (long) pools.get(0).get("batches") + (long) pools.get(1).get("batches"));

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rows = (List<Map<String, Object>>) s.get("replicas");
    assertEquals(SMALL + 2 * BIG, rows.size(), "one row per replica stage");
    assertEquals("big", rows.get(3).get("pool"));
    assertEquals(SMALL, rows.get(3).get("replica"));
    assertEquals(1, rows.get(3).get("stage"));
    for (Map<String, Object> row : rows) {
      assertTrue((double) row.get("busy_fraction") > 0, row.toString());
    }
    assertEquals(
        List.of(r.kvBlocksPerReplica().get(0), r.kvBlocksPerReplica().get(0)),
        r.kvBlocksPerReplica().subList(0, SMALL));
  }

  @Test
  void sameSeedSameRecords() {
    SimulationConfig config = SimulationInvariantsTest.config("vllm", "lor", 1);
    assertEquals(run(config).metrics().requests(), run(config).metrics().requests());
  }

  @Test
  void aSinglePoolSummaryHasNoPoolKeys() {
    SimulationConfig config = SimulationInvariantsTest.config("vllm", "round_robin", 2);
    Simulation sim = Simulation.prepare(config, Catalog.builtin(), Path.of(""));
    SimulationResult r = sim.run(new LinearPredictor(sim.deployment()), List.of());
    Map<String, Object> s = Summary.of(r);
    assertFalse(s.containsKey("pools"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rows = (List<Map<String, Object>>) s.get("replicas");
    assertEquals(
        List.of("replica", "stage", "busy_fraction", "mfu", "kv_usage_mean", "kv_usage_peak"),
        List.copyOf(rows.get(0).keySet()));
    assertEquals(1, r.pools().size());
  }

  @Test
  void aMovedRequestArrivesAfterTheTransferCostAndCompletesThere() {
    SimulationConfig config = SimulationInvariantsTest.config("vllm", "round_robin", 1);
    Simulation base = Simulation.prepare(config, Catalog.builtin(), Path.of(""));
    Deployment d = base.deployment();
    AtomicLong batchIds = new AtomicLong();
    Pool a = Pools.pool("a", d, config, base.memory(), 1, 0, new LinearPredictor(d), batchIds);
    Pool b = Pools.pool("b", d, config, base.memory(), 1, 1, new LinearPredictor(d), batchIds);
    List<String> transfers = new java.util.ArrayList<>();
    KvTransfer cost =
        (r, from, to) -> {
          transfers.add((from == null ? "-" : from.name()) + ">" + to.name());
          return 0.75;
        };
    List<Double> completions = new java.util.ArrayList<>();
    RequestSource nothing =
        new RequestSource() {
          @Override
          public RequestSpec peek() {
            return null;
          }

          @Override
          public RequestSpec take() {
            throw new AssertionError();
          }

          @Override
          public void onCompleted(double t, RequestSpec request) {
            completions.add(t);
          }

          @Override
          public boolean done() {
            return completions.size() == 1;
          }
        };
    MetricsCollector metrics = new MetricsCollector(2, 1, List.of(), true, List.of());
    Simulator sim =
        new Simulator(
            List.of(a, b), PoolSelector.FIRST, nothing, 0, metrics, Speculation.OFF, 1, cost);
    sim.move(new Request(new RequestSpec(0, 0, 100, 10)), 1);
    sim.run();
    assertEquals(List.of("->b"), transfers);
    RequestRecord q = metrics.requests().get(0);
    assertEquals(1, q.replica());
    assertEquals(0.75, q.scheduledAt(), 0.0, "it reaches its replica after the transfer");
    assertEquals(1, completions.size());
    assertTrue(sim.drained());
  }

  /** The big pool's own predictor, named apart (its times differ by TP and PP already). */
  private record Named(ExecutionTimePredictor inner) implements ExecutionTimePredictor {
    @Override
    public ExecutionTime predict(BatchView b, int stage) {
      return inner.predict(b, stage);
    }

    @Override
    public String describe() {
      return "big " + inner.describe();
    }
  }
}
