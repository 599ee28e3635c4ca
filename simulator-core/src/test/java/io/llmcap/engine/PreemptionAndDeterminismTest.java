package io.llmcap.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.catalog.Catalog;
import io.llmcap.config.SimulationConfig;
import io.llmcap.metrics.RequestRecord;
import io.llmcap.output.Summary;
import io.llmcap.testing.LinearPredictor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PreemptionAndDeterminismTest {

  @ParameterizedTest
  @ValueSource(strings = {"vllm", "sarathi", "vllm_v1"})
  void tinyKvBudgetForcesRestartsAndStillCompletes(String scheduler) {
    // 300 blocks of 16 tokens: one 4096-token request fits, a few dozen growing ones do not
    SimulationConfig cfg =
        SimulationInvariantsTest.config(scheduler, "round_robin", 1, "scheduler.num_blocks=300");
    Simulation sim = Simulation.prepare(cfg, Catalog.builtin(), Path.of(""));
    var checker =
        new SimulationInvariantsTest.Checker(scheduler, 256, sim.memory().maxBlocksPerSequence());
    SimulationResult r = sim.run(new LinearPredictor(sim.deployment()), List.of(checker));
    SimulationInvariantsTest.assertConservation(r, checker);
    long restarts = r.metrics().requests().stream().mapToLong(RequestRecord::restarts).sum();
    long recomputed =
        r.metrics().requests().stream().mapToLong(RequestRecord::recomputedTokens).sum();
    assertTrue(restarts > 0, "a tiny KV cache must preempt");
    assertTrue(recomputed > 0, "preempted work is recomputed");
    assertEquals(restarts, r.preemptions());
    assertEquals(restarts, ((Number) Summary.of(r).get("restarts_total")).longValue());
  }

  @ParameterizedTest
  @ValueSource(strings = {"vllm", "sarathi", "orca", "faster_transformer", "lightllm", "vllm_v1"})
  void sameSeedSameResultsDifferentSeedDifferent(String scheduler) {
    SimulationConfig a = SimulationInvariantsTest.config(scheduler, "random", 1);
    SimulationConfig b = SimulationInvariantsTest.config(scheduler, "random", 1, "seed=7");
    assertEquals(records(a), records(a));
    assertEquals(Summary.of(run(a)).toString(), Summary.of(run(a)).toString());
    assertNotEquals(records(a), records(b));
  }

  private static SimulationResult run(SimulationConfig cfg) {
    Simulation sim = Simulation.prepare(cfg, Catalog.builtin(), Path.of(""));
    return sim.run(new LinearPredictor(sim.deployment()), List.of());
  }

  private static List<RequestRecord> records(SimulationConfig cfg) {
    return run(cfg).metrics().requests();
  }

  @ParameterizedTest
  @ValueSource(doubles = {1.0, 3.0})
  void timeLimitStopsTheRun(double limit) {
    SimulationConfig cfg =
        SimulationInvariantsTest.config("sarathi", "round_robin", 1, "time_limit=" + limit);
    SimulationResult r = run(cfg);
    assertTrue(r.endTime() <= limit + 1.0, "stops shortly after the limit");
    assertTrue(r.metrics().requests().size() < SimulationInvariantsTest.REQUESTS);
  }
}
