package io.llmcap.workload;

import io.llmcap.base.ConfigException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a CSV file row by row, addressing cells by header name. Every problem becomes a {@link
 * ConfigException} whose field is {@code file:line}, so users can jump straight to the bad cell.
 * Quoting is limited to stripping quotes around a whole cell; the supported traces need no more.
 */
final class Csv implements AutoCloseable {
  private final String file;
  private final BufferedReader reader;
  private final List<String> header;
  private String[] cells;
  private int line = 1;

  private Csv(String file, BufferedReader reader, List<String> header) {
    this.file = file;
    this.reader = reader;
    this.header = header;
  }

  /** Opens {@code path} and reads its header line. */
  static Csv open(Path path) {
    String file = path.toString();
    try {
      BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8);
      String first = reader.readLine();
      if (first == null) {
        reader.close();
        throw new ConfigException(file, "the file is empty; expected a CSV header line");
      }
      // Excel and some exporters write a byte-order mark before the first header name.
      if (first.startsWith("\uFEFF")) {
        first = first.substring(1);
      }
      return new Csv(file, reader, Arrays.asList(split(first)));
    } catch (IOException e) {
      throw new ConfigException(file, "cannot read the file: " + e.getMessage(), e);
    }
  }

  /** The header names, in file order. */
  List<String> header() {
    return header;
  }

  boolean has(String column) {
    return header.contains(column);
  }

  /** The index of {@code column}, or an error naming the header's actual columns. */
  int column(String column) {
    int i = header.indexOf(column);
    if (i < 0) {
      throw new ConfigException(
          file + ":1", "missing column '" + column + "' in the header; found: " + header);
    }
    return i;
  }

  /** Advances to the next non-blank line; false at the end of the file. */
  boolean next() {
    try {
      String text;
      do {
        text = reader.readLine();
        line++;
        if (text == null) {
          return false;
        }
      } while (text.isBlank());
      cells = split(text);
      return true;
    } catch (IOException e) {
      throw new ConfigException(where(), "cannot read the file: " + e.getMessage(), e);
    }
  }

  /** {@code file:line} of the current row. */
  String where() {
    return file + ":" + line;
  }

  /** True when the current row's cell in {@code column} is empty or missing. */
  boolean empty(int column) {
    return column >= cells.length || cells[column].isEmpty();
  }

  /** The current row's cell in {@code column}, never empty. */
  String text(int column) {
    if (column >= cells.length || cells[column].isEmpty()) {
      throw new ConfigException(where(), "empty cell in column '" + header.get(column) + "'");
    }
    return cells[column];
  }

  /** The cell as a finite number that is not negative. */
  double nonNegative(int column) {
    String text = text(column);
    double value;
    try {
      value = Double.parseDouble(text);
    } catch (NumberFormatException e) {
      value = Double.NaN;
    }
    if (!Double.isFinite(value)) {
      throw new ConfigException(
          where(), "column '" + header.get(column) + "': '" + text + "' is not a number");
    }
    if (value < 0) {
      throw new ConfigException(
          where(), "column '" + header.get(column) + "': negative value " + text);
    }
    return value;
  }

  /** The cell as a token count: a number above zero, since every request has a token each way. */
  double tokens(int column) {
    double value = nonNegative(column);
    if (value == 0) {
      throw new ConfigException(
          where(),
          "column '"
              + header.get(column)
              + "': value 0 is not allowed; token counts must be at least 1");
    }
    return value;
  }

  /** An error about the whole file, such as having no data rows. */
  ConfigException fileError(String message) {
    return new ConfigException(file, message);
  }

  @Override
  public void close() {
    try {
      reader.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String[] split(String text) {
    String[] cells = text.split(",", -1);
    for (int i = 0; i < cells.length; i++) {
      String c = cells[i].strip();
      if (c.length() >= 2 && c.startsWith("\"") && c.endsWith("\"")) {
        c = c.substring(1, c.length() - 1).strip();
      }
      cells[i] = c;
    }
    return cells;
  }
}
