package io.llmcap.metrics;

import io.llmcap.request.Batch;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Streams {@code batch_metrics.csv}: one row per iteration, written when it ends. With {@code
 * prefixColumns} (prefix-aware fleets, {@code Summary#reportsPrefixFleet}) each row also has the
 * prompt tokens its newly admitted requests took from the prefix cache and, of those, from the host
 * tier: binned over {@code scheduled_at} against {@code prefill_tokens} they give the hit rate over
 * time.
 */
public final class BatchMetricsWriter implements RunListener, AutoCloseable {
  private final CsvRows out;
  private final boolean prefixColumns;

  public BatchMetricsWriter(Path file) {
    this(file, false);
  }

  public BatchMetricsWriter(Path file, boolean prefixColumns) {
    this.prefixColumns = prefixColumns;
    out =
        new CsvRows(
            file,
            "batch_id,replica,scheduled_at,completed_at,execution_time,size,num_tokens,"
                + "prefill_tokens,decode_tokens"
                + (prefixColumns ? ",cached_prompt_tokens,host_cached_prompt_tokens" : ""));
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
            + (prefixColumns
                ? "," + b.cacheHits().cachedTokens() + "," + b.cacheHits().hostTokens()
                : "")
            + "\n");
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
