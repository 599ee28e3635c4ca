package io.llmcap.search;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The columns of a result dataset, read from a result record's components in order (or, for the
 * {@code deployments} dataset, from the search's dimensions and {@link DeploymentMetrics}: see
 * {@link DeploymentResult#columns}): one source of truth for the Parquet schema, the CSV twins and
 * the README's schema table.
 */
public final class ResultColumns {
  private ResultColumns() {}

  /**
   * One column: snake_case name and Java type (String, Integer, Long, Double or Boolean). Every
   * column may be null except those of primitive components; a NaN metric is written as null.
   */
  public record Column(String name, Class<?> type, boolean nullable) {}

  public static List<Column> of(Class<? extends Record> type) {
    List<Column> out = new ArrayList<>();
    for (RecordComponent c : type.getRecordComponents()) {
      Class<?> t = c.getType();
      boolean primitive = t.isPrimitive();
      out.add(new Column(snake(c.getName()), box(t), !primitive || t == double.class));
    }
    return out;
  }

  /** The record's values in column order, NaN as null. */
  public static Object[] values(Record r) {
    RecordComponent[] cs = r.getClass().getRecordComponents();
    Object[] out = new Object[cs.length];
    for (int i = 0; i < cs.length; i++) {
      try {
        Object v = cs[i].getAccessor().invoke(r);
        out[i] = v instanceof Double d && d.isNaN() ? null : v;
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException(e);
      }
    }
    return out;
  }

  /** {@code v} as a value of {@code type} (a number of another width converted), NaN as null. */
  public static Object coerce(Object v, Class<?> type) {
    if (v instanceof Double d && d.isNaN()) {
      return null;
    }
    if (v instanceof Number n && !type.isInstance(v)) {
      if (type == Integer.class) {
        return n.intValue();
      }
      if (type == Long.class) {
        return n.longValue();
      }
      if (type == Double.class) {
        return n.doubleValue();
      }
    }
    return v;
  }

  /** Writes a CSV with a header: plain values, empty for null, strings quoted when needed. */
  public static <T extends Record> void writeCsv(Path file, Class<T> type, List<T> rows) {
    writeCsv(file, of(type), rows.stream().map(ResultColumns::values).toList());
  }

  /** Writes a CSV of {@code rows}, each with one value per column, with a header. */
  public static void writeCsv(Path file, List<Column> columns, List<Object[]> rows) {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write(String.join(",", columns.stream().map(Column::name).toList()));
      w.write('\n');
      for (Object[] v : rows) {
        for (int i = 0; i < v.length; i++) {
          if (i > 0) {
            w.write(',');
          }
          w.write(cell(v[i]));
        }
        w.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String cell(Object v) {
    if (v == null) {
      return "";
    }
    String s = v.toString();
    if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0) {
      return '"' + s.replace("\"", "\"\"") + '"';
    }
    return s;
  }

  static String snake(String camel) {
    StringBuilder sb = new StringBuilder();
    for (char ch : camel.toCharArray()) {
      if (Character.isUpperCase(ch)) {
        sb.append('_').append(Character.toLowerCase(ch));
      } else {
        sb.append(ch);
      }
    }
    return sb.toString().toLowerCase(Locale.ROOT);
  }

  private static Class<?> box(Class<?> t) {
    if (t == int.class) {
      return Integer.class;
    }
    if (t == long.class) {
      return Long.class;
    }
    if (t == double.class) {
      return Double.class;
    }
    if (t == boolean.class) {
      return Boolean.class;
    }
    return t;
  }
}
