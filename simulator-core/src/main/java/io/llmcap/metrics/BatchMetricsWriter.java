package io.llmcap.metrics;

import io.llmcap.engine.Batch;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Streams {@code batch_metrics.csv}: one row per iteration, written when it ends. */
public final class BatchMetricsWriter implements RunListener, AutoCloseable {
  private final BufferedWriter out;

  public BatchMetricsWriter(Path file) {
    try {
      out = Files.newBufferedWriter(file);
      out.write(
          "batch_id,replica,scheduled_at,completed_at,execution_time,size,num_tokens,"
              + "prefill_tokens,decode_tokens\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void onBatchEnd(Batch b, double end) {
    try {
      out.write(
          b.id()
              + ","
              + b.replicaId()
              + ","
              + Csv.num(b.scheduledAt())
              + ","
              + Csv.num(end)
              + ","
              + Csv.num(end - b.scheduledAt())
              + ","
              + b.size()
              + ","
              + b.totalTokens()
              + ","
              + b.prefillTokens()
              + ","
              + b.decodeTokens()
              + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
