package io.llmcap.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.Deployment;
import io.llmcap.config.SimulationConfig.SchedulerConfig;
import io.llmcap.engine.Simulation;
import io.llmcap.kv.HostKvTier;
import io.llmcap.kv.PrefixCachingBlockManager;
import io.llmcap.kv.PromptContent;
import io.llmcap.kv.PromptContent.Segment;
import io.llmcap.request.Batch;
import io.llmcap.request.Request;
import io.llmcap.setup.ConfigLoader;
import io.llmcap.workload.RequestSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * vllm_v1's prefix cache with a host-memory tier and cached output blocks, driven step by step: the
 * hand-computed tier sizes and load times, hits that continue from the GPU into host memory, and
 * the invariants (a hit never exceeds the cached prefix; blocks in use are never evicted from
 * either tier; the host tier never exceeds its capacity; reused + computed = prompt tokens).
 */
class HostTierSchedulingTest {
  private static SchedulerConfig v1(double cpuGib) {
    return new SchedulerConfig(
        "vllm_v1", 16, 16, 0.0, null, 256, 8192, 10, true, false, cpuGib, Map.of());
  }

  /** A replica of {@code gpuBlocks} blocks with a host tier of {@code hostBlocks} blocks. */
  private static VllmV1Scheduler replica(int gpuBlocks, int hostBlocks, double secondsPerBlock) {
    MemoryPlan plan = new MemoryPlan(0, 0, 0, 16, 16, 256, gpuBlocks);
    return (VllmV1Scheduler)
        Schedulers.create(
            new SchedulerContext(0, 1, v1(1), plan, new AtomicLong())
                .withHostTier(
                    hostBlocks == 0 ? null : new HostTierPlan(hostBlocks, secondsPerBlock)));
  }

  private static Deployment deployment(String model, String sku, String node, int tp) {
    return Simulation.prepare(
            ConfigLoader.bind(
                ConfigLoader.resolve(
                    null,
                    List.of(
                        "cluster.model=" + model,
                        "cluster.sku=" + sku,
                        "cluster.node=" + node,
                        "cluster.tensor_parallel=" + tp))),
            Catalog.builtin(),
            Path.of(""))
        .deployment();
  }

  @Test
  void tierSizeAndLoadTimeByHand() {
    // Llama-2-7B fp16: 32 layers × 2 (K, V) × 32 heads × 128 × 2 B = 524,288 B a token, 8 MiB a
    // 16-token block; 4 GiB hold 512 blocks; one block over PCIe Gen5 (50 GB/s) takes 167.77 us
    HostTierPlan small =
        HostTierPlan.of(v1(4), deployment("meta-llama/Llama-2-7b-hf", "h100", "h100_dgx", 1), 16);
    assertEquals(512, small.blocks());
    assertEquals(8_388_608 / 50e9, small.loadSecondsPerBlock(), 1e-15);
    // Llama-2-70B TP4: 80 layers × 2 × (8 / 4) heads × 128 × 2 B = 81,920 B a token per GPU,
    // 1,310,720 B a block per GPU, 5,242,880 B across the 4 GPUs: 10 GiB hold 2,048 blocks; each
    // GPU loads its own 1.31 MB shard at once: 26.2 us a block
    HostTierPlan tp4 =
        HostTierPlan.of(v1(10), deployment("meta-llama/Llama-2-70b-hf", "h100", "h100_dgx", 4), 16);
    assertEquals(2048, tp4.blocks());
    assertEquals(1_310_720 / 50e9, tp4.loadSecondsPerBlock(), 1e-15);
    // A100 DGX: PCIe Gen4, 25 GB/s
    HostTierPlan a100 =
        HostTierPlan.of(v1(4), deployment("meta-llama/Llama-2-7b-hf", "a100", "a100_dgx", 1), 16);
    assertEquals(8_388_608 / 25e9, a100.loadSecondsPerBlock(), 1e-15);
    assertEquals(null, HostTierPlan.of(v1(0), null, 16));
  }

  private static PromptContent content(long... idAndTokens) {
    List<Segment> s = new ArrayList<>();
    for (int i = 0; i < idAndTokens.length; i += 2) {
      s.add(new Segment(idAndTokens[i], (int) idAndTokens[i + 1]));
    }
    return new PromptContent(s);
  }

  private static Request request(long id, int prompt, int output, PromptContent c) {
    return new Request(new RequestSpec(id, 0, prompt, output, -1, -1, c));
  }

  /** Runs every step until all given requests complete; returns prefill tokens computed each. */
  private static Map<Request, Integer> drain(ReplicaScheduler s, List<Request> rs) {
    Map<Request, Integer> computed = new HashMap<>();
    double t = 0;
    while (rs.stream().anyMatch(r -> !r.completed())) {
      List<Batch> batches = s.onSchedule();
      assertEquals(1, batches.size(), "one stage, one batch");
      Batch b = batches.get(0);
      b.onSchedule(t);
      t += 1;
      for (int i = 0; i < b.size(); i++) {
        if (b.isPrefill(i)) {
          computed.merge(b.request(i), b.numTokens(i), Integer::sum);
        }
        b.request(i).onBatchEnd(t, b.numTokens(i));
      }
      s.onBatchEnd(b);
    }
    return computed;
  }

  @Test
  void outputBlocksAreCachedForTheNextTurn() {
    VllmV1Scheduler s = replica(1000, 0, 0);
    // turn 1: 100 prompt tokens, a 50-token reply whose content is segment 2
    Request t1 = request(1, 100, 50, content(1, 100, 2, 50));
    s.add(t1);
    drain(s, List.of(t1));
    // turn 2 repeats the prompt and the reply, then 30 new tokens: 150 / 16 = 9 full blocks hit
    // (without the reply's blocks only 100 / 16 = 6 would)
    Request t2 = request(2, 180, 10, content(1, 100, 2, 50, 3, 30, 4, 10));
    assertEquals(144, s.cachedPrefixTokens(t2));
    s.add(t2);
    Map<Request, Integer> computed = drain(s, List.of(t2));
    assertEquals(144, t2.cachedTokens());
    assertEquals(180, t2.cachedTokens() + computed.get(t2), "reused + computed = prompt");
  }

  @Test
  void aHitContinuesFromTheGpuIntoHostMemoryAndIsLoadedBack() {
    // 40 GPU blocks, 100 host blocks, 1 ms a block
    VllmV1Scheduler s = replica(40, 100, 1e-3);
    HostKvTier host = s.hostTier();
    Request a = request(1, 321, 1, content(7, 321));
    s.add(a);
    drain(s, List.of(a));
    assertEquals(20, host.size(), "every computed full block is stored: 320 / 16");
    // other prompts push a's blocks out of the GPU (they stay in host memory)
    for (int k = 0; k < 2; k++) {
      Request other = request(10 + k, 500, 1, content(100 + k, 500));
      s.add(other);
      drain(s, List.of(other));
    }
    Request b = request(2, 400, 1, content(7, 321, 8, 79));
    int expect = s.cachedPrefixTokens(b);
    assertEquals(320, expect, "20 blocks, all from host memory");
    s.add(b);
    List<Batch> first = s.onSchedule();
    Batch batch = first.get(0);
    assertEquals(320, batch.cacheHits().cachedTokens());
    assertEquals(320, batch.cacheHits().hostTokens());
    assertEquals(20 * 1e-3, batch.kvLoadSeconds(), 1e-12);
    assertEquals(320, b.hostCachedTokens());
    assertEquals(80, batch.numTokens(0), "only the rest of the prompt is computed");
  }

  /** Random multi-turn traffic through a small GPU cache and a smaller host tier. */
  @Test
  void invariantsHoldUnderPressure() {
    VllmV1Scheduler s = replica(120, 60, 1e-4);
    HostKvTier host = s.hostTier();
    PrefixCachingBlockManager gpu = (PrefixCachingBlockManager) s.kv();
    SplittableRandom rnd = new SplittableRandom(3);
    List<Request> live = new ArrayList<>();
    Map<Request, Integer> computed = new HashMap<>();
    Map<Long, List<long[]>> histories = new HashMap<>();
    long nextId = 0;
    long fromHost = 0;
    double t = 0;
    for (int step = 0; step < 3000; step++) {
      if (live.size() < 6 && rnd.nextInt(3) == 0) {
        long session = rnd.nextInt(8);
        if (live.stream().anyMatch(r -> r.sessionId() == session)) {
          continue; // a session's next turn waits for its reply, as a client does
        }
        List<long[]> h = histories.computeIfAbsent(session, k -> new ArrayList<>());
        h.add(new long[] {session * 1000 + h.size(), 10 + rnd.nextInt(120)});
        int output = 1 + rnd.nextInt(40);
        List<Segment> segs = new ArrayList<>();
        segs.add(new Segment(999, 40)); // a system prompt every session shares
        int prompt = 40;
        for (long[] seg : h) {
          segs.add(new Segment(seg[0], (int) seg[1]));
          prompt += (int) seg[1];
        }
        long outId = session * 1000 + 500 + h.size();
        segs.add(new Segment(outId, output));
        h.add(new long[] {outId, output});
        if (prompt + output > 1500) {
          histories.remove(session);
          continue;
        }
        Request r =
            new Request(
                new RequestSpec(nextId++, t, prompt, output, -1, session, new PromptContent(segs)));
        int expect = s.cachedPrefixTokens(r);
        assertTrue(expect <= prompt - 1, "a hit leaves the last token to compute");
        assertTrue(expect % 16 == 0, "whole blocks only");
        s.add(r);
        live.add(r);
      }
      List<Batch> batches = s.onSchedule();
      if (batches.isEmpty()) {
        continue;
      }
      Batch b = batches.get(0);
      b.onSchedule(t);
      t += 1;
      assertTrue(host.size() <= host.capacity(), "host capacity exceeded");
      for (int i = 0; i < b.size(); i++) {
        Request r = b.request(i);
        if (b.isPrefill(i)) {
          computed.merge(r, b.numTokens(i), Integer::sum);
        }
        // every full block a running request computed is still findable: never evicted in use
        long[] h = r.blockHashes(16);
        int full = Math.min(h.length, (r.processed() + b.numTokens(i)) / 16);
        full = Math.min(full, r.kvBlocks().size());
        if (r.prefillComplete()) {
          full = Math.min(full, r.processed() / 16);
        }
        assertEquals(
            full,
            gpu.cachedPrefix(h, full),
            "a block in use was evicted: "
                + r.id()
                + " restarts "
                + r.restarts()
                + " processed "
                + r.processed()
                + " n "
                + b.numTokens(i)
                + " prefill "
                + r.prefillTokens()
                + " cached "
                + r.cachedTokens()
                + " host "
                + r.hostCachedTokens()
                + " blocks "
                + r.kvBlocks().size()
                + " hashes "
                + h.length);
        r.onBatchEnd(t, b.numTokens(i));
      }
      s.onBatchEnd(b);
      for (Request r : List.copyOf(live)) {
        if (r.completed()) {
          live.remove(r);
          fromHost += r.hostCachedTokens();
          if (r.restarts() == 0) {
            assertEquals(
                r.originalPrefill(),
                r.cachedTokens() + computed.getOrDefault(r, 0),
                "reused + computed = prompt");
          }
        }
      }
    }
    assertTrue(host.drops() > 0, "the host tier filled up");
    assertTrue(fromHost > 0, "some hits came from host memory");
    assertTrue(nextId > 100);
  }
}
