package io.llmcap.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.config.SimulationConfig;
import io.llmcap.setup.ConfigLoader;
import io.llmcap.testing.LinearPredictor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Attention data parallelism: each dp group of an MoE replica schedules its own requests. */
class DataParallelTest {
  private static SimulationConfig config(String model, String... extra) {
    List<String> sets =
        new ArrayList<>(
            List.of(
                "cluster.model=" + model,
                "cluster.sku=h100",
                "cluster.node=h100_dgx",
                "workload.preset=null",
                "workload.num_requests=60",
                "workload.max_tokens=2048",
                "workload.length.type=fixed",
                "workload.length.prefill_tokens=200",
                "workload.length.decode_tokens=20",
                "workload.interval.qps=20"));
    sets.addAll(List.of(extra));
    return ConfigLoader.bind(ConfigLoader.resolve(null, sets));
  }

  @Test
  void eachGroupIsASchedulerWithItsOwnKvCache() {
    SimulationConfig cfg =
        config(
            "Qwen/Qwen3-30B-A3B",
            "cluster.tensor_parallel=2",
            "cluster.data_parallel=2",
            "cluster.expert_parallel=4",
            "cluster.replicas=2");
    Simulation sim = Simulation.prepare(cfg, Catalog.builtin(), Path.of(""));
    assertEquals(4, sim.deployment().devicesPerReplica());
    SimulationResult r = sim.run(new LinearPredictor(sim.deployment()), List.of());
    assertEquals(4, r.kvBlocksPerReplica().size(), "2 replicas × 2 data-parallel groups");
    assertEquals(60, r.metrics().requests().size());
    for (int g = 0; g < 4; g++) {
      assertTrue(r.metrics().completed(g) > 0, "group " + g + " served requests");
    }
  }

  @Test
  void refusedForDenseModelsAndExpertCountsThatDoNotDivide() {
    ConfigException dense =
        assertThrows(
            ConfigException.class,
            () ->
                Simulation.prepare(
                    config("meta-llama/Llama-2-7b-hf", "cluster.data_parallel=2"),
                    Catalog.builtin(),
                    Path.of("")));
    assertTrue(dense.getMessage().contains("cluster.data_parallel"), dense.getMessage());
    assertTrue(dense.getMessage().contains("use cluster.replicas"), dense.getMessage());
    ConfigException ep =
        assertThrows(
            ConfigException.class,
            () ->
                Simulation.prepare(
                    config(
                        "mistralai/Mixtral-8x7B-v0.1",
                        "cluster.tensor_parallel=2",
                        "cluster.expert_parallel=3"),
                    Catalog.builtin(),
                    Path.of("")));
    assertTrue(ep.getMessage().contains("cluster.expert_parallel"), ep.getMessage());
    assertTrue(ep.getMessage().contains("1 or 2"), ep.getMessage());
  }
}
