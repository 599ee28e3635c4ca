package io.llmcap.metrics;

import io.llmcap.request.Batch;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Streams {@code replica_timeline.csv}: a replica's KV use, running and waiting requests right
 * after each of its batches ends, one row per iteration in the order of {@code batch_metrics.csv}.
 */
public final class TimelineWriter implements RunListener, AutoCloseable {
  private final CsvRows out;
  private final int kvBlocksPerReplica;
  private final int[] kvBlocksByReplica;
  private final StringBuilder sb = new StringBuilder(64);

  public TimelineWriter(Path file, int kvBlocksPerReplica) {
    this(file, kvBlocksPerReplica, null);
  }

  /** With each replica's KV capacity, by replica id (pools of different shapes). */
  public TimelineWriter(Path file, int[] kvBlocksByReplica) {
    this(file, kvBlocksByReplica[0], kvBlocksByReplica);
  }

  private TimelineWriter(Path file, int kvBlocksPerReplica, int[] kvBlocksByReplica) {
    this.kvBlocksPerReplica = kvBlocksPerReplica;
    this.kvBlocksByReplica = kvBlocksByReplica;
    out = new CsvRows(file, "time,replica,kv_blocks_used,kv_usage,running,waiting");
  }

  @Override
  public void onReplicaSample(Batch b, double t, int kvBlocks, int running, int waiting) {
    sb.setLength(0);
    sb.append(Csv.num(t)).append(',').append(b.replicaId()).append(',');
    sb.append(kvBlocks).append(',');
    sb.append(Csv.num(kvBlocks / (double) capacity(b.replicaId()))).append(',');
    sb.append(running).append(',').append(waiting).append('\n');
    out.write(sb);
  }

  private int capacity(int replica) {
    return kvBlocksByReplica != null ? kvBlocksByReplica[replica] : kvBlocksPerReplica;
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
