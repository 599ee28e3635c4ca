package io.llmcap.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.catalog.Catalog;
import io.llmcap.config.SimulationConfig;
import io.llmcap.metrics.MetricsCollector;
import io.llmcap.metrics.RequestRecord;
import io.llmcap.request.Request;
import io.llmcap.testing.LinearPredictor;
import io.llmcap.workload.OpenLoopSource;
import io.llmcap.workload.RequestSource;
import io.llmcap.workload.RequestSpec;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.junit.jupiter.api.Test;

/** The request-source seam: completions reach the source, which may emit new arrivals. */
class RequestSourceTest {
  private static final int FIRST_TURNS = 30;
  private static final double THINK_S = 0.25;

  /**
   * A test-only multi-turn source: each of {@link #FIRST_TURNS} sessions sends one request, and a
   * second turn {@link #THINK_S} after the first completes. Done when every turn completed.
   */
  static final class FollowUpSource implements RequestSource {
    final List<double[]> completions = new ArrayList<>();
    final Map<Long, Double> completedAt = new HashMap<>();
    private final PriorityQueue<RequestSpec> pending =
        new PriorityQueue<>(
            (a, b) ->
                a.arrivedAt() != b.arrivedAt()
                    ? Double.compare(a.arrivedAt(), b.arrivedAt())
                    : Long.compare(a.id(), b.id()));
    private int outstanding;

    FollowUpSource() {
      for (int i = 0; i < FIRST_TURNS; i++) {
        pending.add(new RequestSpec(i, 0.05 * i, 200 + 10 * i, 20 + i, i % 3, i, null));
      }
    }

    @Override
    public RequestSpec peek() {
      return pending.peek();
    }

    @Override
    public RequestSpec take() {
      outstanding++;
      return pending.poll();
    }

    @Override
    public void onCompleted(double t, RequestSpec r) {
      outstanding--;
      completions.add(new double[] {t, r.id()});
      completedAt.put(r.id(), t);
      if (r.id() < FIRST_TURNS) {
        // the second turn's prompt holds the first turn's prompt and answer
        pending.add(
            new RequestSpec(
                1000 + r.id(),
                t + THINK_S,
                r.prefillTokens() + r.decodeTokens() + 50,
                10,
                r.clientId(),
                r.sessionId(),
                null));
      }
    }

    @Override
    public boolean done() {
      return pending.isEmpty() && outstanding == 0;
    }
  }

  @Test
  void completionsReachTheSourceAndItsFollowUpsAreSimulated() {
    FollowUpSource source = new FollowUpSource();
    SimulationResult r = run(source);
    assertEquals(2 * FIRST_TURNS, r.requestsArrived());
    assertEquals(2 * FIRST_TURNS, source.completions.size(), "every completion is reported");
    List<RequestRecord> records = r.metrics().requests();
    assertEquals(2 * FIRST_TURNS, records.size(), "every request completes");
    for (RequestRecord q : records) {
      assertEquals(source.completedAt.get(q.id()), q.completedAt(), 0.0);
      if (q.id() >= 1000) {
        double parentDone = source.completedAt.get(q.id() - 1000);
        assertEquals(parentDone + THINK_S, q.arrivedAt(), 1e-12);
        assertTrue(q.completedAt() > parentDone);
      }
    }
    for (int i = 1; i < source.completions.size(); i++) {
      assertTrue(source.completions.get(i)[0] >= source.completions.get(i - 1)[0]);
    }
  }

  @Test
  void sameSeedSameRecords() {
    assertEquals(
        run(new FollowUpSource()).metrics().requests(),
        run(new FollowUpSource()).metrics().requests());
  }

  @Test
  void theSourcesEndRuleEndsTheRun() {
    FollowUpSource inner = new FollowUpSource();
    RequestSource stopsAfterTen =
        new RequestSource() {
          @Override
          public RequestSpec peek() {
            return inner.peek();
          }

          @Override
          public RequestSpec take() {
            return inner.take();
          }

          @Override
          public void onCompleted(double t, RequestSpec request) {
            inner.onCompleted(t, request);
          }

          @Override
          public boolean done() {
            return inner.completions.size() >= 10;
          }
        };
    Fixture f = new Fixture();
    Simulator sim = f.simulator(stopsAfterTen);
    sim.run();
    double tenth = inner.completions.get(9)[0];
    assertEquals(tenth, sim.now(), 0.0, "nothing runs past the time the rule said done");
    assertTrue(inner.completions.size() >= 10 && inner.completions.size() < 2 * FIRST_TURNS);
    for (double[] c : inner.completions) {
      assertTrue(c[0] <= tenth);
    }
  }

  @Test
  void openLoopSourceIsDoneOnlyWhenEveryRequestCompleted() {
    OpenLoopSource s =
        new OpenLoopSource(
            List.of(new RequestSpec(0, 0, 10, 10), new RequestSpec(1, 1, 10, 10)).iterator());
    assertFalse(s.done());
    RequestSpec a = s.take();
    RequestSpec b = s.take();
    assertNull(s.peek());
    assertFalse(s.done(), "emitted, not completed");
    s.onCompleted(2, a);
    assertFalse(s.done());
    s.onCompleted(3, b);
    assertTrue(s.done());
    assertTrue(new OpenLoopSource(new ArrayDeque<RequestSpec>().iterator()).done());
  }

  @Test
  void requestsCarryClientSessionAndPrompt() {
    var prompt =
        new io.llmcap.kv.PromptContent(List.of(new io.llmcap.kv.PromptContent.Segment(7, 64)));
    Request r = new Request(new RequestSpec(3, 0, 100, 5, 11, 12, prompt));
    assertEquals(11, r.clientId());
    assertEquals(12, r.sessionId());
    assertEquals(prompt, r.promptContent());
    Request plain = new Request(new RequestSpec(4, 0, 100, 5));
    assertEquals(RequestSpec.NONE, plain.clientId());
    assertEquals(RequestSpec.NONE, plain.sessionId());
    assertNull(plain.promptContent());
  }

  private static SimulationResult run(RequestSource source) {
    Fixture f = new Fixture();
    Simulator sim = f.simulator(source);
    long start = System.nanoTime();
    sim.run();
    return Simulation.result(f.config, sim, f.metrics, start);
  }

  /** One pool of two replicas of the invariants tests' deployment. */
  static final class Fixture {
    final SimulationConfig config = SimulationInvariantsTest.config("vllm", "round_robin", 1);
    final Simulation sim = Simulation.prepare(config, Catalog.builtin(), Path.of(""));
    MetricsCollector metrics;

    Simulator simulator(RequestSource source) {
      Pool pool =
          Pools.pool(
              "default",
              sim.deployment(),
              config,
              sim.memory(),
              2,
              0,
              new LinearPredictor(sim.deployment()));
      metrics = new MetricsCollector(2, 1, List.of(), true, List.of());
      return new Simulator(
          List.of(pool),
          PoolSelector.FIRST,
          source,
          0,
          metrics,
          Speculation.OFF,
          1,
          KvTransfer.FREE);
    }
  }
}
