package io.llmcap.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.catalog.Catalog;
import io.llmcap.config.SimulationConfig;
import io.llmcap.metrics.MetricsCollector;
import io.llmcap.metrics.RequestRecord;
import io.llmcap.testing.LinearPredictor;
import io.llmcap.timing.BatchView;
import io.llmcap.timing.ExecutionTime;
import io.llmcap.timing.ExecutionTimePredictor;
import io.llmcap.workload.ClosedLoopSource;
import io.llmcap.workload.FixedLengths;
import io.llmcap.workload.OpenLoopSource;
import io.llmcap.workload.RequestSource;
import io.llmcap.workload.RequestSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The front end's client path ({@link ExecutionTimePredictor#clientPathSeconds()}): added once to
 * each request's TTFT and E2E, never to the gaps between tokens, and delaying a closed-loop
 * client's next request.
 */
class ClientPathTest {
  private static final double PATH_S = 0.0043;

  /** The linear test predictor with a client path. */
  private record WithPath(ExecutionTimePredictor inner, double path)
      implements ExecutionTimePredictor {
    @Override
    public ExecutionTime predict(BatchView batch, int stage) {
      return inner.predict(batch, stage);
    }

    @Override
    public String describe() {
      return inner.describe();
    }

    @Override
    public double clientPathSeconds() {
      return path;
    }
  }

  @Test
  void openLoopAddsThePathOnceToTtftAndE2eAndNothingToTokenGaps() {
    Run plain = run(openLoop(), 0);
    Run shifted = run(openLoop(), PATH_S);
    List<RequestRecord> a = plain.metrics.requests();
    List<RequestRecord> b = shifted.metrics.requests();
    assertEquals(60, a.size());
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      RequestRecord p = a.get(i);
      RequestRecord q = b.get(i);
      assertEquals(p.id(), q.id(), "same completion order: the engine ran the same steps");
      assertEquals(p.arrivedAt(), q.arrivedAt(), 0.0);
      assertEquals(p.scheduledAt(), q.scheduledAt(), 0.0);
      assertEquals(p.ttft() + PATH_S, q.ttft(), 1e-12);
      assertEquals(p.e2e() + PATH_S, q.e2e(), 1e-12);
      assertEquals(p.tpot(), q.tpot(), 1e-12);
      assertEquals(p.schedulingDelay(), q.schedulingDelay(), 0.0);
    }
    assertEquals(plain.metrics.ttft().mean() + PATH_S, shifted.metrics.ttft().mean(), 1e-9);
    assertEquals(plain.metrics.e2e().mean() + PATH_S, shifted.metrics.e2e().mean(), 1e-9);
    assertEquals(plain.metrics.tpot().mean(), shifted.metrics.tpot().mean(), 1e-12);
    assertEquals(plain.metrics.tbt().mean(), shifted.metrics.tbt().mean(), 1e-12);
    assertEquals(plain.metrics.tbt().max(), shifted.metrics.tbt().max(), 0.0);
  }

  @Test
  void aClosedLoopClientSendsItsNextRequestOnceTheResponseReachedIt() {
    Run plain = run(closedLoop(), 0);
    Run shifted = run(closedLoop(), PATH_S);
    List<RequestRecord> a = plain.metrics.requests();
    List<RequestRecord> b = shifted.metrics.requests();
    assertEquals(5, b.size());
    for (int i = 0; i < b.size(); i++) {
      // one client, one request at a time: every request meets an empty engine
      assertEquals(a.get(i).e2e() + PATH_S, b.get(i).e2e(), 1e-12);
      assertEquals(a.get(i).arrivedAt() + i * PATH_S, b.get(i).arrivedAt(), 1e-12);
      if (i > 0) {
        assertEquals(b.get(i - 1).completedAt(), b.get(i).arrivedAt(), 1e-12);
      }
    }
  }

  @Test
  void aNegativeOrNonFinitePathIsRejected() {
    for (double bad : new double[] {-0.001, Double.NaN, Double.POSITIVE_INFINITY}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> run(openLoop(), bad));
      assertTrue(e.getMessage().contains("client path must be finite and ≥ 0"), e.getMessage());
    }
  }

  private static RequestSource openLoop() {
    List<RequestSpec> specs = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      specs.add(new RequestSpec(i, 0.02 * i, 150 + 37 * (i % 7), 12 + (i % 5)));
    }
    return new OpenLoopSource(specs.iterator());
  }

  private static RequestSource closedLoop() {
    return new ClosedLoopSource(
        1, 0, new FixedLengths(300, 20), id -> null, 4096, 5, Double.POSITIVE_INFINITY);
  }

  private record Run(Simulator sim, MetricsCollector metrics) {}

  private static Run run(RequestSource source, double path) {
    SimulationConfig config = SimulationInvariantsTest.config("vllm", "round_robin", 1);
    Simulation s = Simulation.prepare(config, Catalog.builtin(), Path.of(""));
    Pool pool =
        Pools.pool(
            "default",
            s.deployment(),
            config,
            s.memory(),
            2,
            0,
            new WithPath(new LinearPredictor(s.deployment()), path));
    MetricsCollector metrics = new MetricsCollector(2, 1, List.of(), true, List.of());
    Simulator sim =
        new Simulator(
            List.of(pool),
            PoolSelector.FIRST,
            source,
            0,
            metrics,
            Speculation.OFF,
            1,
            KvTransfer.FREE);
    sim.run();
    return new Run(sim, metrics);
  }
}
