package io.llmcap.predictors.lgbm;

import io.llmcap.predictors.profile.OpSamples;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;

/**
 * A deterministic train / test split of one operator's samples and the held-out MAPE of a trainer
 * on it.
 */
public final class HeldOut {
  public static final double TEST_FRACTION = 0.2;
  private static final long SEED = 20240605L;

  private HeldOut() {}

  /** Rows that training keeps (see {@link TrainingRows}), split into train and test. */
  public record Split(OpSamples train, OpSamples test, TrainingRows cleaned) {}

  /**
   * Cleans the samples, then holds out {@link #TEST_FRACTION} of the rows, drawn with a fixed seed
   * from the rows in feature order: the same rows whatever order the file lists them in.
   */
  public static Split split(OpSamples samples) {
    TrainingRows cleaned = TrainingRows.of(samples);
    OpSamples s = cleaned.kept();
    Integer[] order = new Integer[s.size()];
    Arrays.setAll(order, i -> i);
    Arrays.sort(
        order,
        Comparator.<Integer, double[]>comparing(i -> s.features()[i], Arrays::compare)
            .thenComparingDouble(i -> s.targetMs()[i]));
    SplittableRandom random = new SplittableRandom(SEED);
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      Integer t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    int test = (int) Math.round(s.size() * TEST_FRACTION);
    boolean[] isTest = new boolean[s.size()];
    for (int k = 0; k < test; k++) {
      isTest[order[k]] = true;
    }
    return new Split(subset(s, isTest, false), subset(s, isTest, true), cleaned);
  }

  /** Held-out result of one operator. */
  public record Result(Split split, TrainedModel model, double[] predictedMs, double mapePercent) {}

  public static Result evaluate(Split split, LightGbmTrainer trainer) {
    TrainedModel model = trainer.fit(split.train());
    double[] predicted = model.load().predict(split.test().features());
    return new Result(split, model, predicted, Mape.of(split.test().targetMs(), predicted));
  }

  private static OpSamples subset(OpSamples s, boolean[] isTest, boolean wanted) {
    int n = 0;
    for (boolean t : isTest) {
      n += t == wanted ? 1 : 0;
    }
    double[][] f = new double[n][];
    double[] y = new double[n];
    int j = 0;
    for (int i = 0; i < isTest.length; i++) {
      if (isTest[i] == wanted) {
        f[j] = s.features()[i];
        y[j++] = s.targetMs()[i];
      }
    }
    return new OpSamples(s.op(), s.featureNames(), f, y, s.source());
  }
}
