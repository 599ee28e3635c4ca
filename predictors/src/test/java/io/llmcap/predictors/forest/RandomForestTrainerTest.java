package io.llmcap.predictors.forest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.base.ConfigException;
import io.llmcap.predictors.model.OpRegressor;
import io.llmcap.predictors.profile.OpSamples;
import org.junit.jupiter.api.Test;

class RandomForestTrainerTest {
  private static final RandomForestTrainer FOREST =
      new RandomForestTrainer(new RandomForestTrainer.Settings(100, 32, 1, 42));

  /** GEMM-like times every 8 tokens with a step just above 512 tokens. */
  private static OpSamples stepped() {
    int n = 128;
    double[][] x = new double[n][];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      int tokens = 8 * (i + 1);
      x[i] = new double[] {tokens};
      y[i] = 0.01 * tokens + (tokens > 512 ? 2 : 0);
    }
    return new OpSamples("mlp_up_proj", new String[] {"num_tokens"}, x, y, "test");
  }

  private static double[][] keys(int... tokens) {
    double[][] rows = new double[tokens.length][];
    for (int i = 0; i < tokens.length; i++) {
      rows[i] = new double[] {tokens[i]};
    }
    return rows;
  }

  @Test
  void sameSamplesGiveTheSamePredictions() {
    double[][] rows = keys(8, 100, 512, 520, 1000);
    assertArrayEquals(FOREST.train(stepped()).predict(rows), FOREST.train(stepped()).predict(rows));
  }

  @Test
  void followsTheProfileAndBlendsNeighboursAtAStep() {
    OpRegressor m = FOREST.train(stepped());
    double[] p = m.predict(keys(256, 800, 512, 520));
    assertEquals(2.56, p[0], 0.1);
    assertEquals(10.0, p[1], 0.1);
    // Bootstrap samples that leave a row out predict it from a neighbour: at the step the forest
    // sits between the rows on either side, as the reference's forest does.
    assertTrue(p[2] > 5.12 + 0.05 && p[2] < 5.2 + 2, "512 tokens: " + p[2]);
    assertTrue(p[3] < 7.2 - 0.05 && p[3] > 5.12, "520 tokens: " + p[3]);
  }

  @Test
  void twoFeaturesSplitOnTheRightColumns() {
    int n = 0;
    double[][] x = new double[64][];
    double[] y = new double[64];
    for (int b = 1; b <= 8; b++) {
      for (int kv = 1; kv <= 8; kv++) {
        x[n] = new double[] {b, 1024 * kv};
        y[n++] = 0.01 + 0.001 * b * kv;
      }
    }
    OpSamples s =
        new OpSamples("attn_decode", new String[] {"batch_size", "kv_cache_size"}, x, y, "test");
    double[] p = FOREST.train(s).predict(new double[][] {{8, 8192}, {1, 1024}, {8, 1024}});
    assertEquals(0.074, p[0], 0.01);
    assertEquals(0.011, p[1], 0.005);
    assertEquals(0.018, p[2], 0.008);
  }

  @Test
  void noUsableRowIsAClearError() {
    OpSamples s =
        new OpSamples(
            "add",
            new String[] {"num_tokens"},
            new double[][] {{1}},
            new double[] {Double.NaN},
            "f");
    ConfigException e = assertThrows(ConfigException.class, () -> FOREST.train(s));
    assertTrue(e.getMessage().contains("add"), e.getMessage());
  }
}
