package io.llmcap.validate;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import io.llmcap.validate.Validation.Outcome;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes {@code comparison.csv} and {@code summary.csv} of a validation. */
public final class ValidationFiles {
  public static final String COMPARISON = "comparison.csv";
  public static final String SUMMARY = "summary.csv";

  private static final CsvMapper CSV =
      CsvMapper.builder().enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING).build();

  private ValidationFiles() {}

  /** The header of {@code comparison.csv}: id, status, reason, then three columns per metric. */
  public static List<String> comparisonHeader() {
    List<String> h = new ArrayList<>(List.of("id", "status", "reason"));
    for (Metric m : Metric.values()) {
      h.add(m.column() + "_measured");
      h.add(m.column() + "_predicted");
      h.add(m.column() + "_error");
    }
    return h;
  }

  public static void write(Path dir, List<Outcome> outcomes) throws IOException {
    List<List<String>> rows = new ArrayList<>();
    rows.add(comparisonHeader());
    for (Outcome o : outcomes) {
      List<String> r = new ArrayList<>(List.of(o.row().id(), o.status().name(), o.reason()));
      boolean ok = o.status() == Validation.Status.ok;
      for (Metric m : Metric.values()) {
        Double measured = o.measured().get(m);
        r.add(ok && measured != null ? num(measured) : "");
        r.add(ok && measured != null ? num(o.predicted().get(m)) : "");
        r.add(num(o.error(m)));
      }
      rows.add(r);
    }
    csv(dir.resolve(COMPARISON), rows);

    List<List<String>> summary = new ArrayList<>();
    summary.add(List.of("group", "value", "metric", "rows", "median_abs_error", "mean_abs_error"));
    for (Comparison.Line l : Comparison.lines(outcomes)) {
      summary.add(
          List.of(
              l.group(),
              l.value(),
              l.metric().column(),
              Integer.toString(l.rows()),
              num(l.medianAbs()),
              num(l.meanAbs())));
    }
    csv(dir.resolve(SUMMARY), summary);
  }

  private static String num(Double v) {
    return v == null || v.isNaN() ? "" : Double.toString(v);
  }

  private static void csv(Path file, List<List<String>> rows) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        SequenceWriter out = CSV.writer().writeValues(w)) {
      for (List<String> r : rows) {
        out.write(r.toArray(String[]::new));
      }
    }
  }
}
