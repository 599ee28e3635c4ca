package io.llmcap.parquet;

import static io.llmcap.parquet.ParquetTable.Column.ofDouble;
import static io.llmcap.parquet.ParquetTable.Column.ofInt;
import static io.llmcap.parquet.ParquetTable.Column.ofLong;
import static io.llmcap.parquet.ParquetTable.Column.ofNullableDouble;

import io.llmcap.metrics.RequestRecord;
import io.llmcap.metrics.RunListener;
import io.llmcap.request.Batch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Parquet twins of simulator-core's streaming CSV writers ({@code RequestMetricsWriter}, {@code
 * BatchMetricsWriter}, {@code TimelineWriter}): same columns, same row order, typed (times in
 * seconds as doubles, counts as ints, ids as longs; an undefined value such as a single-token
 * request's TPOT is null).
 */
public final class ParquetRunWriters {
  private ParquetRunWriters() {}

  /** {@code request_metrics.parquet}: one row per completed request, in completion order. */
  public static final class Requests implements RunListener, AutoCloseable {
    private final ParquetTable t;

    public Requests(Path file) {
      t =
          new ParquetTable(
              file,
              "request_metrics",
              List.of(
                  ofLong("request_id"),
                  ofInt("replica"),
                  ofDouble("arrived_at"),
                  ofInt("num_prefill_tokens"),
                  ofInt("num_decode_tokens"),
                  ofDouble("scheduled_at"),
                  ofDouble("first_token_at"),
                  ofDouble("completed_at"),
                  ofDouble("ttft"),
                  ofDouble("e2e"),
                  ofDouble("scheduling_delay"),
                  ofNullableDouble("tpot"),
                  ofDouble("execution_time"),
                  ofDouble("model_execution_time"),
                  ofDouble("preemption_time"),
                  ofInt("restarts"),
                  ofLong("recomputed_tokens")));
    }

    @Override
    public void onRequestCompleted(RequestRecord q) {
      t.set(0, q.id()).set(1, q.replica()).set(2, q.arrivedAt());
      t.set(3, q.prefillTokens()).set(4, q.decodeTokens());
      t.set(5, q.scheduledAt()).set(6, q.firstTokenAt()).set(7, q.completedAt());
      t.set(8, q.ttft()).set(9, q.e2e()).set(10, q.schedulingDelay()).set(11, q.tpot());
      t.set(12, q.executionTime()).set(13, q.modelExecutionTime()).set(14, q.preemptedTime());
      t.set(15, q.restarts()).set(16, q.recomputedTokens());
      t.endRow();
    }

    @Override
    public void close() throws IOException {
      t.close();
    }
  }

  /** {@code batch_metrics.parquet}: one row per iteration, written when it ends. */
  public static final class Batches implements RunListener, AutoCloseable {
    private final ParquetTable t;
    private final boolean prefixColumns;

    public Batches(Path file) {
      this(file, false);
    }

    /**
     * With {@code prefixColumns}, as {@link io.llmcap.metrics.BatchMetricsWriter}'s: each row also
     * holds the prompt tokens its newly admitted requests took from the prefix cache and, of those,
     * from the host tier.
     */
    public Batches(Path file, boolean prefixColumns) {
      this.prefixColumns = prefixColumns;
      List<ParquetTable.Column> columns =
          new ArrayList<>(
              List.of(
                  ofLong("batch_id"),
                  ofInt("replica"),
                  ofDouble("scheduled_at"),
                  ofDouble("completed_at"),
                  ofDouble("execution_time"),
                  ofInt("size"),
                  ofInt("num_tokens"),
                  ofInt("prefill_tokens"),
                  ofInt("decode_tokens")));
      if (prefixColumns) {
        columns.add(ofInt("cached_prompt_tokens"));
        columns.add(ofInt("host_cached_prompt_tokens"));
      }
      t = new ParquetTable(file, "batch_metrics", columns);
    }

    @Override
    public void onBatchEnd(Batch b, double end) {
      t.set(0, b.id()).set(1, b.replicaId()).set(2, b.scheduledAt()).set(3, end);
      t.set(4, end - b.scheduledAt()).set(5, b.size()).set(6, b.totalTokens());
      t.set(7, b.prefillTokens()).set(8, b.decodeTokens());
      if (prefixColumns) {
        t.set(9, b.cacheHits().cachedTokens()).set(10, b.cacheHits().hostTokens());
      }
      t.endRow();
    }

    @Override
    public void close() throws IOException {
      t.close();
    }
  }

  /**
   * {@code replica_timeline.parquet}: a replica's KV use, running and waiting requests right after
   * each of its batches ends, in the order of {@code batch_metrics}.
   */
  public static final class Timeline implements RunListener, AutoCloseable {
    private final ParquetTable t;
    private final int kvBlocksPerReplica;
    private final int[] kvBlocksByReplica;

    public Timeline(Path file, int kvBlocksPerReplica) {
      this(file, kvBlocksPerReplica, null);
    }

    /** With each replica's KV capacity, by replica id (pools of different shapes). */
    public Timeline(Path file, int[] kvBlocksByReplica) {
      this(file, kvBlocksByReplica[0], kvBlocksByReplica);
    }

    private Timeline(Path file, int kvBlocksPerReplica, int[] kvBlocksByReplica) {
      this.kvBlocksPerReplica = kvBlocksPerReplica;
      this.kvBlocksByReplica = kvBlocksByReplica;
      t =
          new ParquetTable(
              file,
              "replica_timeline",
              List.of(
                  ofDouble("time"),
                  ofInt("replica"),
                  ofInt("kv_blocks_used"),
                  ofDouble("kv_usage"),
                  ofInt("running"),
                  ofInt("waiting")));
    }

    @Override
    public void onReplicaSample(Batch b, double time, int kvBlocks, int running, int waiting) {
      t.set(0, time).set(1, b.replicaId()).set(2, kvBlocks);
      int capacity =
          kvBlocksByReplica != null ? kvBlocksByReplica[b.replicaId()] : kvBlocksPerReplica;
      t.set(3, kvBlocks / (double) capacity).set(4, running).set(5, waiting);
      t.endRow();
    }

    @Override
    public void close() throws IOException {
      t.close();
    }
  }
}
