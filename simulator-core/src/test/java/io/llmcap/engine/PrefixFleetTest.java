package io.llmcap.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.config.SimulationConfig;
import io.llmcap.kv.PromptContent;
import io.llmcap.kv.PromptContent.Segment;
import io.llmcap.metrics.MetricsCollector;
import io.llmcap.metrics.RunListener;
import io.llmcap.output.Summary;
import io.llmcap.request.Batch;
import io.llmcap.setup.ConfigLoader;
import io.llmcap.testing.LinearPredictor;
import io.llmcap.workload.RequestSource;
import io.llmcap.workload.RequestSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A 4-replica fleet serving multi-turn conversations: the prefix-aware router reuses more of each
 * prompt than round robin and answers faster, while keeping the replicas evenly loaded; session
 * affinity keeps a conversation on one replica; host-tier loads lengthen the first stage by their
 * hand-computed time; fleet figures appear in the summary only for such runs.
 */
class PrefixFleetTest {
  /**
   * Conversations whose every turn sends the whole history (a shared system prompt, earlier
   * messages and replies) plus a new message; turn k + 1 arrives think time after turn k completes.
   * A stand-in for the workload's session source, in test code.
   */
  static final class Conversations implements RequestSource {
    private final SplittableRandom rnd;
    private final int turns;
    private final PriorityQueue<RequestSpec> pending =
        new PriorityQueue<>(
            (a, b) ->
                a.arrivedAt() != b.arrivedAt()
                    ? Double.compare(a.arrivedAt(), b.arrivedAt())
                    : Long.compare(a.id(), b.id()));
    private final Map<Long, List<Segment>> history = new HashMap<>();
    private final Map<Long, Integer> turnOf = new HashMap<>();
    private long nextId;
    private int outstanding;

    Conversations(int sessions, int turns, double sessionsPerSecond, long seed) {
      this.rnd = new SplittableRandom(seed);
      this.turns = turns;
      double t = 0;
      for (long s = 0; s < sessions; s++) {
        t += -Math.log(1 - rnd.nextDouble()) / sessionsPerSecond;
        List<Segment> h = new ArrayList<>();
        h.add(new Segment(1_000_000 + s % 2, 200)); // two system prompts
        history.put(s, h);
        turnOf.put(s, 0);
        pending.add(turn(s, t));
      }
    }

    private RequestSpec turn(long session, double t) {
      List<Segment> h = history.get(session);
      int k = turnOf.get(session);
      h.add(new Segment(session * 100 + 2 * k, 50 + rnd.nextInt(150)));
      int prompt = h.stream().mapToInt(Segment::tokens).sum();
      int output = 50 + rnd.nextInt(150);
      Segment reply = new Segment(session * 100 + 2 * k + 1, output);
      List<Segment> content = new ArrayList<>(h);
      content.add(reply);
      h.add(reply);
      turnOf.put(session, k + 1);
      outstanding++;
      return new RequestSpec(
          nextId++, t, prompt, output, RequestSpec.NONE, session, new PromptContent(content));
    }

    @Override
    public RequestSpec peek() {
      return pending.peek();
    }

    @Override
    public RequestSpec take() {
      return pending.poll();
    }

    @Override
    public void onCompleted(double t, RequestSpec r) {
      outstanding--;
      if (turnOf.get(r.sessionId()) < turns) {
        pending.add(turn(r.sessionId(), t + 2 * rnd.nextDouble()));
      }
    }

    @Override
    public boolean done() {
      return outstanding == 0 && pending.isEmpty();
    }
  }

  static SimulationConfig config(String router, String... extra) {
    List<String> sets =
        new ArrayList<>(
            List.of(
                "cluster.model=meta-llama/Llama-2-7b-hf",
                "cluster.sku=h100",
                "cluster.node=h100_dgx",
                "cluster.replicas=4",
                "router=" + router,
                "scheduler.type=vllm_v1",
                "scheduler.chunk_size=512",
                "scheduler.batch_size_cap=32",
                "workload.max_tokens=4096"));
    sets.addAll(List.of(extra));
    return ConfigLoader.bind(ConfigLoader.resolve(null, sets));
  }

  static SimulationResult run(SimulationConfig config, RequestSource source, RunListener... ls) {
    Simulation sim = Simulation.prepare(config, Catalog.builtin(), Path.of(""));
    LinearPredictor predictor = new LinearPredictor(sim.deployment());
    Pool pool = Pools.pool("default", sim.deployment(), config, sim.memory(), 4, 0, predictor);
    MetricsCollector metrics = new MetricsCollector(4, 1, List.of(ls), true, List.of());
    Simulator s =
        new Simulator(
            List.of(pool),
            PoolSelector.FIRST,
            source,
            0,
            metrics,
            Speculation.OFF,
            1,
            KvTransfer.FREE);
    long start = System.nanoTime();
    s.run();
    return Simulation.result(config, s, metrics, start);
  }

  private static Map<String, Object> summary(String router, String... extra) {
    return Summary.of(run(config(router, extra), new Conversations(240, 6, 4, 9)));
  }

  private static double num(Map<String, Object> s, String key) {
    return ((Number) s.get(key)).doubleValue();
  }

  @Test
  void prefixAwareBeatsRoundRobinAndStaysBalanced() {
    Map<String, Object> rr = summary("round_robin");
    Map<String, Object> pa = summary("prefix_aware");
    double rrHit = num(rr, "prefix_hit_rate");
    double paHit = num(pa, "prefix_hit_rate");
    double rrTtft = num(rr, "ttft_s_p90");
    double paTtft = num(pa, "ttft_s_p90");
    System.out.printf(
        "round_robin hit %.3f ttft p90 %.4f | prefix_aware hit %.3f ttft p90 %.4f balance %.3f%n",
        rrHit, rrTtft, paHit, paTtft, num(pa, "requests_per_replica_max_over_mean"));
    assertEquals(num(rr, "requests_completed"), num(pa, "requests_completed"));
    assertTrue(paHit > rrHit + 0.2, "prefix-aware reuses more: " + paHit + " vs " + rrHit);
    assertTrue(paTtft < rrTtft, "and answers sooner: " + paTtft + " vs " + rrTtft);
    // not everything on one replica: max over mean requests stays near 1 (4 = all on one)
    assertTrue(num(pa, "requests_per_replica_max_over_mean") < 1.3, pa.toString());
    assertTrue(num(pa, "prompt_tokens_per_replica_max_over_mean") < 1.3);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> replicas = (List<Map<String, Object>>) pa.get("replicas");
    assertEquals(4, replicas.size());
    for (Map<String, Object> row : replicas) {
      assertTrue(((Number) row.get("requests_completed")).longValue() > 0);
      assertTrue(((Number) row.get("prefix_hit_rate")).doubleValue() > rrHit);
    }
  }

  @Test
  void sessionAffinityKeepsAConversationOnOneReplica() {
    Map<Long, Integer> home = new HashMap<>();
    RunListener check =
        new RunListener() {
          @Override
          public void onBatchEnd(Batch b, double end) {
            for (int i = 0; i < b.size(); i++) {
              long session = b.request(i).sessionId();
              Integer was = home.putIfAbsent(session, b.replicaId());
              assertTrue(was == null || was == b.replicaId(), "session " + session + " moved");
            }
          }
        };
    SimulationResult r = run(config("session_affinity"), new Conversations(120, 5, 4, 3), check);
    Map<String, Object> s = Summary.of(r);
    assertTrue(num(s, "requests_per_replica_max_over_mean") < 1.3, s.toString());
    assertTrue(num(s, "prefix_hit_rate") > 0.5);
  }

  @Test
  void hostTierLoadsLengthenTheFirstStageByTheirTime() {
    // GPU cache of 300 blocks per replica, host tier of 8 GiB = 1024 blocks of 8 MiB; one block
    // over PCIe Gen5 at 50 GB/s: 8,388,608 / 50e9 = 167.77 us
    SimulationConfig cfg =
        config("round_robin", "scheduler.num_blocks=300", "scheduler.cpu_offload_gib=8");
    Simulation sim = Simulation.prepare(cfg, Catalog.builtin(), Path.of(""));
    LinearPredictor predictor = new LinearPredictor(sim.deployment());
    double perBlock = 8_388_608 / 50e9;
    long[] loads = new long[1];
    RunListener check =
        new RunListener() {
          @Override
          public void onBatchEnd(Batch b, double end) {
            double compute = predictor.predict(b, 0).totalSeconds();
            int blocks = b.cacheHits().hostTokens() / 16;
            assertEquals(blocks * perBlock, b.kvLoadSeconds(), 1e-12);
            assertEquals(compute + blocks * perBlock, end - b.scheduledAt(), 1e-9);
            loads[0] += blocks;
          }
        };
    Map<String, Object> s = Summary.of(run(cfg, new Conversations(200, 6, 4, 5), check));
    assertTrue(loads[0] > 0, "some blocks came back from host memory");
    assertEquals(1024, ((Number) s.get("cpu_kv_blocks_per_replica")).intValue());
    assertTrue(num(s, "prefix_hit_rate_cpu") > 0);
    assertEquals(
        num(s, "prefix_hit_rate"),
        num(s, "prefix_hit_rate_gpu") + num(s, "prefix_hit_rate_cpu"),
        1e-12);
    assertEquals(
        num(s, "prefix_host_cached_tokens"),
        (double) loads[0] * 16,
        "every host hit was loaded in some batch");
  }

  @Test
  void fleetFiguresOnlyForFleetRuns() {
    Map<String, Object> plain = summary("round_robin");
    assertFalse(plain.containsKey("prefix_hit_rate_cpu"), "round robin, no tier, no sessions");
    assertTrue(plain.containsKey("prefix_hit_rate"), "as before");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rows = (List<Map<String, Object>>) plain.get("replicas");
    assertFalse(rows.get(0).containsKey("prefix_hit_rate"));
    assertTrue(summary("lor", "scheduler.cpu_offload_gib=1").containsKey("prefix_hit_rate_cpu"));
  }

  @Test
  void cpuOffloadIsVllmV1sAndNeedsAWholeBlock() {
    assertError("scheduler.cpu_offload_gib", config("round_robin", "scheduler.cpu_offload_gib=-1"));
    assertError(
        "scheduler.type vllm",
        config("round_robin", "scheduler.type=vllm", "scheduler.cpu_offload_gib=4"));
    assertError(
        "prefix_caching false",
        config("round_robin", "scheduler.prefix_caching=false", "scheduler.cpu_offload_gib=4"));
    assertError("one KV block", config("round_robin", "scheduler.cpu_offload_gib=0.001"));
    assertError(
        "router_options.prefix_aware.balance_rel_threshold",
        config("prefix_aware", "router_options.prefix_aware.balance_rel_threshold=0.5"));
  }

  private static void assertError(String part, SimulationConfig c) {
    try {
      Simulation.prepare(c, Catalog.builtin(), Path.of(""));
    } catch (ConfigException e) {
      assertTrue(e.getMessage().contains(part), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), "one line");
      return;
    }
    throw new AssertionError("no error for " + part);
  }
}
