package io.llmcap.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmcap.parquet.ParquetRows;
import io.llmcap.report.ReportFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every output format of a run folder read back on a small run: the default Parquet tables hold the
 * same rows and values as their CSV twins (metrics.format=csv), typed; the Chrome trace is cut to
 * metrics.trace_batches with a note, or whole and gzip-compressed with 0; a trace replay (whose
 * size is unknown before it runs) gets its report.
 */
class OutputFormatsTest {
  @TempDir static Path tmp;
  static Path parquet;
  static Path csv;

  static final String[] SMALL = {
    "--set", "predictor.type=roofline", "--num-requests", "80", "--replicas", "2", "--quiet"
  };

  @BeforeAll
  static void simulate() {
    parquet = tmp.resolve("parquet");
    csv = tmp.resolve("csv");
    Cli.run(args("simulate", "--out", parquet.toString(), "--no-report")).ok();
    Cli.run(args("simulate", "--out", csv.toString(), "--no-report", "--set", "metrics.format=csv"))
        .ok();
  }

  @Test
  void defaultFolderHasParquetTablesAndNoCsv() throws IOException {
    Set<String> names = names(parquet);
    for (String f :
        List.of(
            "request_metrics.parquet",
            "batch_metrics.parquet",
            "replica_timeline.parquet",
            "chrome_trace.json",
            "summary.json",
            "config.yaml")) {
      assertTrue(names.contains(f), "missing " + f + " in " + names);
    }
    assertFalse(names.stream().anyMatch(n -> n.endsWith(".csv")), names.toString());
    assertFalse(names.contains("trace_note.txt"), "a small trace is whole");
    // the summary does not depend on the format
    assertEquals(
        Files.readString(csv.resolve("summary.json")),
        Files.readString(parquet.resolve("summary.json")));
  }

  @Test
  void requestMetricsParquetEqualsCsv() throws IOException {
    sameTable("request_metrics");
  }

  @Test
  void batchMetricsParquetEqualsCsv() throws IOException {
    sameTable("batch_metrics");
  }

  @Test
  void replicaTimelineParquetEqualsCsv() throws IOException {
    sameTable("replica_timeline");
  }

  @Test
  void parquetFilesAreDeterministic() throws IOException {
    Path again = tmp.resolve("again");
    Cli.run(args("simulate", "--out", again.toString(), "--no-report")).ok();
    for (String f :
        List.of("request_metrics.parquet", "batch_metrics.parquet", "replica_timeline.parquet")) {
      assertArrayEquals(
          Files.readAllBytes(parquet.resolve(f)), Files.readAllBytes(again.resolve(f)), f);
    }
  }

  @Test
  void traceIsCutToTraceBatchesWithANote() throws IOException {
    Path cut = tmp.resolve("cut");
    Cli.run(args("simulate", "--out", cut.toString(), "--set", "metrics.trace_batches=5")).ok();
    JsonNode events = new ObjectMapper().readTree(cut.resolve("chrome_trace.json").toFile());
    Set<Long> batches = new HashSet<>();
    events.get("traceEvents").forEach(e -> batches.add(e.at("/args/batch_id").asLong()));
    assertEquals(5, batches.size(), batches.toString());
    String note = Files.readString(cut.resolve("trace_note.txt"));
    assertTrue(note.contains("first 5 of ") && note.contains("metrics.trace_batches=0"), note);
    String html = Files.readString(cut.resolve("report.html"));
    assertTrue(html.contains("holds the first 5 of"), "the report says the trace was cut");
    assertTrue(ReportFiles.references(html).contains("trace_note.txt"), "links the note");
  }

  @Test
  void fullTraceIsGzipped() throws IOException {
    Path full = tmp.resolve("full");
    Cli.run(
            args(
                "simulate",
                "--out",
                full.toString(),
                "--no-report",
                "--set",
                "metrics.trace_batches=0"))
        .ok();
    assertFalse(Files.exists(full.resolve("chrome_trace.json")));
    JsonNode events;
    try (InputStream in =
        new GZIPInputStream(Files.newInputStream(full.resolve("chrome_trace.json.gz")))) {
      events = new ObjectMapper().readTree(in).get("traceEvents");
    }
    JsonNode whole = new ObjectMapper().readTree(parquet.resolve("chrome_trace.json").toFile());
    assertEquals(whole.get("traceEvents"), events, "the same events as the uncut default trace");
    long batches = Cli.lines(csv.resolve("batch_metrics.csv")).size() - 1L;
    assertEquals(batches, events.size(), "one event per batch (PP 1)");
  }

  @Test
  void badFormatIsAConfigError() {
    Cli.Result r =
        Cli.run(
            args(
                "simulate",
                "--out",
                tmp.resolve("bad").toString(),
                "--set",
                "metrics.format=xlsx"));
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains("metrics.format") && r.err().contains("parquet, csv"), r.err());
  }

  @Test
  void replayedTraceGetsItsReport(@TempDir Path dir) throws IOException {
    StringBuilder sb =
        new StringBuilder("request_id,arrived_at,num_prefill_tokens,num_decode_tokens\n");
    for (int i = 0; i < 128; i++) {
      sb.append(i).append(',').append(0.1 * i).append(',');
      sb.append(64 + (i * 131) % 1000).append(',').append(1 + (i * 17) % 200).append('\n');
    }
    Cli.write(dir.resolve("trace.csv"), sb.toString());
    Path cfg =
        Cli.write(
            dir.resolve("run.yaml"),
            "name: replay\npredictor: {type: roofline}\nworkload: {trace: {file: trace.csv}}\n");
    Path out = dir.resolve("run");
    Cli.Result r = Cli.run("simulate", "--config", cfg.toString(), "--out", out.toString()).ok();
    assertFalse(r.out().contains("no report"), r.out());
    List<String> pngs = ReportFiles.checkPage(out.resolve("report.html"));
    assertEquals(9, pngs.size(), pngs.toString());
    assertEquals(128, Cli.json(out.resolve("summary.json")).get("requests_completed").asInt());
  }

  // ------------------------------------------------------------------------------ helpers

  /** The Parquet table equals its CSV twin: same columns in order, typed, same values. */
  private static void sameTable(String name) throws IOException {
    List<String> lines = Cli.lines(csv.resolve(name + ".csv"));
    String[] header = lines.get(0).split(",");
    List<Group> rows = new ArrayList<>();
    MessageType schema = read(parquet.resolve(name + ".parquet"), rows);
    assertEquals(List.of(header), schema.getFields().stream().map(Type::getName).toList());
    assertEquals(lines.size() - 1, rows.size(), name + " rows");
    for (int i = 0; i < rows.size(); i++) {
      String[] cells = lines.get(i + 1).split(",", -1);
      Group g = rows.get(i);
      for (int c = 0; c < header.length; c++) {
        PrimitiveType t = schema.getType(c).asPrimitiveType();
        String where = name + " row " + i + " " + header[c];
        if (g.getFieldRepetitionCount(c) == 0) {
          assertEquals("", cells[c], where + ": null in Parquet, empty in CSV");
          continue;
        }
        switch (t.getPrimitiveTypeName()) {
          case INT32 -> assertEquals(Integer.parseInt(cells[c]), g.getInteger(c, 0), where);
          case INT64 -> assertEquals(Long.parseLong(cells[c]), g.getLong(c, 0), where);
          case DOUBLE -> assertEquals(Double.parseDouble(cells[c]), g.getDouble(c, 0), where);
          default -> throw new AssertionError(where + ": unexpected type " + t);
        }
      }
    }
  }

  private static MessageType read(Path file, List<Group> rows) throws IOException {
    MessageType schema = ParquetRows.read(file, rows);
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file))) {
      assertEquals(
          "ZSTD",
          r.getFooter().getBlocks().get(0).getColumns().get(0).getCodec().name(),
          "compressed");
    }
    return schema;
  }

  private static Set<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return new HashSet<>(s.map(p -> p.getFileName().toString()).toList());
    }
  }

  private static String[] args(String... head) {
    String[] all = new String[head.length + SMALL.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(SMALL, 0, all, head.length, SMALL.length);
    return all;
  }
}
