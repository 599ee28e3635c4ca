package io.llmcap.metrics;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A CSV file written row by row as a run produces them: the streaming writers' one output. */
final class CsvRows implements AutoCloseable {
  private final BufferedWriter out;

  CsvRows(Path file, String header) {
    try {
      out = Files.newBufferedWriter(file);
      out.write(header);
      out.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Appends one row; {@code row} ends with its newline. */
  void write(CharSequence row) {
    try {
      out.append(row);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
