package io.llmcap.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.output.RunWriter;
import io.llmcap.parquet.ParquetTable;
import io.llmcap.parquet.ParquetTable.Column;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

/**
 * The run report's prefix hit rate over time, from the batch metrics' cached and computed prompt
 * tokens: drawn from either format with the columns, per span cached / (cached + computed); absent
 * without the columns or without a hit.
 */
class PrefixHitsOverTimeTest {
  /** Four batches in 100 s, each in its own span: 20%, 40%, 90% and 90% of their prompts cached. */
  private static final double[][] BATCHES = {
    {1.0, 10, 40}, {2.0, 20, 30}, {98.0, 45, 5}, {99.0, 45, 5},
  };

  private static void check(Figure f) {
    XYChart c = (XYChart) f.chart();
    var s = c.getSeriesMap().get("all replicas");
    double[] y = s.getYData();
    assertArrayEquals(new double[] {20.0, 40.0, 90.0, 90.0}, y, 1e-9);
    assertEquals("prefix_hit_rate.png", f.file());
    assertTrue(f.caption().endsWith("The whole run: 60.0%."), f.caption());
  }

  @Test
  void fromCsv(@TempDir Path dir) throws IOException {
    StringBuilder sb =
        new StringBuilder("batch_id,completed_at,cached_prompt_tokens,prefill_tokens\n");
    int id = 0;
    for (double[] b : BATCHES) {
      sb.append(id++).append(',').append(b[0]).append(',').append((int) b[1]).append(',');
      sb.append((int) b[2]).append('\n');
    }
    Files.writeString(dir.resolve(RunWriter.BATCHES), sb);
    check(PrefixHitsOverTime.figure(dir, 100));
  }

  @Test
  void fromParquet(@TempDir Path dir) throws IOException {
    try (ParquetTable t =
        new ParquetTable(
            dir.resolve(RunWriter.BATCHES_PARQUET),
            "batch_metrics",
            List.of(
                Column.ofLong("batch_id"),
                Column.ofDouble("completed_at"),
                Column.ofInt("cached_prompt_tokens"),
                Column.ofInt("prefill_tokens")))) {
      long id = 0;
      for (double[] b : BATCHES) {
        t.set(0, id++).set(1, b[0]).set(2, (long) b[1]).set(3, (long) b[2]);
        t.endRow();
      }
    }
    check(PrefixHitsOverTime.figure(dir, 100));
  }

  @Test
  void absentWithoutTheColumnsOrAHit(@TempDir Path dir) throws IOException {
    assertNull(PrefixHitsOverTime.figure(dir, 100), "no batch metrics");
    Files.writeString(
        dir.resolve(RunWriter.BATCHES), "batch_id,completed_at,prefill_tokens\n0,1.0,10\n");
    assertNull(PrefixHitsOverTime.figure(dir, 100), "no cached-token columns");
    Files.writeString(
        dir.resolve(RunWriter.BATCHES),
        "batch_id,completed_at,cached_prompt_tokens,prefill_tokens\n0,1.0,0,10\n");
    assertNull(PrefixHitsOverTime.figure(dir, 100), "no hit");
  }
}
