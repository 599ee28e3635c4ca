package io.llmcap.predictors.lgbm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.predictors.profile.OpSamples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CachingTrainerTest {
  @TempDir Path dir;

  @Test
  void aSecondTrainingComesFromTheCache() throws Exception {
    ModelCache cache = new ModelCache(dir);
    CachingTrainer trainer = new CachingTrainer(new LightGbmTrainer(), cache);
    OpSamples s = Synthetic.gemm();
    TrainedModel first = trainer.fit(s);
    assertEquals(1, entries());
    Path entry = cache.entry(CachingTrainer.NAMESPACE, trainer.key(s));
    long written = Files.getLastModifiedTime(entry).toMillis();
    TrainedModel second = new CachingTrainer(new LightGbmTrainer(), cache).fit(s);
    assertEquals(first, second);
    assertEquals(written, Files.getLastModifiedTime(entry).toMillis());
    // Compressed model text: a 20k-token-grid GBM is a few tens of kB.
    assertTrue(Files.size(entry) < 200_000, "entry size " + Files.size(entry));
  }

  @Test
  void otherSamplesOrSettingsGetOtherKeys() {
    ModelCache cache = new ModelCache(dir);
    CachingTrainer trainer = new CachingTrainer(new LightGbmTrainer(), cache);
    OpSamples s = Synthetic.gemm();
    double[] y = s.targetMs().clone();
    y[3] *= 1.01;
    OpSamples changed = new OpSamples(s.op(), s.featureNames(), s.features(), y, s.source());
    OpSamples moved =
        new OpSamples(s.op(), s.featureNames(), s.features(), s.targetMs(), "elsewhere");
    assertNotEquals(trainer.key(s), trainer.key(changed));
    assertEquals(trainer.key(s), trainer.key(moved));
    var d = LightGbmTrainer.DEFAULTS;
    var other =
        new LightGbmTrainer.Settings(
            d.grid().subList(0, 1),
            d.logTarget(),
            d.objective(),
            d.linearTree(),
            d.minDataInLeaf(),
            d.maxBin(),
            d.folds(),
            d.seed());
    assertNotEquals(trainer.key(s), new CachingTrainer(new LightGbmTrainer(other), cache).key(s));
  }

  private long entries() throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve(CachingTrainer.NAMESPACE))) {
      return s.filter(p -> p.toString().endsWith(".bin")).count();
    }
  }
}
