package io.llmcap.predictors.lgbm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.llmcap.predictors.profile.OpSamples;
import java.util.Arrays;
import java.util.Comparator;
import org.junit.jupiter.api.Test;

class HeldOutTest {
  @Test
  void holdsOutAFifthOfTheRowsWhateverTheirOrder() {
    OpSamples s = Synthetic.gemm();
    HeldOut.Split a = HeldOut.split(s);
    assertEquals(Math.round(s.size() * 0.2), a.test().size());
    assertEquals(s.size(), a.train().size() + a.test().size());

    Integer[] reversed = new Integer[s.size()];
    Arrays.setAll(reversed, i -> s.size() - 1 - i);
    double[][] f = Arrays.stream(reversed).map(i -> s.features()[i]).toArray(double[][]::new);
    double[] y = Arrays.stream(reversed).mapToDouble(i -> s.targetMs()[i]).toArray();
    HeldOut.Split b = HeldOut.split(new OpSamples(s.op(), s.featureNames(), f, y, ""));
    assertArrayEquals(sortedTokens(a.test()), sortedTokens(b.test()));
  }

  @Test
  void cvFoldsDealRowsInFeatureOrder() {
    int[] folds = LightGbmTrainer.folds(Synthetic.gemm(), 5);
    assertEquals(0, folds[0]);
    assertEquals(4, folds[4]);
    assertEquals(0, folds[5]);
  }

  private static double[] sortedTokens(OpSamples s) {
    return Arrays.stream(s.features())
        .sorted(Comparator.comparingDouble(r -> r[0]))
        .mapToDouble(r -> r[0])
        .toArray();
  }
}
