package io.llmcap.report;

import io.llmcap.output.RunWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.knowm.xchart.XYChart;

/**
 * The run report's "prefix hit rate over time": of the prompt tokens the batches that ended in each
 * span of simulated time took, the share read from the prefix cache, from the run's batch metrics
 * ({@code batch_metrics.parquet} or {@code .csv}: {@code completed_at}, {@code
 * cached_prompt_tokens} and the computed {@code prefill_tokens}; prefix-aware fleets write the
 * cached column, {@code Summary#reportsPrefixFleet}). Drawn only when those columns exist and the
 * cache produced a hit; the file is streamed, so memory stays flat however long the run.
 */
final class PrefixHitsOverTime {
  private PrefixHitsOverTime() {}

  static final String TIME = "completed_at";
  static final String CACHED = "cached_prompt_tokens";
  static final String COMPUTED = "prefill_tokens";
  private static final List<String> COLUMNS = List.of(TIME, CACHED, COMPUTED);

  /** Cached and computed prompt tokens per span of {@code width} simulated seconds. */
  private static final class Spans {
    final double width;
    final double[] cached;
    final double[] computed;

    Spans(double makespan, int spans) {
      width = makespan > 0 ? makespan / spans : 1;
      cached = new double[spans];
      computed = new double[spans];
    }

    void add(double t, double cachedTokens, double computedTokens) {
      int i = Math.min(cached.length - 1, Math.max(0, (int) (t / width)));
      cached[i] += cachedTokens;
      computed[i] += computedTokens;
    }
  }

  /**
   * The figure, or null without batch metrics, without the columns, or without a single hit. {@code
   * makespan}: the run's simulated seconds (the spans cover them).
   */
  static Figure figure(Path dir, double makespan) throws IOException {
    Spans s = new Spans(makespan, Charts.MAX_POINTS / 4);
    boolean read;
    if (Files.isRegularFile(dir.resolve(RunWriter.BATCHES_PARQUET))) {
      read = parquet(dir.resolve(RunWriter.BATCHES_PARQUET), s);
    } else if (Files.isRegularFile(dir.resolve(RunWriter.BATCHES))) {
      read = csv(dir.resolve(RunWriter.BATCHES), s);
    } else {
      return null;
    }
    double cached = 0;
    double prompt = 0;
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (int i = 0; i < s.cached.length; i++) {
      double p = s.cached[i] + s.computed[i];
      cached += s.cached[i];
      prompt += p;
      if (p > 0) {
        xs.add((i + 0.5) * s.width);
        ys.add(100 * s.cached[i] / p);
      }
    }
    if (!read || cached == 0) {
      return null;
    }
    XYChart c =
        Charts.xy(
            "Prefix hit rate over time",
            "simulated time (s)",
            "prompt tokens from the prefix cache (%)");
    c.getStyler().setYAxisMin(0.0).setYAxisMax(100.0).setXAxisMin(0.0);
    Charts.line(
        c,
        "all replicas",
        xs.stream().mapToDouble(Double::doubleValue).toArray(),
        ys.stream().mapToDouble(Double::doubleValue).toArray(),
        Charts.color(0),
        Charts.SOLID);
    return new Figure(
        "prefix_hit_rate.png",
        c,
        String.format(
            Locale.ROOT,
            "Of the prompt tokens of the batches that ended in each span of %s s of simulated time,"
                + " the share taken from the prefix cache (cached over cached plus computed; a"
                + " request's cached tokens count in the batch that admitted it). The whole run:"
                + " %.1f%%.",
            Html.num(s.width),
            100 * cached / prompt));
  }

  /** Reads the columns from a CSV (no quoted cells); false when one is missing. */
  private static boolean csv(Path file, Spans s) throws IOException {
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String header = r.readLine();
      if (header == null) {
        return false;
      }
      List<String> names = List.of(header.split(","));
      int[] at = new int[COLUMNS.size()];
      for (int i = 0; i < at.length; i++) {
        at[i] = names.indexOf(COLUMNS.get(i));
        if (at[i] < 0) {
          return false;
        }
      }
      String line;
      while ((line = r.readLine()) != null) {
        String[] cells = line.split(",", -1);
        s.add(
            Double.parseDouble(cells[at[0]]),
            Double.parseDouble(cells[at[1]]),
            Double.parseDouble(cells[at[2]]));
      }
    }
    return true;
  }

  /** Reads only the three columns of the Parquet file; false when one is missing. */
  private static boolean parquet(Path file, Spans s) throws IOException {
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file))) {
      MessageType schema = r.getFooter().getFileMetaData().getSchema();
      List<Type> fields = new ArrayList<>();
      for (String c : COLUMNS) {
        if (!schema.containsField(c)) {
          return false;
        }
        fields.add(schema.getType(c));
      }
      MessageType projection = new MessageType(schema.getName(), fields);
      r.setRequestedSchema(projection);
      PageReadStore pages;
      while ((pages = r.readNextRowGroup()) != null) {
        RecordReader<Group> rows =
            new ColumnIOFactory()
                .getColumnIO(projection, schema)
                .getRecordReader(pages, new GroupRecordConverter(projection));
        for (long i = 0; i < pages.getRowCount(); i++) {
          Group g = rows.read();
          s.add(number(g, 0), number(g, 1), number(g, 2));
        }
      }
    }
    return true;
  }

  private static double number(Group g, int field) {
    PrimitiveType t = g.getType().getType(field).asPrimitiveType();
    return switch (t.getPrimitiveTypeName()) {
      case INT32 -> g.getInteger(field, 0);
      case INT64 -> g.getLong(field, 0);
      default -> g.getDouble(field, 0);
    };
  }
}
