package io.llmcap.predictors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.Deployment;
import io.llmcap.config.SimulationConfig.PredictorConfig;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PredictorsTest {
  @Test
  void profileFoldersAreSeparatedByThePathSeparatorAndResolveAgainstTheConfigFolder() {
    Path base = Path.of("/configs");
    assertEquals(
        List.of(Path.of("/configs/measured"), Path.of("/data/synthetic")),
        Predictors.profileRoots("measured" + File.pathSeparator + "/data/synthetic", base));
  }

  @Test
  void withoutProfilesTheShippedRooflineProfilesAreUsed() {
    List<Path> roots = Predictors.profileRoots(null, Path.of(""));
    assertEquals(1, roots.size());
    assertTrue(roots.get(0).endsWith(Path.of("profiles", "roofline")), roots.toString());
    assertTrue(Files.isDirectory(roots.get(0)));
  }

  @Test
  void unknownTypesNameTheKnownOnes() {
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> Predictors.check(new PredictorConfig("lightgbn", null)));
    assertTrue(e.getMessage().contains("did you mean 'lightgbm'"), e.getMessage());
  }

  private static Deployment on(String model, String sku, String node, int tp) {
    Catalog c = Catalog.builtin();
    return new Deployment(c.model(model, "m"), c.sku(sku, "s"), c.node(node, "n"), tp, 1);
  }

  @Test
  void moeModelsAndModelsWithoutShippedProfilesGoThroughTheRoofline() {
    for (String type : List.of(Predictors.LIGHTGBM, Predictors.RANDOM_FOREST)) {
      String moe =
          Predictors.create(
                  new PredictorConfig(type, null),
                  on("mistralai/Mixtral-8x7B-v0.1", "h100", "h100_dgx", 2))
              .describe();
      assertTrue(moe.startsWith("roofline"), moe);
      String unprofiled =
          Predictors.create(
                  new PredictorConfig(type, null),
                  on("meta-llama/Llama-3.1-70B-Instruct", "h100", "h100_dgx", 4))
              .describe();
      assertTrue(unprofiled.startsWith("roofline"), unprofiled);
    }
  }

  @Test
  void namedProfilesForAnMoeModelAreRefused() {
    Path shipped = Predictors.shippedRooflineProfiles();
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                Predictors.create(
                    new PredictorConfig(Predictors.LIGHTGBM, shipped.toString()),
                    on("Qwen/Qwen3-30B-A3B", "h100", "h100_dgx", 1)));
    assertTrue(e.getMessage().contains("mixture-of-experts"), e.getMessage());
  }
}
