package io.llmcap.predictors.roofline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.catalog.Catalog;
import io.llmcap.config.SimulationConfig;
import io.llmcap.engine.Simulation;
import io.llmcap.predictors.Predictors;
import io.llmcap.setup.ConfigLoader;
import io.llmcap.timing.ExecutionTimePredictor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each pool of a disaggregated run is costed with its own scheduler caps (CUDA graph sizes). */
class PoolEngineCostsTest {
  @Test
  void aDecodePoolWithASmallBatchCapRunsLargeBatchesEagerly() {
    SimulationConfig c =
        ConfigLoader.bind(
            ConfigLoader.resolve(
                null,
                List.of(
                    "cluster.model=meta-llama/Llama-3.1-8B-Instruct",
                    "cluster.sku=h100",
                    "cluster.node=h100_dgx",
                    "predictor.type=roofline",
                    "cluster.disaggregation.prefill.tensor_parallel=1",
                    "cluster.disaggregation.decode.tensor_parallel=1",
                    // vLLM graphs up to min(2 × max_num_seqs, 512, budget) tokens: 512 vs 16
                    "cluster.disaggregation.decode.batch_size_cap=8")));
    Simulation sim = Simulation.prepare(c, Catalog.builtin(), Path.of(""));
    List<ExecutionTimePredictor> p = Predictors.forPools(c, sim, Path.of(""));
    assertEquals(2, p.size());
    assertEquals(sim.deployments().get(0), sim.deployments().get(1));
    // a batch of 20 decodes is inside the prefill pool's graphs only: the decode pool launches
    // its kernels one by one
    double prefillPool = p.get(0).predict(Fixtures.decodes(20, 1000), 0).totalSeconds();
    double decodePool = p.get(1).predict(Fixtures.decodes(20, 1000), 0).totalSeconds();
    assertTrue(decodePool > prefillPool, decodePool + " vs " + prefillPool);
    // both graph a batch of 4 alike
    assertEquals(
        p.get(0).predict(Fixtures.decodes(4, 1000), 0).totalSeconds(),
        p.get(1).predict(Fixtures.decodes(4, 1000), 0).totalSeconds(),
        1e-15);
  }
}
