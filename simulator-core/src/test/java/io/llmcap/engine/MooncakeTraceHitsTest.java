package io.llmcap.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.llmcap.config.SimulationConfig;
import io.llmcap.metrics.RunListener;
import io.llmcap.request.Batch;
import io.llmcap.request.Request;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Mooncake-format trace replayed on vllm_v1 with prefix caching: hits occur exactly where hash
 * ids repeat at the same positions, on the full 16-token blocks they cover, and nowhere else.
 */
class MooncakeTraceHitsTest {
  @TempDir Path dir;

  @Test
  void hitsAreTheSharedIdsFull16TokenBlocks() throws IOException {
    // 10 s apart, so each request completes before the next arrives and nothing is evicted.
    Path trace =
        Files.writeString(
            dir.resolve("mooncake.jsonl"),
            String.join(
                "\n",
                "{\"timestamp\": 0, \"input_length\": 1100, \"output_length\": 10, \"hash_ids\": [1, 2, 3]}",
                "{\"timestamp\": 10000, \"input_length\": 1100, \"output_length\": 10, \"hash_ids\": [1, 2, 4]}",
                "{\"timestamp\": 20000, \"input_length\": 600, \"output_length\": 10, \"hash_ids\": [1, 5]}",
                "{\"timestamp\": 30000, \"input_length\": 1100, \"output_length\": 10, \"hash_ids\": [9, 2, 3]}",
                "{\"timestamp\": 40000, \"input_length\": 1100, \"output_length\": 10, \"hash_ids\": [1, 2, 3]}",
                "{\"timestamp\": 50000, \"input_length\": 900, \"output_length\": 10, \"hash_ids\": [6, 7]}"));
    SimulationConfig cfg =
        VllmV1SchedulerTest.config(
            "workload.trace.file=" + trace,
            "workload.num_requests=null",
            "workload.max_tokens=4096",
            "scheduler.chunk_size=2048");
    Map<Long, Long> cached = new TreeMap<>();
    RunListener hits =
        new RunListener() {
          @Override
          public void onBatchEnd(Batch b, double end) {
            for (int i = 0; i < b.size(); i++) {
              Request r = b.request(i);
              cached.put(r.id(), r.cachedTokens());
            }
          }
        };
    SimulationResult r = VllmV1SchedulerTest.run(cfg, hits);
    assertEquals(6, r.metrics().requests().size());
    // [1,2,4] shares ids 1, 2 (1,024 tokens = 64 blocks); [1,5] shares id 1 (32 blocks);
    // [9,2,3] repeats ids, but not at the same prefix: none; [1,2,3] repeats request 0, whose last
    // id covers 76 tokens: 64 + 4 full blocks = 1,088 tokens (and (1,100 − 1) / 16 = 68 blocks);
    // [6,7] is new.
    assertEquals(Map.of(0L, 0L, 1L, 1024L, 2L, 512L, 3L, 0L, 4L, 1088L, 5L, 0L), cached);
    assertEquals(1024 + 512 + 1088, r.metrics().cachedTokens());
  }
}
