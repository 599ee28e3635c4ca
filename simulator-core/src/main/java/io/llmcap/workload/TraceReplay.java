package io.llmcap.workload;

import io.llmcap.base.ConfigException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Reads a trace to replay: arrival times and lengths of every request, from one CSV (or, in the
 * Mooncake format, JSONL that also names each prompt's content).
 */
public final class TraceReplay {
  private TraceReplay() {}

  /** The CSV layouts understood. */
  public enum Format {
    /** Decide from the header. */
    AUTO,
    /** {@code arrived_at,num_prefill_tokens,num_decode_tokens} (seconds); other columns ignored. */
    LLMCAP,
    /**
     * The Azure LLM inference trace 2023: {@code TIMESTAMP,ContextTokens,GeneratedTokens}, the
     * timestamp like {@code 2023-11-16 18:15:46.6805900}.
     */
    AZURE,
    /**
     * The Mooncake trace: JSONL rows {@code {"timestamp": ms, "input_length", "output_length",
     * "hash_ids"}}, read by {@link MooncakeTrace}; its requests carry their prompts' content.
     */
    MOONCAKE
  }

  private static final DateTimeFormatter AZURE_TIME =
      new DateTimeFormatterBuilder()
          .appendPattern("yyyy-MM-dd HH:mm:ss")
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true)
          .optionalEnd()
          .toFormatter(Locale.ROOT);

  /** One parsed row; Azure times are seconds after the first row's whole second. */
  private record Row(double time, double prefill, double decode) {}

  /**
   * All requests of the trace with ids 0, 1, 2, … in arrival order. Arrival times are multiplied by
   * {@code timeScale} (Azure times first become seconds since the earliest row); lengths are
   * scaled, truncated to ints, raised to at least 1 and, when over {@code maxTokens}, cut from the
   * prompt only (the reference's replay). Rows out of arrival order are sorted stably, since the
   * simulator consumes arrivals in order; the reference keeps file order.
   */
  public static List<RequestSpec> read(
      Path file,
      Format format,
      double timeScale,
      double prefillScale,
      double decodeScale,
      int maxTokens) {
    if (resolve(file, format) == Format.MOONCAKE) {
      return MooncakeTrace.read(file, timeScale, prefillScale, decodeScale, maxTokens);
    }
    List<Row> rows = new ArrayList<>();
    boolean azure;
    try (Csv csv = Csv.open(file)) {
      azure = (format == Format.AUTO ? detect(csv) : format) == Format.AZURE;
      int t = csv.column(azure ? "TIMESTAMP" : "arrived_at");
      int p = csv.column(azure ? "ContextTokens" : "num_prefill_tokens");
      int d = csv.column(azure ? "GeneratedTokens" : "num_decode_tokens");
      long base = Long.MIN_VALUE;
      while (csv.next()) {
        double time;
        if (azure) {
          LocalDateTime at = azureTime(csv, t);
          // Seconds as a double lose the 100 ns resolution at epoch scale; offsets keep it.
          long second = at.toEpochSecond(ZoneOffset.UTC);
          if (base == Long.MIN_VALUE) {
            base = second;
          }
          time = (second - base) + at.getNano() * 1e-9;
        } else {
          time = csv.nonNegative(t);
        }
        rows.add(new Row(time, csv.tokens(p), csv.tokens(d)));
      }
      if (rows.isEmpty()) {
        throw csv.fileError("the trace has no data rows");
      }
    }
    rows.sort(Comparator.comparingDouble(Row::time));
    double origin = azure ? rows.get(0).time() : 0;
    List<RequestSpec> requests = new ArrayList<>(rows.size());
    for (Row r : rows) {
      Lengths l =
          LengthClip.prefillOnly(
              (int) (r.prefill() * prefillScale), (int) (r.decode() * decodeScale), maxTokens);
      requests.add(
          new RequestSpec(
              requests.size(), (r.time() - origin) * timeScale, l.prefill(), l.decode()));
    }
    return requests;
  }

  private static LocalDateTime azureTime(Csv csv, int column) {
    String text = csv.text(column);
    try {
      return LocalDateTime.parse(text, AZURE_TIME);
    } catch (DateTimeParseException e) {
      throw new ConfigException(
          csv.where(),
          "column 'TIMESTAMP': '" + text + "' is not a timestamp like 2023-11-16 18:15:46.6805900");
    }
  }

  /** The format the header of {@code file} matches, for fail-fast validation. */
  public static Format detect(Path file, Format format) {
    if (resolve(file, format) == Format.MOONCAKE) {
      MooncakeTrace.check(file);
      return Format.MOONCAKE;
    }
    try (Csv csv = Csv.open(file)) {
      Format f = format == Format.AUTO ? detect(csv) : format;
      if (f == Format.AZURE) {
        csv.column("TIMESTAMP");
        csv.column("ContextTokens");
        csv.column("GeneratedTokens");
      } else {
        csv.column("arrived_at");
        csv.column("num_prefill_tokens");
        csv.column("num_decode_tokens");
      }
      return f;
    }
  }

  /** MOONCAKE when asked for or when {@code auto} finds a JSON object on the first line. */
  private static Format resolve(Path file, Format format) {
    if (format != Format.AUTO) {
      return format;
    }
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      do {
        line = in.readLine();
      } while (line != null && line.isBlank());
      return line != null && line.strip().startsWith("{") ? Format.MOONCAKE : Format.AUTO;
    } catch (IOException e) {
      throw new ConfigException(file.toString(), "cannot read the file: " + e.getMessage(), e);
    }
  }

  private static Format detect(Csv csv) {
    if (csv.has("arrived_at")) {
      return Format.LLMCAP;
    }
    if (csv.has("TIMESTAMP")) {
      return Format.AZURE;
    }
    throw new ConfigException(
        csv.where(),
        "cannot tell the trace format from the header "
            + csv.header()
            + "; expected llmcap (arrived_at,num_prefill_tokens,num_decode_tokens) or azure"
            + " (TIMESTAMP,ContextTokens,GeneratedTokens), or mooncake (JSONL rows with"
            + " timestamp, input_length, output_length, hash_ids)");
  }
}
