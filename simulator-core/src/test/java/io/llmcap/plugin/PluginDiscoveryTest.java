package io.llmcap.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.config.SimulationConfig;
import io.llmcap.engine.Simulation;
import io.llmcap.engine.SimulationResult;
import io.llmcap.metrics.RequestRecord;
import io.llmcap.metrics.RunListener;
import io.llmcap.request.Batch;
import io.llmcap.scheduler.Schedulers;
import io.llmcap.setup.ConfigLoader;
import io.llmcap.testing.LinearPredictor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The test plug-ins in this module's META-INF/services are found, selected and configured. */
class PluginDiscoveryTest {
  static SimulationConfig config(String... extra) {
    List<String> sets =
        new ArrayList<>(
            List.of(
                "cluster.model=meta-llama/Llama-2-7b-hf",
                "cluster.replicas=3",
                "router=test_pinned",
                "router_options.test_pinned.replica=2",
                "scheduler.type=test_capped",
                "scheduler.test_capped.max_running=3",
                "workload.preset=null",
                "workload.num_requests=40",
                "workload.max_tokens=4096",
                "workload.length.type=test_constant",
                "workload.length.test_constant.prompt=300",
                "workload.length.test_constant.output=7",
                "workload.interval.type=test_even",
                "workload.interval.test_even.gap=0.01"));
    sets.addAll(List.of(extra));
    return ConfigLoader.bind(ConfigLoader.resolve(null, sets));
  }

  static ConfigException error(String... extra) {
    return assertThrows(
        ConfigException.class,
        () -> Simulation.prepare(config(extra), Catalog.builtin(), Path.of("")));
  }

  @Test
  void everySeamRunsItsPluginWithItsOptions() {
    SimulationConfig cfg = config();
    Simulation sim = Simulation.prepare(cfg, Catalog.builtin(), Path.of(""));
    int[] largest = {0};
    RunListener sizes =
        new RunListener() {
          @Override
          public void onBatchEnd(Batch b, double end) {
            largest[0] = Math.max(largest[0], b.size());
          }
        };
    SimulationResult r = sim.run(new LinearPredictor(sim.deployment()), List.of(sizes));
    List<RequestRecord> done = r.metrics().requests();
    assertEquals(40, done.size());
    assertEquals(3, largest[0], "scheduler.test_capped.max_running caps the batch");
    for (RequestRecord q : done) {
      assertEquals(2, q.replica(), "router_options.test_pinned.replica");
      assertEquals(300, q.prefillTokens());
      assertEquals(7, q.decodeTokens());
      assertEquals(0.01 * (q.id() + 1), q.arrivedAt(), 1e-9);
    }
  }

  @Test
  void discoveredNamesFollowTheBuiltIns() {
    List<String> names = Schedulers.names();
    assertEquals(
        List.of("vllm", "sarathi", "orca", "faster_transformer", "lightllm"), names.subList(0, 5));
    assertTrue(names.contains("test_capped"), names.toString());
  }

  @Test
  void unknownNamesListBuiltInAndDiscoveredNames() {
    String m = error("scheduler.type=test_caped").getMessage();
    assertTrue(m.startsWith("scheduler.type: unknown scheduler 'test_caped'"), m);
    assertTrue(m.contains("did you mean 'test_capped'?"), m);
    assertTrue(
        m.contains("vllm, sarathi, orca, faster_transformer, lightllm, vllm_v1, test_capped"), m);
    m = error("router=pinned").getMessage();
    assertTrue(
        m.contains("round_robin, random, lor, prefix_aware, session_affinity, test_pinned"), m);
    m = error("workload.length.type=constant").getMessage();
    assertTrue(m.contains("fixed | uniform | zipf | trace | test_constant"), m);
    m = error("workload.interval.type=even").getMessage();
    assertTrue(m.contains("preset | test_even"), m);
  }

  @Test
  void pluginBlocksAreCheckedLikeBuiltInKeys() {
    ConfigException e =
        assertThrows(ConfigException.class, () -> config("scheduler.test_capped.max_runing=2"));
    assertEquals("scheduler.test_capped.max_runing", e.field());
    assertTrue(e.getMessage().contains("did you mean 'max_running'?"), e.getMessage());
    e = assertThrows(ConfigException.class, () -> config("scheduler.test_caped.max_running=2"));
    assertTrue(e.getMessage().contains("did you mean 'test_capped'?"), e.getMessage());
    e = error("scheduler.test_capped.max_running=many");
    assertEquals("scheduler.test_capped.max_running", e.field());
    assertTrue(e.getMessage().contains("is not a valid integer"), e.getMessage());
    e = error("scheduler.test_capped.max_running=0");
    assertEquals(
        "scheduler.test_capped.max_running: value '0' is not allowed; allowed: an integer ≥ 1",
        e.getMessage());
  }

  @Test
  void defaultsDocumentEveryPluginBlock() {
    var tree = ConfigLoader.defaults();
    assertEquals(4, tree.at("/scheduler/test_capped/max_running").asInt());
    assertEquals(0, tree.at("/router_options/test_pinned/replica").asInt());
    assertEquals(100, tree.at("/workload/length/test_constant/prompt").asInt());
    assertEquals(0.5, tree.at("/workload/interval/test_even/gap").asDouble());
  }

  @Test
  void builtInConfigsAreUnchanged() {
    SimulationConfig cfg = ConfigLoader.bind(ConfigLoader.resolve(null, List.of()));
    assertEquals("vllm_v1", cfg.scheduler().type());
    Simulation.prepare(cfg, Catalog.builtin(), Path.of(""));
  }
}
