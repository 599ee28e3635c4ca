package io.llmcap.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.Deployment;
import io.llmcap.config.SimulationConfig;
import io.llmcap.metrics.MetricsCollector;
import io.llmcap.metrics.RequestRecord;
import io.llmcap.metrics.RunListener;
import io.llmcap.output.Summary;
import io.llmcap.request.Batch;
import io.llmcap.scheduler.ReplicaScheduler;
import io.llmcap.setup.ConfigLoader;
import io.llmcap.testing.LinearPredictor;
import io.llmcap.timing.BatchView;
import io.llmcap.timing.ExecutionTimePredictor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Disaggregated prefill and decode (cluster.disaggregation): the invariants of the hand-off, the
 * exact timing of one request at a time over a free link, the transfer cost worked by hand, and one
 * error line per bad layout.
 */
class DisaggregationTest {
  static final int REQUESTS = 200;

  static SimulationConfig config(String... extra) {
    List<String> sets =
        new ArrayList<>(
            List.of(
                "cluster.model=meta-llama/Llama-2-7b-hf",
                "cluster.sku=a100",
                "cluster.node=a100_dgx",
                "scheduler.chunk_size=512",
                "workload.preset=null",
                "workload.num_requests=" + REQUESTS,
                "workload.max_tokens=4096",
                "workload.length.type=uniform",
                "workload.length.min_tokens=64",
                "workload.length.prefill_to_decode_ratio=4",
                "workload.interval.qps=30"));
    sets.addAll(List.of(extra));
    return ConfigLoader.bind(ConfigLoader.resolve(null, sets));
  }

  static List<ExecutionTimePredictor> linear(Simulation sim) {
    return sim.deployments().stream()
        .map(d -> (ExecutionTimePredictor) new LinearPredictor(d))
        .toList();
  }

  /** Watches every batch and transfer of a disaggregated run. */
  static final class Watch implements RunListener {
    final int prefillReplicas;
    final Map<Long, Long> prefillTokens = new HashMap<>();
    final Map<Long, Long> decodeTokens = new HashMap<>();
    final Map<Long, Set<Integer>> decodeReplicas = new HashMap<>();
    final Map<Long, Double> kvArrives = new HashMap<>();
    final Map<Long, Integer> transfers = new HashMap<>();
    final List<String> violations = new ArrayList<>();

    Watch(int prefillReplicas) {
      this.prefillReplicas = prefillReplicas;
    }

    @Override
    public void onBatchEnd(Batch b, double end) {
      boolean prefillSide = b.replicaId() < prefillReplicas;
      for (int i = 0; i < b.size(); i++) {
        long id = b.request(i).id();
        if (prefillSide) {
          if (!b.isPrefill(i)) {
            violations.add("request " + id + " decoded on prefill replica " + b.replicaId());
          }
          prefillTokens.merge(id, (long) b.numTokens(i), Long::sum);
        } else {
          Double arrived = kvArrives.get(id);
          if (arrived == null || b.scheduledAt() < arrived - 1e-12) {
            violations.add("request " + id + " ran on its decode replica before its KV arrived");
          }
          decodeTokens.merge(id, (long) b.numTokens(i), Long::sum);
          decodeReplicas.computeIfAbsent(id, k -> new HashSet<>()).add(b.replicaId());
        }
      }
    }

    @Override
    public void onKvTransfer(
        long id,
        int from,
        int to,
        double start,
        double wait,
        double seconds,
        double linkWait,
        long bytes) {
      if (linkWait < 0 || linkWait > seconds) {
        violations.add("link wait " + linkWait + " of a " + seconds + " s transfer of " + id);
      }
      transfers.merge(id, 1, Integer::sum);
      kvArrives.put(id, start + seconds);
      if (from >= prefillReplicas || to < prefillReplicas) {
        violations.add("transfer of " + id + " from " + from + " to " + to);
      }
      if (wait < 0 || seconds < 0) {
        violations.add("negative wait or transfer for " + id);
      }
    }
  }

  static Stream<Arguments> layouts() {
    List<Arguments> out = new ArrayList<>();
    for (String first : List.of("decode", "prefill")) {
      for (String router : List.of("free_kv", "round_robin", "lor")) {
        // one node (NVLink) and across nodes (RDMA); a small decode pool forces KV waits
        out.add(Arguments.of(first, router, "1", "2", "1", "3", "false", "null", "1"));
        out.add(Arguments.of(first, router, "4", "2", "2", "3", "true", "300", "1"));
      }
      // pipeline-parallel pools: several batches in flight per replica
      out.add(Arguments.of(first, "free_kv", "2", "1", "1", "2", "false", "300", "2"));
    }
    return out.stream();
  }

  @ParameterizedTest(
      name = "first_token={0} decode_router={1} P tp{2}x{3} D tp{4}x{5} lw={6} blocks={7} pp={8}")
  @MethodSource("layouts")
  void everyRequestPrefillsOnceAndDecodesOnceOnOneDecodeReplica(
      String first,
      String router,
      String ptp,
      String preps,
      String dtp,
      String dreps,
      String layerwise,
      String decodeBlocks,
      String pp) {
    SimulationConfig cfg =
        config(
            "cluster.disaggregation.first_token=" + first,
            "cluster.disaggregation.decode_router=" + router,
            "cluster.disaggregation.prefill.tensor_parallel=" + ptp,
            "cluster.disaggregation.prefill.replicas=" + preps,
            "cluster.disaggregation.decode.tensor_parallel=" + dtp,
            "cluster.disaggregation.decode.replicas=" + dreps,
            "cluster.disaggregation.layerwise_transfer=" + layerwise,
            "cluster.disaggregation.prefill.pipeline_parallel=" + pp,
            "cluster.disaggregation.decode.pipeline_parallel=" + pp,
            "scheduler.num_blocks=" + decodeBlocks,
            "workload.interval.qps=" + (decodeBlocks.equals("null") ? 30 : 300));
    Simulation sim = Simulation.prepare(cfg, Catalog.builtin(), Path.of(""));
    int prefillReplicas = Integer.parseInt(preps);
    Watch w = new Watch(prefillReplicas);
    SimulationResult r = sim.run(linear(sim), List.of(w), true, List.of());
    MetricsCollector m = r.metrics();
    assertEquals(List.of(), w.violations);
    assertEquals(REQUESTS, m.requests().size(), "every request completes");
    Set<Long> ids = new HashSet<>();
    for (RequestRecord q : m.requests()) {
      assertTrue(ids.add(q.id()), "request " + q.id() + " completed twice");
      if (first.equals("prefill") && q.decodeTokens() == 1) {
        // its one token came from the prefill replica: nothing left to decode
        assertNull(w.transfers.get(q.id()));
        assertEquals(q.prefillTokens(), w.prefillTokens.get(q.id()));
        continue;
      }
      assertEquals(1, w.transfers.get(q.id()), "one transfer per request");
      Set<Integer> on = w.decodeReplicas.get(q.id());
      assertEquals(Set.of(q.replica()), on, "decodes on one decode replica");
      assertTrue(q.replica() >= prefillReplicas);
      long recompute = q.recomputedTokens();
      // prefill once: the prompt, plus what a preemption on the prefill side recomputed
      long prompt = w.prefillTokens.get(q.id());
      long decode = w.decodeTokens.get(q.id());
      assertEquals(
          q.prefillTokens() + q.decodeTokens() - 1 + (first.equals("decode") ? 1 : 0) + recompute,
          prompt + decode,
          "tokens of request " + q.id());
      if (q.restarts() == 0) {
        assertEquals(q.prefillTokens(), prompt, "prefilled once");
      }
      assertTrue(q.arrivedAt() <= q.scheduledAt());
      assertTrue(q.scheduledAt() <= q.firstTokenAt());
      assertTrue(q.firstTokenAt() <= q.completedAt());
      if (first.equals("decode")) {
        assertTrue(q.firstTokenAt() >= w.kvArrives.get(q.id()), "first token after the KV");
      }
    }
    for (Pool p : r.pools()) {
      for (ReplicaScheduler rs : p.replicas()) {
        int id = rs.replicaId();
        assertTrue(m.kvPeakBlocks(id) <= rs.kv().numBlocks(), "KV over capacity on " + id);
        assertEquals(0, rs.kv().allocated(), "KV blocks left on replica " + id);
        assertEquals(0, rs.kv().holders(), "KV holders left on replica " + id);
      }
    }
    assertEquals(w.transfers.size(), m.kvTransfer().size());
    if (!decodeBlocks.equals("null")) {
      assertTrue(m.decodeKvWait().max() > 0, "a small decode pool makes transfers wait");
    }
    Map<String, Object> s = Summary.of(r);
    assertEquals("disaggregated", s.get("layout"));
    assertTrue(s.containsKey("kv_transfer_s_p99"));
    assertTrue(s.containsKey("decode_kv_wait_s_mean"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> pools = (List<Map<String, Object>>) s.get("pools");
    assertEquals("prefill", pools.get(0).get("pool"));
    assertEquals("decode", pools.get(1).get("pool"));
    assertTrue(pools.get(1).containsKey("queue_s_p99"));
  }

  /** One request at a time, decode side of the same shape; the run with no transfer cost. */
  static SimulationResult[] oneAtATime(String first) {
    String[] common = {
      "workload.num_requests=6",
      "workload.concurrency=1",
      "workload.length.type=fixed",
      "workload.length.prefill_tokens=1000",
      "workload.length.decode_tokens=40"
    };
    SimulationConfig agg = config(common);
    Simulation a = Simulation.prepare(agg, Catalog.builtin(), Path.of(""));
    SimulationResult ra = a.run(new LinearPredictor(a.deployment()), List.of());
    List<String> sets = new ArrayList<>(List.of(common));
    sets.add("cluster.disaggregation.first_token=" + first);
    SimulationConfig dis = config(sets.toArray(String[]::new));
    Simulation d = Simulation.prepare(dis, Catalog.builtin(), Path.of(""));
    SimulationResult rd = d.run(linear(d), null, List.of(), true, List.of(), KvTransfer.FREE);
    return new SimulationResult[] {ra, rd};
  }

  @Test
  void withAFreeLinkTtftIsThePrefillAndEveryLaterTokenADecodeStepOfOne() {
    SimulationResult[] runs = oneAtATime("prefill");
    List<RequestRecord> agg = runs[0].metrics().requests();
    List<RequestRecord> dis = runs[1].metrics().requests();
    assertEquals(agg.size(), dis.size());
    for (int i = 0; i < agg.size(); i++) {
      assertEquals(agg.get(i).arrivedAt(), dis.get(i).arrivedAt(), "arrival " + i);
      assertEquals(agg.get(i).ttft(), dis.get(i).ttft(), 0.0, "TTFT " + i);
      assertEquals(agg.get(i).e2e(), dis.get(i).e2e(), 0.0, "e2e " + i);
    }
    // every gap after the first token: a decode step of a batch of one
    assertEquals(runs[0].metrics().tbt().size(), runs[1].metrics().tbt().size());
    assertEquals(runs[0].metrics().tbt().max(), runs[1].metrics().tbt().max(), 0.0);
    assertEquals(runs[0].metrics().tbt().mean(), runs[1].metrics().tbt().mean(), 1e-15);
    Deployment dep = runs[1].pools().get(1).deployment();
    double lastStep = step(dep, 1000 + 40 - 1, false);
    assertEquals(lastStep, runs[1].metrics().tbt().max(), 1e-12, "the longest gap: the last step");
    // scheduler.chunk_size 512: the prompt prefills in two chunks
    double firstPrefill = step(dep, 0, true, 512) + step(dep, 512, true, 488);
    assertEquals(firstPrefill, dis.get(0).ttft(), 1e-12, "TTFT of the first request");
  }

  @Test
  void decodeSideFirstTokenAddsOneRecomputeStep() {
    SimulationResult[] runs = oneAtATime("decode");
    List<RequestRecord> agg = runs[0].metrics().requests();
    List<RequestRecord> dis = runs[1].metrics().requests();
    Deployment dep = runs[1].pools().get(1).deployment();
    // vLLM's decode side recomputes the last prompt token to sample the first token
    double recompute = step(dep, 999, true, 1);
    for (int i = 0; i < agg.size(); i++) {
      assertEquals(agg.get(i).ttft() + recompute, dis.get(i).ttft(), 1e-12, "TTFT " + i);
    }
  }

  /** One iteration of one request: {@code tokens} tokens after {@code before}. */
  static double step(Deployment d, int before, boolean prefill, int tokens) {
    BatchView one =
        new BatchView() {
          @Override
          public int size() {
            return 1;
          }

          @Override
          public int numTokens(int i) {
            return tokens;
          }

          @Override
          public int processedBefore(int i) {
            return before;
          }

          @Override
          public boolean isPrefill(int i) {
            return prefill;
          }

          @Override
          public int totalTokens() {
            return tokens;
          }
        };
    return new LinearPredictor(d).predict(one, 0).totalSeconds();
  }

  static double step(Deployment d, int before, boolean prefill) {
    return step(d, before, prefill, 1);
  }

  /**
   * Llama-3.1-70B, bf16 KV: 2 (K, V) × 8 KV heads × 128 dims × 2 bytes = 4096 B per token and
   * layer, × 80 layers = 327,680 B per token; 2,000 prompt tokens = 655,360,000 B. Prefill TP4 on
   * an H100 DGX, decode TP4 on an H200 DGX: different nodes, so the ConnectX-7 NICs, 50 GB/s per
   * GPU, 4 GPUs a side: 200 GB/s, 3.2768 ms, plus 5 µs latency.
   */
  @Test
  void transferCostWorkedByHand() {
    SimulationConfig cfg =
        config(
            "cluster.model=meta-llama/Llama-3.1-70B-Instruct",
            "cluster.sku=h100",
            "cluster.node=h100_dgx",
            "cluster.tensor_parallel=4",
            "cluster.disaggregation.decode.sku=h200",
            "cluster.disaggregation.decode.node=h200_dgx",
            "workload.num_requests=1",
            "workload.length.type=fixed",
            "workload.length.prefill_tokens=2000",
            "workload.length.decode_tokens=8");
    Simulation sim = Simulation.prepare(cfg, Catalog.builtin(), Path.of(""));
    Deployment p = sim.deployments().get(0);
    Deployment d = sim.deployments().get(1);
    assertEquals(4096, 2L * 8 * 128 * 2);
    long bytes = 2000L * 80 * 4096;
    assertEquals(655_360_000L, bytes);
    assertEquals(bytes, LinkKvTransfer.bytes(p, 2000));
    double rdma = 5e-6 + bytes / (4 * 50e9);
    assertEquals(0.0032818, rdma, 1e-12);
    SimulationResult r = sim.run(linear(sim), List.of(), true, List.of());
    assertEquals(rdma, r.metrics().kvTransfer().max(), 1e-12, "H100 → H200 over RDMA");
    assertEquals(0.0, r.metrics().kvLinkWait().max(), "one transfer finds its NICs free");
    assertEquals(bytes, r.metrics().kvTransferBytes());
    // layer-wise, a 0.5 s prefill hides all but the last of 80 layers: X / 80 + latency
    var nic = LinkKvTransfer.Link.nic(p.node(), d.node());
    double x = bytes / (4 * 50e9);
    assertEquals(5e-6 + x / 80, LinkKvTransfer.seconds(p, d, nic, 2000, true, 0.5), 1e-15);
    // ... and a prefill shorter than the transfer leaves X − T·79/80
    assertEquals(
        5e-6 + x - 0.001 * 79 / 80, LinkKvTransfer.seconds(p, d, nic, 2000, true, 0.001), 1e-15);
    // both pools TP4 in one H100 DGX: NVLink, 450 GB/s per GPU; an fp8 KV cache halves the bytes
    SimulationConfig one =
        config(
            "cluster.model=meta-llama/Llama-3.1-70B-Instruct",
            "cluster.sku=h100",
            "cluster.node=h100_dgx",
            "cluster.tensor_parallel=4",
            "cluster.kv_cache_dtype=fp8",
            "cluster.disaggregation.decode.replicas=1",
            "workload.num_requests=1",
            "workload.length.type=fixed",
            "workload.length.prefill_tokens=2000",
            "workload.length.decode_tokens=8");
    Simulation s1 = Simulation.prepare(one, Catalog.builtin(), Path.of(""));
    SimulationResult r1 = s1.run(linear(s1), List.of(), true, List.of());
    double nvlink = 5e-6 + (bytes / 2.0) / (4 * 450e9);
    assertEquals(nvlink, r1.metrics().kvTransfer().max(), 1e-12, "one node: NVLink, fp8");
  }

  /** The 70B worked example's pools, with the given extra settings. */
  static List<Deployment> pools70b(String... extra) {
    List<String> sets =
        new ArrayList<>(
            List.of(
                "cluster.model=meta-llama/Llama-3.1-70B-Instruct",
                "cluster.sku=h100",
                "cluster.node=h100_dgx",
                "cluster.tensor_parallel=4",
                "cluster.disaggregation.decode.sku=h200",
                "cluster.disaggregation.decode.node=h200_dgx"));
    sets.addAll(List.of(extra));
    return Simulation.prepare(config(sets.toArray(String[]::new)), Catalog.builtin(), Path.of(""))
        .deployments();
  }

  /**
   * The worked example's 2,000-token transfer (3.2818 ms over four 50 GB/s NICs a side) queues for
   * the sender's NICs: two started together from one TP4 prefill replica take 3.2818 ms and 6.5636
   * ms, whichever decode replica each goes to; transfers on disjoint NICs take 3.2818 ms each.
   */
  @Test
  void transfersQueueForTheNicsTheyShare() {
    double rdma = 5e-6 + 655_360_000L / (4 * 50e9);
    // 1 prefill replica (id 0) → 2 decode replicas (ids 1, 2), H200 nodes: RDMA
    List<Deployment> ds = pools70b("cluster.disaggregation.decode.replicas=2");
    Deployment p = ds.get(0);
    Deployment d = ds.get(1);
    LinkKvTransfer link = new LinkKvTransfer(ds, List.of(1, 2), false);
    assertEquals(rdma, link.start(p, 0, d, 1, 2000, 0.5, 1.0), 1e-15);
    assertEquals(2 * rdma, link.start(p, 0, d, 2, 2000, 0.5, 1.0), 1e-15, "waits for the first");
    // started when the second has ended: the NICs are free again
    assertEquals(rdma, link.start(p, 0, d, 1, 2000, 0.5, 1.0 + 2 * rdma), 1e-15);
    // started half-way through the first's: waits the other half
    LinkKvTransfer half = new LinkKvTransfer(ds, List.of(1, 2), false);
    half.start(p, 0, d, 1, 2000, 0.5, 1.0);
    assertEquals(1.5 * rdma, half.start(p, 0, d, 2, 2000, 0.5, 1.0 + rdma / 2), 1e-15);

    // 2 prefill (0, 1) → 2 decode (2, 3): pairs on disjoint NICs do not interfere
    List<Deployment> two =
        pools70b(
            "cluster.disaggregation.prefill.replicas=2",
            "cluster.disaggregation.decode.replicas=2");
    LinkKvTransfer disjoint = new LinkKvTransfer(two, List.of(2, 2), false);
    assertEquals(rdma, disjoint.start(p, 0, d, 2, 2000, 0.5, 1.0), 0.0);
    assertEquals(rdma, disjoint.start(p, 1, d, 3, 2000, 0.5, 1.0), 0.0);
    // ... but 0 → 3 shares 0's NICs with the first and 3's with the second
    assertEquals(2 * rdma, disjoint.start(p, 0, d, 3, 2000, 0.5, 1.0), 1e-15);

    // a TP8 prefill replica has 8 NICs: two TP4 receivers each use 4 of them at once
    List<Deployment> wide =
        pools70b(
            "cluster.disaggregation.prefill.tensor_parallel=8",
            "cluster.disaggregation.decode.replicas=2");
    Deployment p8 = wide.get(0);
    LinkKvTransfer eight = new LinkKvTransfer(wide, List.of(1, 2), false);
    assertEquals(rdma, eight.start(p8, 0, d, 1, 2000, 0.5, 1.0), 0.0);
    assertEquals(rdma, eight.start(p8, 0, d, 2, 2000, 0.5, 1.0), 0.0);
    assertEquals(2 * rdma, eight.start(p8, 0, d, 1, 2000, 0.5, 1.0), 1e-15, "1's NICs are busy");

    // H100 decode pool: decode 1 shares the prefill replica's node (NVLink), decode 2 does not
    // (RDMA); the two link kinds are separate ports
    List<Deployment> mixed =
        pools70b(
            "cluster.disaggregation.decode.sku=h100",
            "cluster.disaggregation.decode.node=h100_dgx",
            "cluster.disaggregation.decode.replicas=2");
    Deployment dh = mixed.get(1);
    LinkKvTransfer kinds = new LinkKvTransfer(mixed, List.of(1, 2), false);
    double nvlink = 5e-6 + 655_360_000L / (4 * 450e9);
    assertEquals(nvlink, kinds.start(p, 0, dh, 1, 2000, 0.5, 1.0), 0.0);
    assertEquals(rdma, kinds.start(p, 0, dh, 2, 2000, 0.5, 1.0), 0.0);
    assertEquals(2 * nvlink, kinds.start(p, 0, dh, 1, 2000, 0.5, 1.0), 1e-15);
  }

  /**
   * Layer-wise: the link carries each transfer's bytes from when its first layer exists. Behind a
   * 0.5 s prefill (X = 3.2768 ms, 1/80 of it left after the prefill) two transfers of one iteration
   * both fit while the layers compute; behind a 1 ms prefill the link is the bottleneck and the
   * second ends when the link has carried both: 2 × (5 µs + X) − 1 ms × 79/80 after the prefill.
   */
  @Test
  void layerwiseTransfersShareTheLinkTheyOverlap() {
    List<Deployment> ds = pools70b("cluster.disaggregation.decode.replicas=2");
    Deployment p = ds.get(0);
    Deployment d = ds.get(1);
    double x = 655_360_000L / (4 * 50e9);
    LinkKvTransfer slow = new LinkKvTransfer(ds, List.of(1, 2), true);
    assertEquals(5e-6 + x / 80, slow.start(p, 0, d, 1, 2000, 0.5, 1.0), 0.0);
    assertEquals(5e-6 + x / 80, slow.start(p, 0, d, 2, 2000, 0.5, 1.0), 0.0);
    LinkKvTransfer fast = new LinkKvTransfer(ds, List.of(1, 2), true);
    double first = 5e-6 + x - 0.001 * 79 / 80;
    assertEquals(first, fast.start(p, 0, d, 1, 2000, 0.001, 1.0), 1e-15);
    assertEquals(2 * (5e-6 + x) - 0.001 * 79 / 80, fast.start(p, 0, d, 2, 2000, 0.001, 1.0), 1e-15);
  }

  /**
   * Through a whole run: two 200-token prompts prefill in one batch on one TP1 prefill replica and
   * leave together over its one NVLink port: the second transfer takes twice the first, its link
   * wait is the first's time. With two prefill replicas and round-robin decode routing the pairs
   * are disjoint and neither waits. Runs are deterministic.
   */
  @Test
  void transfersOfOneBatchQueueOnTheSendersLink() {
    String[] two = {
      "workload.num_requests=2",
      "workload.concurrency=2",
      "workload.length.type=fixed",
      "workload.length.prefill_tokens=200",
      "workload.length.decode_tokens=8",
      "cluster.disaggregation.decode.replicas=2",
      "cluster.disaggregation.decode_router=round_robin"
    };
    Simulation sim = Simulation.prepare(config(two), Catalog.builtin(), Path.of(""));
    Deployment p = sim.deployments().get(0);
    double alone =
        LinkKvTransfer.seconds(
            p, sim.deployments().get(1), LinkKvTransfer.Link.nvlink(p.node()), 200, false, 0);
    assertEquals(5e-6 + 200L * 32 * 2 * 32 * 128 * 2 / 300e9, alone, 1e-15);
    SimulationResult r = sim.run(linear(sim), List.of(), true, List.of());
    List<RequestRecord> q = r.metrics().requests();
    assertEquals(q.get(0).arrivedAt(), q.get(1).arrivedAt(), "both arrive at once");
    assertEquals(2, r.metrics().kvTransfer().size());
    assertEquals(alone, r.metrics().kvTransfer().quantile(0.0), 1e-15);
    assertEquals(2 * alone, r.metrics().kvTransfer().max(), 1e-15, "the second waits");
    assertEquals(alone, r.metrics().kvLinkWait().max(), 1e-15);
    assertEquals(0.0, r.metrics().kvLinkWait().quantile(0.0));
    // two prefill replicas, one request each, to different decode replicas: disjoint links
    List<String> sets = new ArrayList<>(List.of(two));
    sets.add("cluster.disaggregation.prefill.replicas=2");
    Simulation s2 =
        Simulation.prepare(config(sets.toArray(String[]::new)), Catalog.builtin(), Path.of(""));
    SimulationResult r2 = s2.run(linear(s2), List.of(), true, List.of());
    assertEquals(alone, r2.metrics().kvTransfer().max(), 1e-15);
    assertEquals(0.0, r2.metrics().kvLinkWait().max());
    // a loaded run queues for links, and a second run is the same to the bit
    String[] load = {
      "cluster.disaggregation.prefill.replicas=2",
      "cluster.disaggregation.decode.replicas=3",
      "workload.interval.qps=300"
    };
    Map<String, Object> a = loaded(load);
    assertTrue((double) a.get("kv_link_wait_s_max") > 0, "transfers queue under load");
    assertEquals(a, loaded(load));
  }

  static Map<String, Object> loaded(String... sets) {
    Simulation sim = Simulation.prepare(config(sets), Catalog.builtin(), Path.of(""));
    Map<String, Object> s = Summary.of(sim.run(linear(sim), List.of(), true, List.of()));
    s.remove("wall_seconds");
    return s;
  }

  static ConfigException error(String... sets) {
    return assertThrows(
        ConfigException.class,
        () -> Simulation.prepare(config(sets), Catalog.builtin(), Path.of("")));
  }

  static void oneLine(ConfigException e, String field) {
    assertEquals(field, e.field(), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void badLayoutsAreOneErrorLineNamingTheField() {
    // the decode pool's GPUs cannot hold a 70B model at TP1
    oneLine(
        error(
            "cluster.model=meta-llama/Llama-3.1-70B-Instruct",
            "cluster.sku=h100",
            "cluster.node=h100_dgx",
            "cluster.tensor_parallel=4",
            "cluster.disaggregation.decode.tensor_parallel=1"),
        "cluster.disaggregation.decode.tensor_parallel");
    // a KV transfer across nodes from a node type without an RDMA NIC
    oneLine(
        error(
            "cluster.disaggregation.decode.sku=a30",
            "cluster.disaggregation.decode.node=a30_single_gpu",
            "workload.max_tokens=2048"),
        "cluster.disaggregation.decode.node");
    // an empty pool
    oneLine(
        error("cluster.disaggregation.decode.replicas=0"),
        "cluster.disaggregation.decode.replicas");
    oneLine(
        error("cluster.disaggregation.prefill.replicas=0"),
        "cluster.disaggregation.prefill.replicas");
    // contradictions and unknown values
    oneLine(
        error("cluster.disaggregation.prefill.replicas=1", "cluster.replicas=2"),
        "cluster.replicas");
    oneLine(error("cluster.disaggregation.prefill.replicas=1", "router=lor"), "router");
    oneLine(
        error("cluster.disaggregation.decode_router=random"),
        "cluster.disaggregation.decode_router");
    oneLine(error("cluster.disaggregation.first_token=both"), "cluster.disaggregation.first_token");
    oneLine(
        error("cluster.disaggregation.prefill.replicas=1", "scheduler.type=sarathi"),
        "scheduler.type");
    oneLine(
        error("cluster.disaggregation.decode.batch_size_cap=0"),
        "cluster.disaggregation.decode.batch_size_cap");
    ConfigException typo =
        assertThrows(
            ConfigException.class, () -> config("cluster.disaggregation.decode.replica=2"));
    assertEquals("cluster.disaggregation.decode.replica", typo.field());
  }

  @Test
  void theBlockMergesKeyByKeyAndNullTurnsItOff() {
    SimulationConfig c =
        config(
            "cluster.disaggregation.prefill.replicas=2",
            "cluster.disaggregation.decode.sku=h100",
            "cluster.disaggregation.decode.node=h100_dgx");
    var g = c.cluster().disaggregation();
    assertEquals(2, g.prefill().replicas());
    // built in code, null keys take their defaults
    var coded = new SimulationConfig.DisaggregationConfig(null, null, null, null, null, null);
    assertEquals("round_robin", coded.prefillRouter());
    assertEquals("free_kv", coded.decodeRouter());
    assertEquals("decode", coded.firstToken());
    assertFalse(coded.layerwiseTransfer());
    assertNull(g.prefill().sku());
    assertEquals("h100", g.decode().sku());
    assertEquals("free_kv", g.decodeRouter());
    assertEquals("decode", g.firstToken());
    assertFalse(g.layerwiseTransfer());
    Simulation sim = Simulation.prepare(c, Catalog.builtin(), Path.of(""));
    assertEquals("a100", sim.deployments().get(0).sku().name());
    assertEquals("h100", sim.deployments().get(1).sku().name());
    assertNull(
        config("cluster.disaggregation.prefill.replicas=2", "cluster.disaggregation=null")
            .cluster()
            .disaggregation());
    assertNull(config().cluster().disaggregation());
  }
}
