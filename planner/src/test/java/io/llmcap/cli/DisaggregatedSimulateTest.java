package io.llmcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code llmcap simulate} of the shipped disaggregated example: per-pool predictors (H100 prefill,
 * H200 decode), the summary's pool rows and transfer keys, the trace's named pools and transfers,
 * and the timeline's KV use against each replica's own capacity.
 */
class DisaggregatedSimulateTest {
  @Test
  void theExampleRunsAndReportsBothPools(@TempDir Path tmp) throws IOException {
    Path run = tmp.resolve("disagg");
    Cli.Result r =
        Cli.run(
                "simulate",
                "--config",
                Cli.root()
                    .resolve("search-configs/examples/disaggregated-llama70b-1p2d.yaml")
                    .toString(),
                "--out",
                run.toString(),
                "--no-report",
                "--set",
                "workload.num_requests=60",
                "--set",
                "predictor.type=roofline",
                "--set",
                "metrics.format=csv")
            .ok();
    assertTrue(r.out().contains("disaggregated: prefill 1 x h100 TP4"), r.out());
    assertTrue(r.out().contains("decode 2 x h200 TP4"), r.out());
    JsonNode s = Cli.json(run.resolve("summary.json"));
    assertEquals("disaggregated", s.get("layout").asText());
    assertEquals(60, s.get("requests_completed").asLong());
    assertEquals(60, s.get("kv_transfers").asLong());
    assertTrue(s.get("kv_transfer_s_p50").asDouble() > 0);
    assertTrue(s.has("decode_kv_wait_s_p99"));
    JsonNode pools = s.get("pools");
    assertEquals("prefill", pools.get(0).get("pool").asText());
    assertEquals("h100", pools.get(0).get("sku").asText());
    assertEquals("decode", pools.get(1).get("pool").asText());
    assertEquals("h200", pools.get(1).get("sku").asText());
    assertEquals(60, pools.get(1).get("requests_completed").asLong());
    assertTrue(pools.get(1).get("predictor").asText().contains("h200"));
    String trace = Files.readString(run.resolve("chrome_trace.json"));
    assertTrue(trace.contains("\"name\":\"prefill replica 0\""), trace.substring(0, 300));
    assertTrue(trace.contains("\"name\":\"decode replica 2\""));
    assertTrue(trace.contains("\"name\":\"kv request 0\""));
    assertTrue(Cli.json(run.resolve("chrome_trace.json")).get("traceEvents").size() > 60);
    List<String> rows = Files.readAllLines(run.resolve("replica_timeline.csv"));
    for (String row : rows.subList(1, rows.size())) {
      double usage = Double.parseDouble(row.split(",")[3]);
      assertTrue(usage >= 0 && usage <= 1, row);
    }
  }
}
