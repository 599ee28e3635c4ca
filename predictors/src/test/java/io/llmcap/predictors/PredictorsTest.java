package io.llmcap.predictors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.base.ConfigException;
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
}
