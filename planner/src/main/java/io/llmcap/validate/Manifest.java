package io.llmcap.validate;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.llmcap.base.ConfigException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A serving-experiment manifest: a CSV with one row per measured operating point (engine, model,
 * GPU, parallelism, server flags, arrival process, request shape, measured latencies), as {@code
 * ../shared/data/real-serving/README.md} defines it. Extra columns are ignored.
 */
public record Manifest(Path file, List<String> columns, List<ManifestRow> rows) {
  /** Columns every manifest has; a row also needs {@code rate} or {@code concurrency}. */
  public static final List<String> REQUIRED =
      List.of("id", "engine", "model", "gpu", "tp", "arrival", "input_tokens", "output_tokens");

  private static final CsvMapper CSV = new CsvMapper();

  /**
   * Reads the manifest.
   *
   * @throws ConfigException when the file cannot be read, is not CSV, has no rows, or lacks a
   *     required column
   */
  public static Manifest read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("manifest", "no such file: " + file);
    }
    CsvSchema schema = CsvSchema.emptySchema().withHeader();
    List<String> columns;
    List<ManifestRow> rows = new ArrayList<>();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        MappingIterator<Map<String, String>> it =
            CSV.readerFor(Map.class)
                .with(schema)
                .with(CsvParser.Feature.TRIM_SPACES)
                .readValues(in)) {
      CsvSchema header = (CsvSchema) it.getParser().getSchema();
      columns = new ArrayList<>(header.getColumnNames());
      while (it.hasNextValue()) {
        int line = it.getCurrentLocation().getLineNr();
        Map<String, String> raw = it.nextValue();
        Map<String, String> cells = new LinkedHashMap<>();
        raw.forEach(
            (k, v) -> {
              if (v != null && !v.isBlank()) {
                cells.put(k, v.strip());
              }
            });
        if (!cells.isEmpty()) {
          rows.add(new ManifestRow(line, cells));
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(
          "manifest", "cannot read " + file + " as CSV with a header line: " + e.getMessage());
    }
    List<String> missing = new ArrayList<>();
    for (String c : REQUIRED) {
      if (!columns.contains(c)) {
        missing.add(c);
      }
    }
    if (!columns.contains("rate") && !columns.contains("concurrency")) {
      missing.add("rate or concurrency");
    }
    if (!missing.isEmpty()) {
      throw new ConfigException(
          "manifest",
          file
              + " lacks required column(s) "
              + String.join(", ", missing)
              + "; required: "
              + String.join(", ", REQUIRED)
              + ", and rate or concurrency");
    }
    if (rows.isEmpty()) {
      throw new ConfigException("manifest", file + " has a header but no rows");
    }
    return new Manifest(file, List.copyOf(columns), List.copyOf(rows));
  }
}
