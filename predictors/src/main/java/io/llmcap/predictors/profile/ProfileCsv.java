package io.llmcap.predictors.profile;

import io.llmcap.base.ConfigException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One profile CSV in memory: the header and the distinct data rows, each with its line number so
 * that errors can say {@code file:line}. Exact duplicate lines are dropped as the reference's
 * {@code drop_duplicates()} does. Cells are parsed on demand, so a bad cell in a row that no filter
 * selects does not matter.
 */
final class ProfileCsv {
  private final Path file;
  private final Map<String, Integer> columns = new HashMap<>();
  // Each row's line and the offsets of its commas: cells are cut out only when read, since a
  // filter reads a handful of the ~60 columns.
  private final List<String> rows = new ArrayList<>();
  private final List<int[]> commas = new ArrayList<>();
  private final List<Integer> lines = new ArrayList<>();

  private ProfileCsv(Path file) {
    this.file = file;
  }

  static ProfileCsv read(Path file) {
    ProfileCsv csv = new ProfileCsv(file);
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String header = in.readLine();
      if (header == null) {
        throw new ConfigException(file.toString(), "empty file; expected a CSV header");
      }
      String[] names = split(header);
      for (int i = 0; i < names.length; i++) {
        csv.columns.putIfAbsent(names[i], i);
      }
      Set<String> seen = new LinkedHashSet<>();
      int lineNo = 1;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lineNo++;
        if (line.isBlank() || !seen.add(line)) {
          continue;
        }
        csv.rows.add(line);
        csv.commas.add(commas(line));
        csv.lines.add(lineNo);
      }
    } catch (IOException e) {
      throw new ConfigException(file.toString(), "cannot read: " + e.getMessage());
    }
    return csv;
  }

  private static String[] split(String line) {
    String[] cells = line.split(",", -1);
    for (int i = 0; i < cells.length; i++) {
      cells[i] = unquote(cells[i]);
    }
    return cells;
  }

  private static String unquote(String cell) {
    String c = cell.trim();
    if (c.length() >= 2 && c.charAt(0) == '"' && c.charAt(c.length() - 1) == '"') {
      c = c.substring(1, c.length() - 1);
    }
    return c;
  }

  private static int[] commas(String line) {
    int n = 0;
    for (int i = 0; i < line.length(); i++) {
      if (line.charAt(i) == ',') {
        n++;
      }
    }
    int[] at = new int[n];
    for (int i = 0, k = 0; i < line.length(); i++) {
      if (line.charAt(i) == ',') {
        at[k++] = i;
      }
    }
    return at;
  }

  Path file() {
    return file;
  }

  int rowCount() {
    return rows.size();
  }

  boolean has(String column) {
    return columns.containsKey(column);
  }

  /** The index of a column the caller cannot do without. */
  int require(String column) {
    Integer i = columns.get(column);
    if (i == null) {
      throw new ConfigException(
          file.toString(), "missing column '" + column + "' (the reference profile format has it)");
    }
    return i;
  }

  /** Index of an optional column, or -1. */
  int optional(String column) {
    return columns.getOrDefault(column, -1);
  }

  String text(int row, int col) {
    int[] at = commas.get(row);
    if (col > at.length) {
      return "";
    }
    String line = rows.get(row);
    int from = col == 0 ? 0 : at[col - 1] + 1;
    int to = col == at.length ? line.length() : at[col];
    return unquote(line.substring(from, to));
  }

  boolean isEmpty(int row, int col) {
    String t = text(row, col);
    return t.isEmpty() || t.equalsIgnoreCase("nan");
  }

  double number(int row, int col) {
    String t = text(row, col);
    try {
      double v = Double.parseDouble(t);
      if (!Double.isNaN(v)) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below with the location
    }
    throw new ConfigException(
        where(row), "column '" + columnName(col) + "' has '" + t + "'; expected a number");
  }

  /** A time in milliseconds: a number that is not negative. */
  double time(int row, int col) {
    double v = number(row, col);
    if (v < 0) {
      throw new ConfigException(
          where(row),
          "column '" + columnName(col) + "' has negative time " + text(row, col) + " ms");
    }
    return v;
  }

  /** Python-style booleans as pandas writes them (True/False), or 1/0. */
  boolean bool(int row, int col) {
    String t = text(row, col);
    if (t.equalsIgnoreCase("true") || t.equals("1")) {
      return true;
    }
    if (t.equalsIgnoreCase("false") || t.equals("0")) {
      return false;
    }
    throw new ConfigException(
        where(row), "column '" + columnName(col) + "' has '" + t + "'; expected True or False");
  }

  String where(int row) {
    return file + ":" + lines.get(row);
  }

  private String columnName(int col) {
    for (Map.Entry<String, Integer> e : columns.entrySet()) {
      if (e.getValue() == col) {
        return e.getKey();
      }
    }
    return "#" + col;
  }
}
