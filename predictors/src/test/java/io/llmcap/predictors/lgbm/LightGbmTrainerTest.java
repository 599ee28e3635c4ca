package io.llmcap.predictors.lgbm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.base.ConfigException;
import io.llmcap.predictors.model.OpRegressor;
import io.llmcap.predictors.profile.OpSamples;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LightGbmTrainerTest {
  private static final LightGbmTrainer TRAINER = new LightGbmTrainer();

  @Test
  void sameSamplesGiveTheSameModelAndPredictions() {
    OpSamples s = Synthetic.gemm();
    TrainedModel.Gbm a = assertInstanceOf(TrainedModel.Gbm.class, TRAINER.fit(s));
    TrainedModel.Gbm b = assertInstanceOf(TrainedModel.Gbm.class, new LightGbmTrainer().fit(s));
    assertEquals(a.modelString(), b.modelString());
    assertEquals(a.chosen(), b.chosen());
    double[][] grid = grid(1, 8192, 7);
    assertArrayEquals(a.load().predict(grid), b.load().predict(grid));
  }

  @Test
  void crossValidationScoresEachIterationCount() {
    // One tree at rate 0.2 is far from the profile: the search must see that.
    var grid =
        List.of(
            new LightGbmTrainer.Candidate(15, 0.2, 1), new LightGbmTrainer.Candidate(15, 0.2, 60));
    var d = LightGbmTrainer.DEFAULTS;
    var settings =
        new LightGbmTrainer.Settings(
            grid,
            d.logTarget(),
            d.objective(),
            d.linearTree(),
            d.minDataInLeaf(),
            d.maxBin(),
            d.folds(),
            d.seed());
    TrainedModel.Gbm m =
        assertInstanceOf(
            TrainedModel.Gbm.class, new LightGbmTrainer(settings).fit(Synthetic.gemm()));
    assertEquals(60, m.chosen().iterations());
    assertTrue(m.cvMapePercent() < 5, "CV MAPE " + m.cvMapePercent());
  }

  @Test
  void aStoredModelPredictsBitForBitAsTrained() throws Exception {
    TrainedModel m = TRAINER.fit(Synthetic.gemm());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    m.write(bytes);
    TrainedModel back = TrainedModel.read(new ByteArrayInputStream(bytes.toByteArray()));
    assertEquals(m, back);
    double[][] grid = grid(1, 4096, 1);
    assertArrayEquals(m.load().predict(grid), back.load().predict(grid));
  }

  @Test
  void heldOutErrorOnASmoothProfileIsSmall() {
    HeldOut.Result r = HeldOut.evaluate(HeldOut.split(Synthetic.gemm()), TRAINER);
    assertTrue(r.mapePercent() < 3, "held-out MAPE " + r.mapePercent());
    assertEquals(52, r.split().test().size());
  }

  @Test
  void predictionsArePositiveAndFollowTheProfile() {
    OpRegressor reg = TRAINER.train(Synthetic.gemm());
    double[] p = reg.predict(new double[][] {{1}, {64}, {2048}, {4096}});
    assertEquals(0.05, p[0], 0.005);
    assertEquals(4.1, p[2], 0.2);
    assertEquals(8.2, p[3], 0.4);
  }

  @Test
  void anOperatorThatTakesNoTimePredictsZero() {
    double[] x = Synthetic.tokens();
    TrainedModel m = TRAINER.fit(Synthetic.of("attn_kv_cache_save", x, new double[x.length]));
    assertEquals(new TrainedModel.Constant(0), m);
    assertArrayEquals(new double[] {0, 0}, m.load().predict(new double[][] {{1}, {4096}}));
  }

  @Test
  void veryFewRowsGiveTheirMedian() {
    TrainedModel m =
        TRAINER.fit(Synthetic.of("add", new double[] {1, 2, 3}, new double[] {1, 5, 2}));
    assertEquals(new TrainedModel.Constant(2), m);
  }

  @Test
  void noUsableRowIsAClearError() {
    OpSamples bad = Synthetic.of("add", new double[] {1, 2}, new double[] {Double.NaN, -1});
    ConfigException e = assertThrows(ConfigException.class, () -> TRAINER.fit(bad));
    assertTrue(e.getMessage().contains("add"), e.getMessage());
  }

  @Test
  void aSharedRegressorPredictsTheSameFromManyThreads() throws Exception {
    OpRegressor reg = TRAINER.train(Synthetic.gemm());
    double[][] grid = grid(1, 16384, 3);
    double[] expected = reg.predict(grid);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<double[]>> fs = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        fs.add(pool.submit(() -> reg.predict(grid)));
      }
      for (Future<double[]> f : fs) {
        assertArrayEquals(expected, f.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void lightGbmPrintsNothing() throws Exception {
    // LightGBM's native code writes to the process's stdout, out of System.out's reach.
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                QuietWorker.class.getName())
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue());
    assertEquals("ok", out.strip());
  }

  @Test
  void mapeFollowsTheReferenceDefinition() {
    assertEquals(10, Mape.of(new double[] {1, 2}, new double[] {1.1, 1.8}), 1e-9);
    // y = 0: 0 when predicted exactly, else 100.
    assertEquals(50, Mape.of(new double[] {0, 0}, new double[] {0, 3}), 1e-9);
  }

  private static double[][] grid(int from, int to, int step) {
    List<double[]> rows = new ArrayList<>();
    for (int t = from; t <= to; t += step) {
      rows.add(new double[] {t});
    }
    return rows.toArray(new double[0][]);
  }
}
