package io.llmcap.parquet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.parquet.ParquetTable.Column;
import io.llmcap.parquet.ParquetTable.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The column-buffered writer read back through parquet-mr's own reader: every value of every kind
 * over several pages and row groups, nulls where they were set (and for a nullable double's NaN),
 * column statistics, byte-identical files for the same rows, and an empty table with its schema.
 */
class ParquetTableTest {
  @TempDir Path tmp;

  static final List<Column> COLUMNS =
      List.of(
          Column.ofLong("id"),
          Column.ofInt("small"),
          Column.ofDouble("x"),
          Column.ofNullableDouble("maybe"),
          new Column("flag", Kind.BOOLEAN, false),
          new Column("label", Kind.STRING, true));

  static final int ROWS = 2 * ParquetTable.PAGE_ROWS + 12_345;

  /** Writes ROWS rows; with a small row group budget they span several row groups. */
  static void write(Path file, long rowGroupBytes) throws IOException {
    try (ParquetTable t = new ParquetTable(file, "t", COLUMNS, rowGroupBytes)) {
      for (int r = 0; r < ROWS; r++) {
        t.set(0, 10_000_000_000L + r).set(1, r % 1000 - 500).set(2, r * 0.25);
        t.set(3, r % 7 == 0 ? Double.NaN : r / 3.0).set(4, r % 3 == 0);
        if (r % 5 == 0) {
          t.setNull(5);
        } else {
          t.set(5, "row-" + r);
        }
        t.endRow();
      }
    }
  }

  @Test
  void everyValueReadsBackAcrossPagesAndRowGroups() throws IOException {
    for (long budget : new long[] {1, ParquetTable.ROW_GROUP_BYTES}) {
      Path file = tmp.resolve("t" + budget + ".parquet");
      write(file, budget);
      List<Group> rows = read(file);
      assertEquals(ROWS, rows.size());
      for (int r = 0; r < ROWS; r++) {
        Group g = rows.get(r);
        assertEquals(10_000_000_000L + r, g.getLong("id", 0));
        assertEquals(r % 1000 - 500, g.getInteger("small", 0));
        assertEquals(r * 0.25, g.getDouble("x", 0));
        assertEquals(r % 7 == 0 ? 0 : 1, g.getFieldRepetitionCount("maybe"), "row " + r);
        if (r % 7 != 0) {
          assertEquals(r / 3.0, g.getDouble("maybe", 0));
        }
        assertEquals(r % 3 == 0, g.getBoolean("flag", 0), "row " + r);
        assertEquals(r % 5 == 0 ? 0 : 1, g.getFieldRepetitionCount("label"));
        if (r % 5 != 0) {
          assertEquals("row-" + r, g.getString("label", 0));
        }
      }
      List<BlockMetaData> groups = footer(file);
      // a budget of one byte still fills a page per row group
      assertEquals(budget == 1 ? 3 : 1, groups.size());
      ColumnChunkMetaData id = groups.get(0).getColumns().get(0);
      Statistics<?> s = id.getStatistics();
      assertEquals(10_000_000_000L, s.genericGetMin());
      long lastOfGroup = 10_000_000_000L + groups.get(0).getRowCount() - 1;
      assertEquals(lastOfGroup, s.genericGetMax());
      long nulls = 0;
      for (BlockMetaData b : groups) {
        nulls += b.getColumns().get(3).getStatistics().getNumNulls();
      }
      assertEquals((ROWS + 6) / 7, nulls);
    }
  }

  @Test
  void sameRowsSameBytes() throws IOException {
    Path a = tmp.resolve("a.parquet");
    Path b = tmp.resolve("b.parquet");
    write(a, 1);
    write(b, 1);
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
  }

  @Test
  void emptyTableKeepsItsSchema() throws IOException {
    Path file = tmp.resolve("empty.parquet");
    new ParquetTable(file, "t", COLUMNS).close();
    assertTrue(read(file).isEmpty());
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file))) {
      MessageType schema = r.getFooter().getFileMetaData().getSchema();
      assertEquals(COLUMNS.size(), schema.getFieldCount());
      assertFalse(
          schema.getType("label").isRepetition(org.apache.parquet.schema.Type.Repetition.REQUIRED));
    }
  }

  @Test
  void nullInARequiredColumnIsRefused() throws IOException {
    try (ParquetTable t = new ParquetTable(tmp.resolve("r.parquet"), "t", COLUMNS)) {
      assertThrows(IllegalArgumentException.class, () -> t.setNull(0));
    }
  }

  private static List<BlockMetaData> footer(Path file) throws IOException {
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file))) {
      return r.getFooter().getBlocks();
    }
  }

  private static List<Group> read(Path file) throws IOException {
    List<Group> rows = new ArrayList<>();
    ParquetRows.read(file, rows);
    return rows;
  }
}
