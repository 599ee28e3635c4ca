package io.llmcap.metrics;

import io.llmcap.request.Batch;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Streams {@code chrome_trace.json}: one complete ("X") event per batch stage, pid = replica, tid =
 * pipeline stage, times in microseconds. Open it in chrome://tracing or Perfetto.
 */
public final class ChromeTraceWriter implements RunListener, AutoCloseable {
  private final BufferedWriter out;
  private boolean first = true;

  public ChromeTraceWriter(Path file) {
    try {
      out = Files.newBufferedWriter(file);
      out.write("{\"traceEvents\":[\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void onStageEnd(Batch b, int stage, double start, double duration) {
    StringBuilder sb = new StringBuilder(160 + 8 * b.size());
    sb.append(first ? "" : ",\n");
    first = false;
    sb.append("{\"name\":\"batch ").append(b.id()).append("\",\"ph\":\"X\",\"ts\":");
    sb.append(start * 1e6).append(",\"dur\":").append(duration * 1e6);
    sb.append(",\"pid\":").append(b.replicaId()).append(",\"tid\":").append(stage);
    sb.append(",\"args\":{\"batch_id\":").append(b.id());
    sb.append(",\"batch_size\":").append(b.size());
    sb.append(",\"num_tokens\":").append(b.totalTokens());
    sb.append(",\"prefill_tokens\":").append(b.prefillTokens());
    sb.append(",\"decode_tokens\":").append(b.decodeTokens());
    sb.append(",\"request_ids\":[");
    for (int i = 0; i < b.size(); i++) {
      sb.append(i == 0 ? "" : ",").append(b.request(i).id());
    }
    sb.append("]}}");
    try {
      out.write(sb.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    out.write("\n]}\n");
    out.close();
  }
}
