package io.llmcap.predictors.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.Deployment;
import io.llmcap.config.SimulationConfig;
import io.llmcap.predictors.Predictors;
import io.llmcap.setup.ConfigLoader;
import io.llmcap.timing.ExecutionTimePredictor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The serving-level parameters: the file, their checks, and who carries the client path. */
class ServingParamsTest {
  @Test
  void readsTheThreeParametersFromAFile(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("serving.yaml");
    Files.writeString(
        f,
        "params:\n  allreduce_latency_us: 21.5\n  step_overhead_ms: 1.25\n  client_path_ms: 4.5\n");
    assertEquals(new ServingParams(21.5, 1.25, 4.5), ServingParams.read(f));
  }

  @Test
  void theShippedClientPathIsAFewMilliseconds() {
    double ms = ServingParams.builtin().clientPathMs();
    assertTrue(ms > 0 && ms < 15, "a front-end path of " + ms + " ms");
  }

  @Test
  void aMissingOrNonNumericParameterIsNamed(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("serving.yaml");
    Files.writeString(f, "params:\n  allreduce_latency_us: 21.5\n  step_overhead_ms: 1.25\n");
    ConfigException e = assertThrows(ConfigException.class, () -> ServingParams.read(f));
    assertEquals(
        f + ": params.client_path_ms: missing; allowed: a finite number ≥ 0", e.getMessage());
    Files.writeString(
        f,
        "params:\n  allreduce_latency_us: 21.5\n  step_overhead_ms: 1.25\n  client_path_ms: fast\n");
    e = assertThrows(ConfigException.class, () -> ServingParams.read(f));
    assertTrue(e.getMessage().contains("params.client_path_ms: value 'fast' is not a number"));
  }

  @Test
  void aNegativeOrNonFiniteParameterIsRejectedNamingFieldValueAndAllowed(@TempDir Path tmp)
      throws Exception {
    Path f = tmp.resolve("serving.yaml");
    Files.writeString(
        f,
        "params:\n  allreduce_latency_us: 21.5\n  step_overhead_ms: 1.25\n  client_path_ms: -3\n");
    ConfigException e = assertThrows(ConfigException.class, () -> ServingParams.read(f));
    assertEquals(
        f + ": params.client_path_ms: value '-3.0' is not allowed; allowed: a finite number ≥ 0",
        e.getMessage());
    for (double bad : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY}) {
      ConfigException c = assertThrows(ConfigException.class, () -> new ServingParams(20, 1, bad));
      assertTrue(c.getMessage().startsWith("params.client_path_ms: value '"), c.getMessage());
    }
  }

  @Test
  void onlyTheVllmV1EngineModelCarriesTheClientPath() {
    ServingParams serving = new ServingParams(24, 1.5, 4.25);
    assertEquals(4.25e-3, predictor("vllm_v1", serving).clientPathSeconds(), 1e-15);
    assertTrue(predictor("vllm_v1", serving).describe().contains("4.25 ms client path"));
    for (String reference : new String[] {"vllm", "sarathi", "orca"}) {
      assertEquals(0, predictor(reference, serving).clientPathSeconds(), reference);
    }
  }

  private static ExecutionTimePredictor predictor(String scheduler, ServingParams serving) {
    var tree = ConfigLoader.defaults();
    ConfigLoader.set(tree, "scheduler.type=" + scheduler);
    ConfigLoader.set(tree, "predictor.type=roofline");
    SimulationConfig config = ConfigLoader.bind(tree);
    Catalog c = Catalog.builtin();
    Deployment d =
        new Deployment(
            c.model("meta-llama/Llama-2-7b-hf", "m"),
            c.sku("h100", "s"),
            c.node("h100_dgx", "n"),
            1,
            1);
    return Predictors.create(config, d, Path.of(""), serving);
  }
}
