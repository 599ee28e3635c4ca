package io.llmcap.workload;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmcap.base.ConfigException;
import io.llmcap.kv.PromptContent;
import io.llmcap.kv.PromptContent.Segment;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads a trace in the Mooncake format (github.com/kvcache-ai/Mooncake, FAST25-release): JSONL, one
 * request a line, {@code {"timestamp": ms, "input_length": n, "output_length": m, "hash_ids":
 * [...]}}, where hash id i names the content of the prompt's tokens [512 i, 512 (i + 1)) and
 * everything before them.
 *
 * <p>Each hash id becomes one {@link PromptContent} segment of 512 tokens (the last one the
 * remainder) whose id is the hash id. The engine hashes its own blocks (16 tokens in vLLM) over
 * these segments, so a Mooncake block is 32 engine blocks; two requests with the same ids at the
 * same positions hold the same engine blocks there, and a partial last block shares only its full
 * engine blocks. The content covers the prompt as replayed (after {@code prefill_scale} and the
 * {@code max_tokens} cut): a Mooncake row does not name its reply's content.
 */
public final class MooncakeTrace {
  /** Tokens per hash id in the published traces. */
  public static final int BLOCK_TOKENS = 512;

  private static final ObjectMapper JSON = new ObjectMapper();

  private MooncakeTrace() {}

  private record Row(double time, int input, int output, long[] ids) {}

  /**
   * All requests of the trace with ids 0, 1, 2, … in timestamp order (stable), arriving at
   * timestamp / 1000 × {@code timeScale} seconds, lengths scaled as {@link TraceReplay} scales
   * them.
   */
  public static List<RequestSpec> read(
      Path file, double timeScale, double prefillScale, double decodeScale, int maxTokens) {
    List<Row> rows = rows(file);
    rows.sort(Comparator.comparingDouble(Row::time));
    List<RequestSpec> requests = new ArrayList<>(rows.size());
    for (Row r : rows) {
      Lengths l =
          LengthClip.prefillOnly(
              (int) (r.input() * prefillScale), (int) (r.output() * decodeScale), maxTokens);
      List<Segment> segments = new ArrayList<>(r.ids().length);
      int covered = Math.min(l.prefill(), r.input());
      for (int i = 0; i < r.ids().length && BLOCK_TOKENS * i < covered; i++) {
        segments.add(new Segment(r.ids()[i], Math.min(BLOCK_TOKENS, covered - BLOCK_TOKENS * i)));
      }
      requests.add(
          new RequestSpec(
              requests.size(),
              r.time() / 1000 * timeScale,
              l.prefill(),
              l.decode(),
              RequestSpec.NONE,
              RequestSpec.NONE,
              new PromptContent(segments)));
    }
    return requests;
  }

  /** Checks every row, for fail-fast validation. */
  static void check(Path file) {
    rows(file);
  }

  private static List<Row> rows(Path file) {
    List<Row> rows = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String text;
      int line = 0;
      while ((text = in.readLine()) != null) {
        line++;
        if (!text.isBlank()) {
          rows.add(row(file + ":" + line, text));
        }
      }
    } catch (IOException e) {
      throw new ConfigException(file.toString(), "cannot read the file: " + e.getMessage(), e);
    }
    if (rows.isEmpty()) {
      throw new ConfigException(file.toString(), "the trace has no data rows");
    }
    return rows;
  }

  private static Row row(String where, String text) {
    JsonNode n;
    try {
      n = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ConfigException(
          where, "malformed JSON: " + e.getOriginalMessage() + "; expected one object a line");
    }
    if (n == null || !n.isObject()) {
      throw new ConfigException(where, "expected a JSON object, found: " + text.strip());
    }
    double time = field(where, n, "timestamp").asDouble();
    if (!field(where, n, "timestamp").isNumber() || !(time >= 0) || Double.isInfinite(time)) {
      throw new ConfigException(
          where, "field 'timestamp': " + n.get("timestamp") + " is not allowed; must be ms >= 0");
    }
    int input = length(where, n, "input_length");
    int output = length(where, n, "output_length");
    JsonNode ids = field(where, n, "hash_ids");
    if (!ids.isArray()) {
      throw new ConfigException(where, "field 'hash_ids': expected an array of integers");
    }
    int expected = (input + BLOCK_TOKENS - 1) / BLOCK_TOKENS;
    if (ids.size() != expected) {
      throw new ConfigException(
          where,
          "field 'hash_ids': "
              + ids.size()
              + " ids for input_length "
              + input
              + "; one id per 512-token block needs ceil("
              + input
              + " / 512) = "
              + expected);
    }
    long[] out = new long[ids.size()];
    for (int i = 0; i < out.length; i++) {
      if (!ids.get(i).isIntegralNumber()) {
        throw new ConfigException(
            where, "field 'hash_ids': element " + i + " (" + ids.get(i) + ") is not an integer");
      }
      out[i] = ids.get(i).asLong();
    }
    return new Row(time, input, output, out);
  }

  private static JsonNode field(String where, JsonNode n, String name) {
    JsonNode v = n.get(name);
    if (v == null || v.isNull()) {
      throw new ConfigException(
          where,
          "missing field '"
              + name
              + "'; a Mooncake row needs timestamp, input_length, output_length and hash_ids");
    }
    return v;
  }

  private static int length(String where, JsonNode n, String name) {
    JsonNode v = field(where, n, name);
    if (!v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > Integer.MAX_VALUE) {
      throw new ConfigException(
          where, "field '" + name + "': " + v + " is not allowed; must be a whole count >= 1");
    }
    return v.asInt();
  }
}
