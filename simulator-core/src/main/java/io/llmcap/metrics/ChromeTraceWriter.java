package io.llmcap.metrics;

import io.llmcap.request.Batch;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * Streams {@code chrome_trace.json}: one complete ("X") event per batch stage, pid = replica, tid =
 * pipeline stage, times in microseconds. Open it in chrome://tracing or Perfetto.
 *
 * <p>A trace viewer holds the whole file in memory, so by default the trace stops after the first
 * {@code maxBatches} batches ({@link #note} says where); with {@code maxBatches} 0 it keeps every
 * batch and is gzip-compressed ({@code chrome_trace.json.gz}, which Perfetto opens as is).
 */
public final class ChromeTraceWriter implements RunListener, AutoCloseable {
  public static final String NOTE = "trace_note.txt";

  private final BufferedWriter out;
  private final long maxBatches;
  private final StringBuilder sb = new StringBuilder(512);
  private boolean first = true;
  private long batches;
  private long batchesSeen;
  private double cutAt = Double.NaN;

  /** A trace of every batch, uncompressed (small runs and tests). */
  public ChromeTraceWriter(Path file) {
    this(file, 0, false);
  }

  /**
   * @param maxBatches batches traced, in the order their first stage ends; 0 = all
   * @param gzip compress the file (the caller names it {@code .json.gz})
   */
  public ChromeTraceWriter(Path file, long maxBatches, boolean gzip) {
    this.maxBatches = maxBatches;
    try {
      OutputStream os = Files.newOutputStream(file);
      if (gzip) {
        os = new GZIPOutputStream(os, 1 << 16);
      }
      out = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16);
      out.write("{\"traceEvents\":[\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The trace's file name (the full trace adds {@code .gz}). */
  public static final String FILE = "chrome_trace.json";

  /** The file name for a trace of at most {@code maxBatches} batches (0 = all, compressed). */
  public static String fileName(long maxBatches) {
    return maxBatches == 0 ? FILE + ".gz" : FILE;
  }

  @Override
  public void onStageEnd(Batch b, int stage, double start, double duration) {
    if (stage == 0) {
      batchesSeen++;
      if (maxBatches > 0 && batches >= maxBatches) {
        if (Double.isNaN(cutAt)) {
          cutAt = start;
        }
        return;
      }
      batches++;
    } else if (!Double.isNaN(cutAt)) {
      return;
    }
    sb.setLength(0);
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
      out.append(sb);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Thread id of the KV transfers into a decode replica (disaggregated runs). */
  static final int TRANSFER_TID = 1000;

  /** Names each replica's track by its pool, and the decode replicas' transfer track. */
  @Override
  public void onReplicaNames(String[] names) {
    for (int id = 0; id < names.length; id++) {
      sb.setLength(0);
      sb.append(first ? "" : ",\n");
      first = false;
      sb.append("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":").append(id);
      sb.append(",\"args\":{\"name\":\"").append(names[id]).append("\"}}");
      sb.append(",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":").append(id);
      sb.append(",\"tid\":").append(TRANSFER_TID);
      sb.append(",\"args\":{\"name\":\"KV transfers in\"}}");
      write();
    }
  }

  /** One complete event per KV transfer, on the receiving replica's transfer track. */
  @Override
  public void onKvTransfer(
      long requestId,
      int from,
      int to,
      double start,
      double wait,
      double seconds,
      double linkWait,
      long bytes) {
    if (cut()) {
      return;
    }
    sb.setLength(0);
    sb.append(first ? "" : ",\n");
    first = false;
    sb.append("{\"name\":\"kv request ").append(requestId).append("\",\"ph\":\"X\",\"ts\":");
    sb.append(start * 1e6).append(",\"dur\":").append(seconds * 1e6);
    sb.append(",\"pid\":").append(to).append(",\"tid\":").append(TRANSFER_TID);
    sb.append(",\"args\":{\"request_id\":").append(requestId);
    sb.append(",\"from_replica\":").append(from);
    sb.append(",\"bytes\":").append(bytes);
    sb.append(",\"waited_s\":").append(wait);
    sb.append(",\"link_wait_s\":").append(linkWait).append("}}");
    write();
  }

  private void write() {
    try {
      out.append(sb);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether the trace stopped before the run's last batch. */
  public boolean cut() {
    return !Double.isNaN(cutAt);
  }

  /**
   * What the trace holds when it was cut (null when it holds every batch): for the run folder's
   * {@link #NOTE} and the report.
   */
  public String note() {
    if (!cut()) {
      return null;
    }
    return String.format(
        Locale.ROOT,
        "%s holds the first %,d of %,d batches (simulated time up to %.3f s), so that a trace"
            + " viewer can open it. For every batch set metrics.trace_batches=0 (writes %s.gz,"
            + " gzip-compressed) or a larger count.",
        FILE,
        batches,
        batchesSeen,
        cutAt,
        FILE);
  }

  @Override
  public void close() throws IOException {
    out.write("\n]}\n");
    out.close();
  }
}
