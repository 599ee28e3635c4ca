package io.llmcap.predictors.lgbm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.predictors.profile.OpSamples;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TrainingRowsTest {
  @Test
  void runsOfImplausiblySmallTimesAreDropped() {
    // Like the A30 Qwen-2-7B attn_pre_proj: runs of ~0.002 ms among 0.1-1 ms times.
    OpSamples s = Synthetic.gemm();
    double[] y = s.targetMs().clone();
    int bad = 0;
    for (int i = 0; i < y.length; i++) {
      if ((i >= 20 && i < 30) || (i >= 100 && i < 160 && i % 3 != 0)) {
        y[i] = 0.002;
        bad++;
      }
    }
    TrainingRows r = TrainingRows.of(new OpSamples(s.op(), s.featureNames(), s.features(), y, ""));
    assertEquals(bad, r.outliers());
    assertEquals(y.length - bad, r.kept().size());
    assertTrue(Arrays.stream(r.kept().targetMs()).allMatch(v -> v > 0.01));
  }

  @Test
  void ordinaryNoiseAndSteepGrowthAreKept() {
    TrainingRows r = TrainingRows.of(Synthetic.gemm());
    assertEquals(0, r.dropped());
  }

  @Test
  void invalidAndZeroTimesAreDroppedAndCounted() {
    double[] x = {1, 2, 3, 4, 5, 6};
    double[] y = {1, Double.NaN, 0, -1, 1.1, 1.2};
    TrainingRows r = TrainingRows.of(Synthetic.of("add", x, y));
    assertEquals(2, r.invalid());
    assertEquals(1, r.zeros());
    assertEquals(3, r.kept().size());
  }

  @Test
  void allZeroMeansAbsent() {
    TrainingRows r = TrainingRows.of(Synthetic.of("add", new double[] {1, 2}, new double[] {0, 0}));
    assertTrue(r.allZero());
  }

  @Test
  void twoFeatureRowsAreComparedWithinGroupsOfTheFirstFeature() {
    // Decode-like: batch size × KV length; batch 2 is 10x slower than batch 1, which is fine.
    double[][] f = new double[12][];
    double[] y = new double[12];
    for (int i = 0; i < 12; i++) {
      int batch = i < 6 ? 1 : 2;
      f[i] = new double[] {batch, (i % 6) * 64};
      y[i] = (batch == 1 ? 0.01 : 0.1) * (1 + 0.01 * i);
    }
    y[8] = 0.001; // 100x too fast for its neighbours
    OpSamples s =
        new OpSamples("attn_decode", new String[] {"batch_size", "kv_cache_size"}, f, y, "");
    TrainingRows r = TrainingRows.of(s);
    assertEquals(1, r.outliers());
    assertEquals(11, r.kept().size());
  }
}
