package io.llmcap.metrics;

import io.llmcap.request.Batch;
import java.io.IOException;
import java.nio.file.Path;

/** Streams {@code batch_metrics.csv}: one row per iteration, written when it ends. */
public final class BatchMetricsWriter implements RunListener, AutoCloseable {
  private final CsvRows out;

  public BatchMetricsWriter(Path file) {
    out =
        new CsvRows(
            file,
            "batch_id,replica,scheduled_at,completed_at,execution_time,size,num_tokens,"
                + "prefill_tokens,decode_tokens");
  }

  @Override
  public void onBatchEnd(Batch b, double end) {
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
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
