package io.llmcap.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.llmcap.config.Yaml;
import io.llmcap.engine.SimulationResult;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Writes the end-of-run files: resolved config, per-request metrics, the replica timeline and the
 * summary.
 */
public final class RunWriter {
  public static final String CONFIG = "config.yaml";
  public static final String REQUESTS = "request_metrics.csv";
  public static final String SUMMARY = "summary.json";
  public static final String BATCHES = "batch_metrics.csv";
  public static final String TRACE = "chrome_trace.json";
  public static final String TIMELINE = "replica_timeline.csv";

  private RunWriter() {}

  public static Map<String, Object> write(Path dir, SimulationResult r, JsonNode resolvedConfig)
      throws IOException {
    Yaml.yaml().writeValue(dir.resolve(CONFIG).toFile(), resolvedConfig);
    writeRequests(dir.resolve(REQUESTS), r.metrics().requests());
    writeTimeline(dir.resolve(TIMELINE), r.metrics().timeline(), r.kvBlocksPerReplica());
    Map<String, Object> summary = Summary.of(r);
    Yaml.json()
        .writer()
        .with(SerializationFeature.INDENT_OUTPUT)
        .writeValue(dir.resolve(SUMMARY).toFile(), summary);
    return summary;
  }

  private static void writeTimeline(Path file, ReplicaTimeline t, List<Integer> kvBlocks)
      throws IOException {
    try (BufferedWriter out = Files.newBufferedWriter(file)) {
      out.write("time,replica,kv_blocks_used,kv_usage,running,waiting\n");
      StringBuilder sb = new StringBuilder(64);
      for (int i = 0; i < t.size(); i++) {
        int rep = t.replica(i);
        sb.setLength(0);
        sb.append(Csv.num(t.time(i))).append(',').append(rep).append(',');
        sb.append(t.kvBlocks(i)).append(',');
        sb.append(Csv.num(t.kvBlocks(i) / (double) kvBlocks.get(rep))).append(',');
        sb.append(t.running(i)).append(',').append(t.waiting(i)).append('\n');
        out.write(sb.toString());
      }
    }
  }

  private static void writeRequests(Path file, List<RequestRecord> records) throws IOException {
    RequestRecord[] sorted = records.toArray(new RequestRecord[0]);
    java.util.Arrays.sort(sorted, Comparator.comparingLong(RequestRecord::id));
    try (BufferedWriter out = Files.newBufferedWriter(file)) {
      out.write(
          "request_id,replica,arrived_at,num_prefill_tokens,num_decode_tokens,scheduled_at,"
              + "first_token_at,completed_at,ttft,e2e,scheduling_delay,tpot,execution_time,"
              + "model_execution_time,preemption_time,restarts,recomputed_tokens\n");
      StringBuilder sb = new StringBuilder(256);
      for (RequestRecord q : sorted) {
        sb.setLength(0);
        sb.append(q.id()).append(',').append(q.replica()).append(',');
        sb.append(Csv.num(q.arrivedAt())).append(',');
        sb.append(q.prefillTokens()).append(',').append(q.decodeTokens()).append(',');
        sb.append(Csv.num(q.scheduledAt())).append(',');
        sb.append(Csv.num(q.firstTokenAt())).append(',');
        sb.append(Csv.num(q.completedAt())).append(',');
        sb.append(Csv.num(q.ttft())).append(',');
        sb.append(Csv.num(q.e2e())).append(',');
        sb.append(Csv.num(q.schedulingDelay())).append(',');
        sb.append(Csv.num(q.tpot())).append(',');
        sb.append(Csv.num(q.executionTime())).append(',');
        sb.append(Csv.num(q.modelExecutionTime())).append(',');
        sb.append(Csv.num(q.preemptedTime())).append(',');
        sb.append(q.restarts()).append(',').append(q.recomputedTokens()).append('\n');
        out.write(sb.toString());
      }
    }
  }
}
