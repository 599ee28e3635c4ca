package io.llmcap.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.base.ConfigException;
import io.llmcap.kv.PromptContent.Segment;
import io.llmcap.workload.TraceReplay.Format;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Mooncake trace format: rows, the hash-id content mapping, detection and bad rows. */
class MooncakeTraceTest {
  @TempDir Path dir;

  private Path write(String text) throws IOException {
    return Files.writeString(dir.resolve("m.jsonl"), text);
  }

  @Test
  void rowsBecomeRequestsInTimestampOrderWithOneSegmentPerHashId() throws IOException {
    Path f =
        write(
            "{\"timestamp\": 2500, \"input_length\": 1100, \"output_length\": 7, \"hash_ids\": [4, 5, 6]}\n"
                + "\n"
                + "{\"timestamp\": 1000, \"input_length\": 512, \"output_length\": 3, \"hash_ids\": [4]}\n");
    assertEquals(Format.MOONCAKE, TraceReplay.detect(f, Format.AUTO));
    List<RequestSpec> r = TraceReplay.read(f, Format.AUTO, 2.0, 1, 1, 16384);
    assertEquals(2, r.size());
    assertEquals(0, r.get(0).id());
    assertEquals(2.0, r.get(0).arrivedAt(), "1,000 ms × time_scale 2");
    assertEquals(List.of(new Segment(4, 512)), r.get(0).prompt().segments());
    assertEquals(5.0, r.get(1).arrivedAt());
    assertEquals(
        List.of(new Segment(4, 512), new Segment(5, 512), new Segment(6, 76)),
        r.get(1).prompt().segments());
    assertEquals(1100, r.get(1).prefillTokens());
    assertEquals(7, r.get(1).decodeTokens());
    // A prompt cut by max_tokens keeps content for the tokens it still has.
    List<RequestSpec> cut = TraceReplay.read(f, Format.MOONCAKE, 1, 1, 1, 607);
    assertEquals(600, cut.get(1).prefillTokens());
    assertEquals(List.of(new Segment(4, 512), new Segment(5, 88)), cut.get(1).prompt().segments());
  }

  @Test
  void theWorkloadCarriesTheContent() throws IOException {
    write(
        "{\"timestamp\": 0, \"input_length\": 600, \"output_length\": 3, \"hash_ids\": [1, 2]}\n");
    RequestSource s =
        Workloads.source(
            WorkloadBuilder.config(
                b -> {
                  b.traceFile = "m.jsonl";
                  b.numRequests = null;
                }),
            1,
            dir);
    assertEquals(600, s.peek().prompt().tokens());
  }

  private void assertRowError(String row, String fragment) throws IOException {
    Path f =
        write(
            "{\"timestamp\": 0, \"input_length\": 10, \"output_length\": 3, \"hash_ids\": [1]}\n"
                + row
                + "\n");
    ConfigException e =
        assertThrows(ConfigException.class, () -> TraceReplay.detect(f, Format.MOONCAKE));
    assertEquals(f + ":2", e.field(), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  @Test
  void badRowsNameTheirLine() throws IOException {
    assertRowError("{\"timestamp\": 0, \"input_length\": 10", "malformed JSON");
    assertRowError("[1, 2]", "expected a JSON object");
    assertRowError(
        "{\"input_length\": 10, \"output_length\": 3, \"hash_ids\": [1]}",
        "missing field 'timestamp'");
    assertRowError(
        "{\"timestamp\": 0, \"output_length\": 3, \"hash_ids\": [1]}",
        "missing field 'input_length'");
    assertRowError(
        "{\"timestamp\": 0, \"input_length\": 10, \"output_length\": 3}",
        "missing field 'hash_ids'");
    assertRowError(
        "{\"timestamp\": -1, \"input_length\": 10, \"output_length\": 3, \"hash_ids\": [1]}",
        "ms >= 0");
    assertRowError(
        "{\"timestamp\": 0, \"input_length\": 0, \"output_length\": 3, \"hash_ids\": []}",
        "'input_length': 0");
    assertRowError(
        "{\"timestamp\": 0, \"input_length\": 10, \"output_length\": -2, \"hash_ids\": [1]}",
        "'output_length': -2");
    assertRowError(
        "{\"timestamp\": 0, \"input_length\": 1025, \"output_length\": 3, \"hash_ids\": [1, 2]}",
        "ceil(1025 / 512) = 3");
    assertRowError(
        "{\"timestamp\": 0, \"input_length\": 10, \"output_length\": 3, \"hash_ids\": [\"a\"]}",
        "not an integer");
  }

  @Test
  void autoDetectionStillReadsCsvTraces() throws IOException {
    Path f =
        Files.writeString(
            dir.resolve("t.csv"), "arrived_at,num_prefill_tokens,num_decode_tokens\n0,5,5\n");
    assertEquals(Format.LLMCAP, TraceReplay.detect(f, Format.AUTO));
  }
}
