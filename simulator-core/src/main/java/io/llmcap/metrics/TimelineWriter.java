package io.llmcap.metrics;

import io.llmcap.engine.Batch;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Streams {@code replica_timeline.csv}: a replica's KV use, running and waiting requests right
 * after each of its batches ends, one row per iteration in the order of {@code batch_metrics.csv}.
 */
public final class TimelineWriter implements RunListener, AutoCloseable {
  private final BufferedWriter out;
  private final int kvBlocksPerReplica;
  private final StringBuilder sb = new StringBuilder(64);

  public TimelineWriter(Path file, int kvBlocksPerReplica) {
    this.kvBlocksPerReplica = kvBlocksPerReplica;
    try {
      out = Files.newBufferedWriter(file);
      out.write("time,replica,kv_blocks_used,kv_usage,running,waiting\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void onReplicaSample(Batch b, double t, int kvBlocks, int running, int waiting) {
    sb.setLength(0);
    sb.append(Csv.num(t)).append(',').append(b.replicaId()).append(',');
    sb.append(kvBlocks).append(',');
    sb.append(Csv.num(kvBlocks / (double) kvBlocksPerReplica)).append(',');
    sb.append(running).append(',').append(waiting).append('\n');
    try {
      out.append(sb);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
