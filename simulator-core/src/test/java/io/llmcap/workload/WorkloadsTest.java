package io.llmcap.workload;

import static io.llmcap.workload.WorkloadBuilder.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.config.SimulationConfig.WorkloadConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class WorkloadsTest {
  private static final Path BASE = WorkloadBuilder.resources();

  private static List<RequestSpec> all(WorkloadConfig w, long seed) {
    List<RequestSpec> out = new ArrayList<>();
    Workloads.open(w, seed, BASE).forEachRemaining(out::add);
    return out;
  }

  private static List<RequestSpec> all(Consumer<WorkloadBuilder> changes) {
    return all(config(changes), 42);
  }

  private static void assertWellFormed(List<RequestSpec> requests, int maxTokens) {
    for (int i = 0; i < requests.size(); i++) {
      RequestSpec r = requests.get(i);
      assertEquals(i, r.id());
      assertTrue(i == 0 || r.arrivedAt() >= requests.get(i - 1).arrivedAt(), "sorted at " + i);
      assertTrue(r.prefillTokens() >= 1 && r.decodeTokens() >= 1, r.toString());
      assertTrue(r.prefillTokens() + r.decodeTokens() <= maxTokens, r.toString());
    }
  }

  @Test
  void defaultPresetWorkloadIsNumberedSortedAndStartsAfterTheFirstGap() {
    List<RequestSpec> r = all(b -> b.preset = "chat");
    assertEquals(100, r.size());
    assertWellFormed(r, 16384);
    assertTrue(r.get(0).arrivedAt() > 0);
  }

  @Test
  void sameSeedSameWorkloadOtherSeedOtherWorkload() {
    WorkloadConfig w = config(b -> b.preset = "code");
    assertEquals(all(w, 1), all(w, 1));
    assertNotEquals(all(w, 1), all(w, 2));
  }

  @Test
  void lengthsAndIntervalsUseIndependentStreams() {
    List<RequestSpec> fixed = all(b -> b.lengthType = "fixed");
    List<RequestSpec> uniform = all(b -> b.lengthType = "uniform");
    for (int i = 0; i < fixed.size(); i++) {
      assertEquals(fixed.get(i).arrivedAt(), uniform.get(i).arrivedAt());
    }
  }

  @Test
  void durationEndsTheWorkloadBeforeTheFirstLateArrival() {
    List<RequestSpec> r =
        all(
            b -> {
              b.numRequests = null;
              b.duration = 100.0;
              b.qps = 5;
            });
    assertTrue(r.get(r.size() - 1).arrivedAt() < 100);
    assertEquals(500, r.size(), 75);
    // With both set, whichever comes first ends it.
    assertEquals(
        20,
        all(b -> {
              b.numRequests = 20;
              b.duration = 100.0;
            })
            .size());
  }

  @Test
  void everyGeneratorIsClippedToMaxTokens() {
    for (String preset : Preset.names()) {
      assertWellFormed(
          all(
              b -> {
                b.preset = preset;
                b.maxTokens = 300;
                b.numRequests = 2000;
              }),
          300);
    }
    List<RequestSpec> r =
        all(
            b -> {
              b.lengthType = "trace";
              b.lengthFile = "lengths.csv";
              b.maxTokens = 1000;
              b.numRequests = 10;
            });
    // More requests than rows: the trace wraps around.
    assertEquals(10, r.size());
    assertWellFormed(r, 1000);
  }

  @Test
  void uniformAndZipfUseMaxTokensAsUpperBound() {
    for (String type : List.of("uniform", "zipf")) {
      assertWellFormed(
          all(
              b -> {
                b.lengthType = type;
                b.minTokens = 100;
                b.maxTokens = 500;
                b.numRequests = 1000;
              }),
          500);
    }
  }

  @Test
  void traceIntervalsEndTheWorkloadWithoutALimit() {
    List<RequestSpec> r =
        all(
            b -> {
              b.numRequests = null;
              b.intervalType = "trace";
              b.intervalFile = "arrivals.csv";
            });
    assertEquals(List.of(0.5, 1.0, 3.0), r.stream().map(RequestSpec::arrivedAt).toList());
  }

  @Test
  void staticIntervalsPutEveryArrivalAtZero() {
    List<RequestSpec> r = all(b -> b.intervalType = "static");
    assertEquals(100, r.size());
    assertTrue(r.stream().allMatch(x -> x.arrivedAt() == 0));
  }

  @Test
  void presetIntervalsUseThePresetsCvAtTheConfiguredRate() {
    List<RequestSpec> r =
        all(
            b -> {
              b.preset = "chat";
              b.intervalType = "preset";
              b.qps = 10;
              b.numRequests = 20_000;
            });
    double rate = r.size() / r.get(r.size() - 1).arrivedAt();
    assertEquals(10, rate, 0.5);
  }

  @Test
  void replayHonoursNumRequestsAndDuration() {
    List<RequestSpec> r =
        all(
            b -> {
              b.traceFile = "replay_llmcap.csv";
              b.numRequests = null;
              b.maxTokens = 4096;
            });
    assertEquals(5, r.size());
    assertEquals(new RequestSpec(3, 2.0, 4046, 50), r.get(3));
    assertEquals(
        2,
        all(b -> {
              b.traceFile = "replay_llmcap.csv";
              b.numRequests = 2;
            })
            .size());
    assertEquals(
        3,
        all(b -> {
              b.traceFile = "replay_azure.csv";
              b.numRequests = null;
              b.duration = 5.0;
            })
            .size());
  }

  @Test
  void iteratorIsLazyAndEndsCleanly() {
    Iterator<RequestSpec> it = Workloads.open(config(b -> b.numRequests = 1), 1, BASE);
    assertTrue(it.hasNext());
    it.next();
    assertTrue(!it.hasNext());
    assertThrows(java.util.NoSuchElementException.class, it::next);
  }
}
