package io.llmcap.predictors.lgbm;

import io.github.metarank.lightgbm4j.LGBMBooster;
import io.github.metarank.lightgbm4j.LGBMDataset;
import io.github.metarank.lightgbm4j.LGBMException;
import io.llmcap.base.ConfigException;
import io.llmcap.predictors.model.OpRegressor;
import io.llmcap.predictors.model.OpTrainer;
import io.llmcap.predictors.profile.OpSamples;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One LightGBM regressor per operator, its hyperparameters chosen by k-fold cross-validated MAPE
 * over a small grid and refit on all rows.
 *
 * <p>Deterministic: one thread, {@code deterministic=true}, col-wise histograms forced (LightGBM
 * otherwise picks by a timing test), no bagging, fixed seeds and folds fixed by the rows' feature
 * order, so the same samples give the same model string and predictions. Thread-safe: trainings of
 * different operators may run in parallel.
 */
public final class LightGbmTrainer implements OpTrainer {
  private static final Logger log = LoggerFactory.getLogger(LightGbmTrainer.class);

  /** One point of the hyperparameter grid. */
  public record Candidate(int numLeaves, double learningRate, int iterations) {}

  /**
   * Training settings. {@code logTarget}: fit ln(ms) (MAPE is about ratios, and times span four
   * decades); {@code objective}: LightGBM's loss on that target; {@code linearTree}: leaves hold a
   * linear model of the features instead of a constant, so predictions between the profiled grid
   * points follow the profile's slope instead of a step.
   */
  public record Settings(
      List<Candidate> grid,
      boolean logTarget,
      String objective,
      boolean linearTree,
      int minDataInLeaf,
      int maxBin,
      int folds,
      int seed) {
    public Settings {
      grid = List.copyOf(grid);
    }

    /** Part of every cache key: any change retrains. */
    public String fingerprint() {
      return toString() + " lightgbm4j=" + NativeLibrary.libraryVersion();
    }
  }

  /**
   * The default search: num_leaves 15, 31, 63 × 30, 60, 100 iterations at learning rate 0.2, at
   * least 3 rows per leaf, on ln(ms) with L2 loss and linear leaves. One boosting run per leaf
   * count and fold serves all three iteration counts, so the shrinkage / iteration trade-off is
   * searched along the iterations. Held-out MAPE, median over the measured MLP ops / A30 prefill /
   * A30 decode: ln(ms) with constant leaves 2.0 / 2.5 / 1.4%, with linear leaves 1.9 / 2.4 / 1.2%;
   * on the shipped roofline profiles' sparse attention grids constant leaves err 4-8%, linear ones
   * 2-3%. On a subset, raw ms did worse on attention (prefill 3.7%, decode 2.5%) and L1 on ln(ms)
   * everywhere (MLP 2.3%). LightGBM's own {@code mape} objective weights rows by 1/max(1, y), which
   * for times under 1 ms is plain L1.
   */
  public static final Settings DEFAULTS =
      new Settings(
          grid(List.of(15, 31, 63), 0.2, List.of(30, 60, 100)),
          true,
          "regression",
          true,
          3,
          1023,
          5,
          42);

  private static List<Candidate> grid(List<Integer> leaves, double rate, List<Integer> iterations) {
    List<Candidate> grid = new ArrayList<>();
    for (int l : leaves) {
      for (int i : iterations) {
        grid.add(new Candidate(l, rate, i));
      }
    }
    return grid;
  }

  private static final int FEW_ROWS = 10;
  private static final int MIN_ROWS = 4;

  private final Settings settings;

  public LightGbmTrainer() {
    this(DEFAULTS);
  }

  public LightGbmTrainer(Settings settings) {
    this.settings = settings;
  }

  public Settings settings() {
    return settings;
  }

  @Override
  public OpRegressor train(OpSamples samples) {
    return fit(samples).load();
  }

  /** Trains and returns the storable model. */
  public TrainedModel fit(OpSamples samples) {
    TrainingRows rows = TrainingRows.of(samples);
    if (rows.allZero()) {
      return new TrainedModel.Constant(0);
    }
    if (rows.dropped() > 0) {
      log.info(
          "{} from {}: fitting {} of {} rows ({} invalid, {} zero, {} >{}x off their neighbours)",
          samples.op(),
          samples.source(),
          rows.kept().size(),
          samples.size(),
          rows.invalid(),
          rows.zeros(),
          rows.outliers(),
          (int) TrainingRows.OUTLIER_FACTOR);
    }
    OpSamples s = rows.kept();
    if (s.size() == 0) {
      throw new ConfigException(
          samples.source(), "no usable rows for operator " + samples.op() + " (all invalid)");
    }
    if (s.size() < MIN_ROWS) {
      double[] y = s.targetMs().clone();
      Arrays.sort(y);
      return new TrainedModel.Constant(y[y.length / 2]);
    }
    NativeLibrary.load();
    try {
      return search(s);
    } catch (LGBMException e) {
      throw new IllegalStateException(
          "LightGBM failed on " + samples.op() + " from " + samples.source() + ": " + e, e);
    }
  }

  private TrainedModel search(OpSamples s) throws LGBMException {
    int n = s.size();
    int cols = s.featureNames().length;
    int k = n < FEW_ROWS ? 2 : settings.folds();
    int[] fold = folds(s, k);
    double[] y = s.targetMs();

    // One boosting run per (leaves, rate) and fold serves every iteration count of that pair:
    // boost to the smallest count, predict, boost on to the next. (lightgbm4j predicts with all
    // trees built so far; a num_iteration predict parameter is ignored.)
    Map<List<Object>, List<Candidate>> runs = new LinkedHashMap<>();
    for (Candidate c : settings.grid()) {
      runs.computeIfAbsent(List.of(c.numLeaves(), c.learningRate()), x -> new ArrayList<>()).add(c);
    }
    for (List<Candidate> group : runs.values()) {
      group.sort(Comparator.comparingInt(Candidate::iterations));
    }
    Map<Candidate, double[]> heldOut = new LinkedHashMap<>();
    for (Candidate c : settings.grid()) {
      heldOut.put(c, new double[n]);
    }
    for (int f = 0; f < k; f++) {
      int[] train = indices(fold, f, false);
      int[] test = indices(fold, f, true);
      if (train.length == 0 || test.length == 0) {
        continue;
      }
      double[] testFlat = flatten(s.features(), test, cols);
      try (LGBMDataset ds = dataset(s, train)) {
        for (List<Candidate> group : runs.values()) {
          try (LGBMBooster b = LGBMBooster.create(ds, boosterParams(group.get(0)))) {
            int done = 0;
            for (Candidate c : group) {
              boost(b, c.iterations() - done);
              done = c.iterations();
              double[] p =
                  LightGbmRegressor.predictFlat(
                      b, testFlat, test.length, cols, LightGbmRegressor.PREDICT_PARAMS);
              double[] out = heldOut.get(c);
              for (int i = 0; i < test.length; i++) {
                out[test[i]] = toMs(p[i]);
              }
            }
          }
        }
      }
    }
    Candidate best = null;
    double bestMape = Double.POSITIVE_INFINITY;
    for (Map.Entry<Candidate, double[]> e : heldOut.entrySet()) {
      double mape = Mape.of(y, e.getValue());
      if (mape < bestMape) {
        best = e.getKey();
        bestMape = mape;
      }
    }
    int[] all = new int[n];
    Arrays.setAll(all, i -> i);
    try (LGBMDataset ds = dataset(s, all);
        LGBMBooster b = LGBMBooster.create(ds, boosterParams(best))) {
      boost(b, best.iterations());
      String model = b.saveModelToString(0, 0, LGBMBooster.FeatureImportanceType.SPLIT);
      return new TrainedModel.Gbm(model, settings.logTarget(), cols, best, bestMape);
    }
  }

  private double toMs(double prediction) {
    return settings.logTarget() ? Math.exp(prediction) : Math.max(0, prediction);
  }

  private static void boost(LGBMBooster b, int iterations) throws LGBMException {
    for (int i = 0; i < iterations; i++) {
      if (b.updateOneIter()) {
        break; // no split improves any more
      }
    }
  }

  /** Fold of each row: rows sorted by their features, dealt round-robin (every k-th row). */
  static int[] folds(OpSamples s, int k) {
    Integer[] order = new Integer[s.size()];
    Arrays.setAll(order, i -> i);
    Arrays.sort(
        order,
        Comparator.<Integer, double[]>comparing(i -> s.features()[i], Arrays::compare)
            .thenComparingInt(i -> i));
    int[] fold = new int[s.size()];
    for (int rank = 0; rank < order.length; rank++) {
      fold[order[rank]] = rank % k;
    }
    return fold;
  }

  private static int[] indices(int[] fold, int f, boolean in) {
    return IntStream.range(0, fold.length).filter(i -> (fold[i] == f) == in).toArray();
  }

  private static double[] flatten(double[][] rows, int[] idx, int cols) {
    double[] flat = new double[idx.length * cols];
    for (int i = 0; i < idx.length; i++) {
      System.arraycopy(rows[idx[i]], 0, flat, i * cols, cols);
    }
    return flat;
  }

  private LGBMDataset dataset(OpSamples s, int[] idx) throws LGBMException {
    int cols = s.featureNames().length;
    LGBMDataset ds =
        LGBMDataset.createFromMat(
            flatten(s.features(), idx, cols), idx.length, cols, true, commonParams(), null);
    float[] label = new float[idx.length];
    for (int i = 0; i < idx.length; i++) {
      double y = s.targetMs()[idx[i]];
      label[i] = (float) (settings.logTarget() ? Math.log(y) : y);
    }
    ds.setField("label", label);
    ds.setFeatureNames(s.featureNames());
    return ds;
  }

  private String commonParams() {
    return String.format(
        Locale.ROOT,
        "max_bin=%d min_data_in_bin=1 feature_pre_filter=false min_data_in_leaf=%d linear_tree=%b"
            + " num_threads=1 deterministic=true force_col_wise=true seed=%d verbosity=-1",
        settings.maxBin(),
        settings.minDataInLeaf(),
        settings.linearTree(),
        settings.seed());
  }

  private String boosterParams(Candidate c) {
    return String.format(
        Locale.ROOT,
        "%s objective=%s num_leaves=%d learning_rate=%s min_sum_hessian_in_leaf=0"
            + " bagging_fraction=1 feature_fraction=1",
        commonParams(),
        settings.objective(),
        c.numLeaves(),
        c.learningRate());
  }
}
