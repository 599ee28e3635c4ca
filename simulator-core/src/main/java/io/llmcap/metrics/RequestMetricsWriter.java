package io.llmcap.metrics;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Streams {@code request_metrics.csv}: one row per request, written when it completes (rows in
 * completion order), so a run of millions of requests holds none of them in memory.
 */
public final class RequestMetricsWriter implements RunListener, AutoCloseable {
  private final CsvRows out;
  private final StringBuilder sb = new StringBuilder(256);

  public RequestMetricsWriter(Path file) {
    out =
        new CsvRows(
            file,
            "request_id,replica,arrived_at,num_prefill_tokens,num_decode_tokens,scheduled_at,"
                + "first_token_at,completed_at,ttft,e2e,scheduling_delay,tpot,execution_time,"
                + "model_execution_time,preemption_time,restarts,recomputed_tokens");
  }

  @Override
  public void onRequestCompleted(RequestRecord q) {
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
    out.write(sb);
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
