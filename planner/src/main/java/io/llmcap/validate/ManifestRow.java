package io.llmcap.validate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One measured operating point of a serving-experiment manifest: its cells by column name (blank
 * cells absent) and its line in the file. Typed getters throw {@link RowError} naming the column,
 * the value and what is allowed, which marks only this row as failed.
 */
public record ManifestRow(int line, Map<String, String> cells) {
  public ManifestRow {
    cells = Map.copyOf(cells);
  }

  public String id() {
    return cells.getOrDefault("id", "");
  }

  /** The cell, or null when the column is missing or the cell blank. */
  public String text(String column) {
    return cells.get(column);
  }

  /** The cell as a number, or null when blank. */
  public Double number(String column) {
    String v = cells.get(column);
    if (v == null) {
      return null;
    }
    try {
      double d = Double.parseDouble(v);
      if (Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new RowError(column, "'" + v + "' is not a finite number");
  }

  /** The cell as a positive number, or null when blank. */
  public Double positive(String column) {
    Double d = number(column);
    if (d != null && !(d > 0)) {
      throw new RowError(column, "'" + text(column) + "' must be above 0");
    }
    return d;
  }

  /** The cell as a whole number of at least {@code min}, or {@code fallback} when blank. */
  public int integer(String column, int min, Integer fallback) {
    String v = cells.get(column);
    if (v == null) {
      if (fallback == null) {
        throw new RowError(column, "is required");
      }
      return fallback;
    }
    Double d = number(column);
    if (d != Math.rint(d) || d < min || d > Integer.MAX_VALUE) {
      throw new RowError(column, "'" + v + "' must be a whole number ≥ " + min);
    }
    return d.intValue();
  }

  /** A true/false cell ({@code true}, {@code false}, 1, 0), or {@code fallback} when blank. */
  public boolean bool(String column, boolean fallback) {
    String v = cells.get(column);
    if (v == null) {
      return fallback;
    }
    return switch (v.toLowerCase(java.util.Locale.ROOT)) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw new RowError(column, "'" + v + "' must be true or false");
    };
  }

  /**
   * The row's flags ({@code moe}, {@code fp8}, {@code overloaded(...)}), each by its name without
   * the parenthesised detail, in order, without repeats.
   */
  public List<String> flags() {
    List<String> out = new ArrayList<>();
    String v = cells.get("flags");
    if (v == null) {
      return out;
    }
    for (String f : v.split(";")) {
      String name = f.strip();
      int paren = name.indexOf('(');
      if (paren >= 0) {
        name = name.substring(0, paren).strip();
      }
      if (!name.isEmpty() && !out.contains(name)) {
        out.add(name);
      }
    }
    return out;
  }

  /** A mistake in one cell of one row: the row is reported as failed with this reason. */
  public static final class RowError extends RuntimeException {
    public RowError(String column, String message) {
      super(column + ": " + message);
    }
  }
}
