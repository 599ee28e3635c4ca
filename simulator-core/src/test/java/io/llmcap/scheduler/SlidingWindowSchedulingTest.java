package io.llmcap.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.config.SimulationConfig.SchedulerConfig;
import io.llmcap.kv.KvLayout;
import io.llmcap.kv.PrefixCachingBlockManager;
import io.llmcap.request.Batch;
import io.llmcap.request.Request;
import io.llmcap.workload.RequestSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The vllm_v1 scheduler under a hybrid KV layout: a request's sliding-window blocks stop growing at
 * the window, so a long decode holds far fewer blocks than on a dense layout.
 */
class SlidingWindowSchedulingTest {
  private static final SchedulerConfig V1 =
      new SchedulerConfig("vllm_v1", 128, 16, 0.0, null, 2048, 8192, 10, true, false, 0, Map.of());

  /** Runs one 1000 + 3000-token request alone; returns its peak block count. */
  private static int peakBlocks(KvLayout layout) {
    MemoryPlan plan = new MemoryPlan(0, 0, 0, 128, 16, 250, 10_000, layout);
    ReplicaScheduler s =
        Schedulers.create(
            new SchedulerContext(0, 1, V1, plan, new AtomicLong())
                .withKvManagers(PrefixCachingBlockManager::new));
    Request r = new Request(new RequestSpec(0, 0, 1000, 3000));
    s.add(r);
    int peak = 0;
    double t = 0;
    while (!r.completed()) {
      List<Batch> batches = s.onSchedule();
      assertEquals(1, batches.size());
      Batch b = batches.get(0);
      peak = Math.max(peak, r.kvBlocks().size());
      t += 1;
      r.onBatchEnd(t, b.numTokens(0));
      s.onBatchEnd(b);
    }
    assertEquals(0, r.kvBlocks().size(), "freed at completion");
    return peak;
  }

  @Test
  void slidingLayersHoldOnlyTheWindow() {
    // 4000 tokens: the full group needs ceil(3999 / 16) = 250 blocks at the last decode
    assertEquals(250, peakBlocks(KvLayout.of(16, 24, 0, 0)));
    // gpt-oss-like 1:1 layout, window 128: the 1000-token prompt chunk holds 63 + 63 blocks; the
    // last decode 250 full blocks and at most ceil(128 / 16) + 1 = 9 sliding ones
    int hybrid = peakBlocks(KvLayout.of(16, 12, 12, 128));
    assertEquals(250 + 9, hybrid);
    assertTrue(hybrid < 2 * 250, "the sliding group stops growing");
  }
}
