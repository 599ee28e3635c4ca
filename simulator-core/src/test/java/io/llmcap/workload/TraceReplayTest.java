package io.llmcap.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.llmcap.workload.TraceReplay.Format;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceReplayTest {
  private static final Path LLMCAP = WorkloadBuilder.resources().resolve("replay_llmcap.csv");
  private static final Path AZURE = WorkloadBuilder.resources().resolve("replay_azure.csv");

  @Test
  void llmcapRowsAreSortedStablyAndClippedFromThePrompt() {
    List<RequestSpec> r = TraceReplay.read(LLMCAP, Format.LLMCAP, 1, 1, 1, 4096);
    assertEquals(
        List.of(
            new RequestSpec(0, 0.0, 100, 10),
            new RequestSpec(1, 0.5, 200, 20),
            new RequestSpec(2, 1.5, 300, 30),
            // Tied at 2.0: file order kept; 9000 + 50 over 4096 is cut from the prompt only.
            new RequestSpec(3, 2.0, 4046, 50),
            new RequestSpec(4, 2.0, 1, 1)),
        r);
  }

  @Test
  void scalesApplyToTimesAndLengthsAndLengthsStayPositive() {
    List<RequestSpec> r = TraceReplay.read(LLMCAP, Format.AUTO, 2, 0.5, 0.1, 16384);
    assertEquals(new RequestSpec(1, 1.0, 100, 2), r.get(1));
    assertEquals(new RequestSpec(4, 4.0, 1, 1), r.get(4));
  }

  @Test
  void azureTimestampsBecomeSecondsSinceTheFirstRow() {
    for (Format f : List.of(Format.AZURE, Format.AUTO)) {
      List<RequestSpec> r = TraceReplay.read(AZURE, f, 1, 1, 1, 1000);
      assertEquals(4, r.size());
      assertEquals(new RequestSpec(0, 0.0, 374, 44), r.get(0));
      assertEquals(4.314579, r.get(1).arrivedAt(), 1e-9);
      assertEquals(4.51941, r.get(2).arrivedAt(), 1e-9);
      // 14.31941 s after the first; 91 + 1200 over 1000: the output alone is cut to 999.
      assertEquals(new RequestSpec(3, 14.31941, 1, 999), round(r.get(3)));
    }
    assertEquals(Format.AZURE, TraceReplay.detect(AZURE, Format.AUTO));
    assertEquals(Format.LLMCAP, TraceReplay.detect(LLMCAP, Format.AUTO));
  }

  private static RequestSpec round(RequestSpec r) {
    return new RequestSpec(
        r.id(), Math.round(r.arrivedAt() * 1e7) / 1e7, r.prefillTokens(), r.decodeTokens());
  }
}
