package io.llmcap.predictors.lgbm;

import com.microsoft.ml.lightgbm.PredictionType;
import io.github.metarank.lightgbm4j.LGBMBooster;
import io.github.metarank.lightgbm4j.LGBMException;
import io.llmcap.predictors.model.OpRegressor;
import java.lang.ref.Cleaner;

/**
 * A loaded LightGBM model. Thread-safe: LightGBM locks inside predict, and every call uses the same
 * predict parameters (different ones race, LightGBM issue #6142). The native booster is freed when
 * this object becomes unreachable.
 */
final class LightGbmRegressor implements OpRegressor {
  // One native call per this many rows bounds the native copy of the feature matrix.
  private static final int CHUNK_ROWS = 1 << 16;
  // One thread: callers (table building, Spark tasks) parallelise across operators. Quiet: every
  // LightGBM call resets its (thread-local) log level from its own parameters, so a predict without
  // verbosity=-1 would let the next training on this thread print warnings to stdout.
  static final String PREDICT_PARAMS = "num_threads=1 verbosity=-1";
  private static final Cleaner CLEANER = Cleaner.create();

  private final LGBMBooster booster;
  private final boolean logTarget;
  private final int numFeatures;

  private LightGbmRegressor(LGBMBooster booster, boolean logTarget, int numFeatures) {
    this.booster = booster;
    this.logTarget = logTarget;
    this.numFeatures = numFeatures;
    CLEANER.register(this, () -> close(booster));
  }

  static LightGbmRegressor fromString(String model, boolean logTarget, int numFeatures) {
    NativeLibrary.load();
    try {
      return new LightGbmRegressor(LGBMBooster.loadModelFromString(model), logTarget, numFeatures);
    } catch (LGBMException e) {
      throw new IllegalStateException("cannot load a LightGBM model: " + e.getMessage(), e);
    }
  }

  @Override
  public double[] predict(double[][] rows) {
    double[] out = new double[rows.length];
    for (int start = 0; start < rows.length; start += CHUNK_ROWS) {
      int n = Math.min(CHUNK_ROWS, rows.length - start);
      double[] flat = new double[n * numFeatures];
      for (int i = 0; i < n; i++) {
        double[] row = rows[start + i];
        if (row.length != numFeatures) {
          throw new IllegalArgumentException(
              "row " + (start + i) + " has " + row.length + " features, expected " + numFeatures);
        }
        System.arraycopy(row, 0, flat, i * numFeatures, numFeatures);
      }
      double[] p = predictFlat(booster, flat, n, numFeatures, PREDICT_PARAMS);
      for (int i = 0; i < n; i++) {
        out[start + i] = logTarget ? Math.exp(p[i]) : Math.max(0, p[i]);
      }
    }
    return out;
  }

  static double[] predictFlat(LGBMBooster b, double[] flat, int rows, int cols, String params) {
    try {
      return b.predictForMat(flat, rows, cols, true, PredictionType.C_API_PREDICT_NORMAL, params);
    } catch (LGBMException e) {
      throw new IllegalStateException("LightGBM prediction failed: " + e.getMessage(), e);
    }
  }

  private static void close(LGBMBooster booster) {
    try {
      booster.close();
    } catch (LGBMException e) {
      // Freeing native memory at collection time: nothing left to do on failure.
    }
  }
}
