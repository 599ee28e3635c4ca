package io.llmcap.search;

import io.llmcap.parquet.ParquetTable;
import io.llmcap.search.ResultColumns.Column;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a result dataset as Spark's Parquet writer lays it out, from the driver with parquet-mr
 * (no Spark SQL job: planning, code generation and a write job cost seconds for a few hundred
 * rows): {@code <dataset>/[col=value/...]part-00000.zstd.parquet} and an empty {@code _SUCCESS},
 * partition columns only in the Hive-style folder names (escaped as Spark escapes them), the other
 * columns in order with the schema's types and nullability. Rows keep their given order within a
 * folder, and the files carry no time stamp or random name, so the same rows give the same bytes.
 */
final class ResultParquet {
  private ResultParquet() {}

  static final String FILE = "part-00000.zstd.parquet";
  static final String SUCCESS = "_SUCCESS";

  /** The name Spark's writer gives the files' schema (no reader uses it). */
  static final String MESSAGE = "spark_schema";

  /** What Spark (and Hive) name the folder of a null or empty partition value. */
  static final String DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__";

  /**
   * Writes {@code rows} (one value per column of {@code columns}) into the folder {@code dir},
   * partitioned by {@code partitionBy} (column names, outermost first; none: one file).
   */
  static void write(Path dir, List<Column> columns, List<Object[]> rows, List<String> partitionBy) {
    List<Integer> keys = new ArrayList<>();
    for (String p : partitionBy) {
      int k = columns.stream().map(Column::name).toList().indexOf(p);
      if (k < 0) {
        throw new IllegalArgumentException("no partition column " + p);
      }
      keys.add(k);
    }
    List<Integer> data = new ArrayList<>();
    List<ParquetTable.Column> fileColumns = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      if (!keys.contains(i)) {
        Column c = columns.get(i);
        data.add(i);
        fileColumns.add(new ParquetTable.Column(c.name(), kind(c.type()), c.nullable()));
      }
    }
    // sorted folders: the order Spark's writer creates them in; the content is the same either way
    Map<String, List<Object[]>> byFolder = new TreeMap<>();
    for (Object[] row : rows) {
      StringBuilder folder = new StringBuilder();
      for (int j = 0; j < keys.size(); j++) {
        folder.append(partitionBy.get(j)).append('=').append(escape(row[keys.get(j)])).append('/');
      }
      byFolder.computeIfAbsent(folder.toString(), f -> new ArrayList<>()).add(row);
    }
    if (keys.isEmpty() && byFolder.isEmpty()) {
      // Spark writes the schema of an unpartitioned dataset even without rows
      byFolder.put("", List.of());
    }
    try {
      Files.createDirectories(dir);
      for (Map.Entry<String, List<Object[]>> e : byFolder.entrySet()) {
        Path folder = dir.resolve(e.getKey());
        Files.createDirectories(folder);
        try (ParquetTable t = new ParquetTable(folder.resolve(FILE), MESSAGE, fileColumns)) {
          for (Object[] row : e.getValue()) {
            for (int i = 0; i < data.size(); i++) {
              t.setValue(i, row[data.get(i)]);
            }
            t.endRow();
          }
        }
      }
      Files.createFile(dir.resolve(SUCCESS));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ParquetTable.Kind kind(Class<?> t) {
    if (t == String.class) {
      return ParquetTable.Kind.STRING;
    }
    if (t == Integer.class) {
      return ParquetTable.Kind.INT;
    }
    if (t == Long.class) {
      return ParquetTable.Kind.LONG;
    }
    if (t == Double.class) {
      return ParquetTable.Kind.DOUBLE;
    }
    if (t == Boolean.class) {
      return ParquetTable.Kind.BOOLEAN;
    }
    throw new IllegalArgumentException("no Parquet type for " + t);
  }

  /**
   * A partition value as a folder name, as Spark's {@code ExternalCatalogUtils.escapePathName}
   * writes it on Linux (control characters, DEL and the punctuation of {@link #needsEscape} as
   * {@code %XX}: a model's '/' becomes {@code %2F}), so Spark and pyarrow read back the same value;
   * null or empty as {@value #DEFAULT_PARTITION}.
   */
  static String escape(Object value) {
    String s = value == null ? "" : value.toString();
    if (s.isEmpty()) {
      return DEFAULT_PARTITION;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (needsEscape(c)) {
        b.append('%').append(String.format(Locale.ROOT, "%02X", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** The characters Spark escapes in partition folder names (on Linux). */
  private static boolean needsEscape(char c) {
    return (c >= '\u0001' && c <= '\u001F') || c == '\u007F' || "\"#%'*/:=?\\{[]^".indexOf(c) >= 0;
  }
}
