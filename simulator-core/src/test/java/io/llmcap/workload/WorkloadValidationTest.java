package io.llmcap.workload;

import static io.llmcap.workload.WorkloadBuilder.config;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.base.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorkloadValidationTest {
  @TempDir Path dir;

  /** Asserts that the change fails validation at {@code field} with every fragment in the text. */
  private ConfigException assertInvalid(
      Consumer<WorkloadBuilder> change, String field, String... fragments) {
    ConfigException e =
        assertThrows(ConfigException.class, () -> Workloads.validate(config(change), dir));
    assertEquals(field, e.field(), e.getMessage());
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "'" + f + "' missing from: " + e.getMessage());
    }
    // open() validates first, so it fails the same way.
    assertThrows(ConfigException.class, () -> Workloads.open(config(change), 1, dir));
    return e;
  }

  @Test
  void defaultsAreValid() {
    assertDoesNotThrow(() -> Workloads.validate(config(b -> b.preset = "chat"), dir));
    assertDoesNotThrow(() -> Workloads.validate(config(b -> {}), dir));
  }

  @Test
  void unknownNamesAreRejectedWithASuggestion() {
    assertInvalid(b -> b.preset = "chatt", "workload.preset", "'chatt'", "did you mean 'chat'");
    assertInvalid(
        b -> b.lengthType = "unifrom", "workload.length.type", "fixed | uniform", "'uniform'");
    assertInvalid(b -> b.intervalType = "poison", "workload.interval.type", "'poisson'?");
    assertInvalid(b -> b.lengthType = null, "workload.length.type", "'null'");
    write("t.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\n0,1,1\n");
    assertInvalid(
        b -> {
          b.traceFile = "t.csv";
          b.traceFormat = "azur";
        },
        "workload.trace.format",
        "auto | llmcap | azure",
        "'azure'");
  }

  @ParameterizedTest
  @CsvSource({"poisson, 0", "poisson, -1", "gamma, NaN", "preset, 0", "poisson, Infinity"})
  void qpsMustBePositive(String type, double qps) {
    assertInvalid(
        b -> {
          b.preset = "chat";
          b.intervalType = type;
          b.qps = qps;
        },
        "workload.interval.qps",
        String.valueOf(qps),
        "positive");
  }

  @Test
  void numbersOutOfRangeAreRejected() {
    assertInvalid(
        b -> {
          b.intervalType = "gamma";
          b.cv = 0;
        },
        "workload.interval.cv",
        "0.0");
    assertInvalid(
        b -> {
          b.lengthType = "uniform";
          b.minTokens = 5000;
          b.maxTokens = 4096;
        },
        "workload.length.min_tokens",
        "5000",
        "4096");
    assertInvalid(b -> b.maxTokens = 1, "workload.max_tokens", "1");
    assertInvalid(b -> b.prefillTokens = 0, "workload.length.prefill_tokens", "0");
    assertInvalid(b -> b.decodeTokens = -3, "workload.length.decode_tokens", "-3");
    assertInvalid(b -> b.maxTokens = 2000, "workload.length", "2560", "2000");
    assertInvalid(
        b -> {
          b.lengthType = "zipf";
          b.theta = 1;
        },
        "workload.length.theta",
        "1.0");
    assertInvalid(
        b -> {
          b.lengthType = "uniform";
          b.ratio = 0;
        },
        "workload.length.prefill_to_decode_ratio",
        "0.0");
  }

  @Test
  void theWorkloadMustEnd() {
    assertInvalid(b -> b.numRequests = 0, "workload.num_requests", "0");
    assertInvalid(b -> b.duration = 0.0, "workload.duration", "0.0");
    assertInvalid(b -> b.duration = -5.0, "workload.duration", "-5.0");
    assertInvalid(
        b -> b.numRequests = null, "workload.num_requests", "neither num_requests nor duration");
    assertInvalid(
        b -> {
          b.numRequests = null;
          b.duration = 10.0;
          b.intervalType = "static";
        },
        "workload.num_requests",
        "static");
    write("a.csv", "arrived_at\n0\n1\n");
    assertDoesNotThrow(
        () ->
            Workloads.validate(
                config(
                    b -> {
                      b.numRequests = null;
                      b.intervalType = "trace";
                      b.intervalFile = "a.csv";
                    }),
                dir));
  }

  @Test
  void presetIntervalsNeedAPreset() {
    assertInvalid(b -> b.intervalType = "preset", "workload.interval.type", "workload.preset");
  }

  @Test
  void missingFilesNameTheFieldAndThePath() {
    assertInvalid(b -> b.traceFile = "nope.csv", "workload.trace.file", "nope.csv", "resolved");
    assertInvalid(
        b -> {
          b.lengthType = "trace";
          b.lengthFile = "gone.csv";
        },
        "workload.length.file",
        "gone.csv");
    assertInvalid(b -> b.lengthType = "trace", "workload.length.file", "not set");
    assertInvalid(
        b -> {
          b.intervalType = "trace";
          b.intervalFile = dir.resolve("x.csv").toString();
        },
        "workload.interval.file",
        "x.csv");
  }

  @Test
  void validateChecksHeadersButNotRows() {
    write("h.csv", "arrived_at,num_prefill_tokens\n0,1\n");
    ConfigException e =
        assertInvalid(b -> b.traceFile = "h.csv", file("h.csv") + ":1", "'num_decode_tokens'");
    assertTrue(e.getMessage().contains("found: [arrived_at, num_prefill_tokens]"));
    write("unknown.csv", "a,b\n1,2\n");
    assertInvalid(b -> b.traceFile = "unknown.csv", file("unknown.csv") + ":1", "llmcap", "azure");
    write("l.csv", "num_prefill_tokens\n5\n");
    assertInvalid(
        b -> {
          b.lengthType = "trace";
          b.lengthFile = "l.csv";
        },
        file("l.csv") + ":1",
        "'num_decode_tokens'");
    write("i.csv", "when\n5\n");
    assertInvalid(
        b -> {
          b.intervalType = "trace";
          b.intervalFile = "i.csv";
        },
        file("i.csv") + ":1",
        "'arrived_at'");
    write("rows.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\n0,x,1\n");
    assertDoesNotThrow(() -> Workloads.validate(config(b -> b.traceFile = "rows.csv"), dir));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "0,,5               | 2 | empty cell in column 'num_prefill_tokens'",
        "0,12,              | 2 | empty cell in column 'num_decode_tokens'",
        "0,abc,5            | 2 | column 'num_prefill_tokens': 'abc' is not a number",
        "0,10,-4            | 2 | column 'num_decode_tokens': negative value -4",
        "-1,10,4            | 2 | column 'arrived_at': negative value -1",
        "0,0,4              | 2 | column 'num_prefill_tokens': value 0 is not allowed",
        "0,10               | 2 | empty cell in column 'num_decode_tokens'",
        "0,NaN,4            | 2 | 'NaN' is not a number",
      })
  void badReplayRowsNameFileLineColumnAndValue(String row, int line, String message) {
    write("bad.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\n" + row.strip() + "\n");
    assertBadRow(b -> b.traceFile = "bad.csv", file("bad.csv") + ":" + line, message);
  }

  @Test
  void badRowsAfterBlankLinesReportTheirPhysicalLine() {
    write("bad.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\n0,1,1\n\n1,2,x\n");
    assertBadRow(b -> b.traceFile = "bad.csv", file("bad.csv") + ":4", "'x' is not a number");
  }

  @Test
  void badAzureTimestampsAreReported() {
    write(
        "az.csv",
        "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.68,3,4\n16/11/2023,3,4\n");
    assertBadRow(b -> b.traceFile = "az.csv", file("az.csv") + ":3", "'16/11/2023'");
  }

  @Test
  void badLengthAndIntervalTraceRowsAreReported() {
    write("len.csv", "num_prefill_tokens,num_decode_tokens\n5,0\n");
    assertBadRow(
        b -> {
          b.lengthType = "trace";
          b.lengthFile = "len.csv";
        },
        file("len.csv") + ":2",
        "'num_decode_tokens': value 0");
    write("arr.csv", "arrived_at\n1\nsoon\n");
    assertBadRow(
        b -> {
          b.intervalType = "trace";
          b.intervalFile = "arr.csv";
        },
        file("arr.csv") + ":3",
        "'soon' is not a number");
  }

  @Test
  void emptyTracesAreReported() {
    write("empty.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\n");
    assertBadRow(b -> b.traceFile = "empty.csv", file("empty.csv"), "no data rows");
    write("nothing.csv", "");
    assertInvalid(b -> b.traceFile = "nothing.csv", file("nothing.csv"), "empty");
    write("len.csv", "num_prefill_tokens,num_decode_tokens\n\n");
    assertBadRow(
        b -> {
          b.lengthType = "trace";
          b.lengthFile = "len.csv";
        },
        file("len.csv"),
        "no data rows");
    write("arr.csv", "arrived_at\n3\n");
    assertBadRow(
        b -> {
          b.intervalType = "trace";
          b.intervalFile = "arr.csv";
        },
        file("arr.csv"),
        "at least 2");
  }

  private void assertBadRow(Consumer<WorkloadBuilder> change, String field, String message) {
    ConfigException e =
        assertThrows(ConfigException.class, () -> Workloads.open(config(change), 1, dir));
    assertEquals(field, e.field(), e.getMessage());
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  private String file(String name) {
    return dir.resolve(name).toString();
  }

  private void write(String name, String text) {
    try {
      Files.writeString(dir.resolve(name), text);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
