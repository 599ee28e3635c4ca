package io.llmcap.predictors.forest;

import io.llmcap.base.ConfigException;
import io.llmcap.predictors.model.OpRegressor;
import io.llmcap.predictors.model.OpTrainer;
import io.llmcap.predictors.profile.OpSamples;
import java.util.ArrayList;
import java.util.List;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.ensemble.BaggingTrainer;
import org.tribuo.ensemble.EnsembleModel;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.ensemble.AveragingCombiner;
import org.tribuo.regression.rtree.CARTRegressionTrainer;
import org.tribuo.regression.rtree.impurity.MeanSquaredError;

/**
 * The reference simulator's operator-time model: a random forest of CART regression trees on
 * bootstrap samples of the profile rows (Tribuo's bagging), fitted to the raw median time in ms.
 *
 * <p>Kept beside LightGBM because it is what the reference's results are made of: a fully grown
 * forest predicts at a profiled token count a blend of that row and its neighbours (the rows a
 * bootstrap sample left out), which rounds off steps in the profile such as the jump of GEMM times
 * just above 512 tokens. Replaying a reference run with this model lands within 5% of its latency
 * percentiles, where LightGBM's closer fit of the step lands up to 16% away near saturation.
 *
 * <p>Deterministic: bootstrap and tree seeds are fixed, and predictions use the trees compiled into
 * a {@link CompiledForest}.
 */
public final class RandomForestTrainer implements OpTrainer {
  /** Forest settings; {@code minSamplesLeaf}: the fewest rows a leaf may hold. */
  public record Settings(int trees, int maxDepth, int minSamplesLeaf, long seed) {
    /** Part of every cache key: any change retrains. */
    public String fingerprint() {
      return toString() + " tribuo=" + org.tribuo.Tribuo.VERSION;
    }
  }

  private static final String TARGET = "ms";

  // Tribuo logs every tree at INFO through java.util.logging; held so the level is not collected.
  private static final java.util.logging.Logger TRIBUO_LOG = quiet();

  private static java.util.logging.Logger quiet() {
    java.util.logging.Logger l = java.util.logging.Logger.getLogger("org.tribuo");
    l.setLevel(java.util.logging.Level.WARNING);
    return l;
  }

  private final Settings settings;

  public RandomForestTrainer(Settings settings) {
    this.settings = settings;
  }

  public Settings settings() {
    return settings;
  }

  @Override
  public OpRegressor train(OpSamples samples) {
    RegressionFactory factory = new RegressionFactory();
    MutableDataset<Regressor> data =
        new MutableDataset<>(new SimpleDataSourceProvenance(samples.op(), factory), factory);
    String[] names = samples.featureNames();
    for (int i = 0; i < samples.size(); i++) {
      double[] x = samples.features()[i];
      double y = samples.targetMs()[i];
      if (Double.isFinite(y) && allFinite(x)) {
        data.add(new ArrayExample<>(new Regressor(TARGET, y), names, x));
      }
    }
    if (data.size() == 0) {
      throw new ConfigException(
          samples.source(), "no usable rows for operator " + samples.op() + " (all invalid)");
    }
    CARTRegressionTrainer tree =
        new CARTRegressionTrainer(
            settings.maxDepth(),
            settings.minSamplesLeaf(),
            0f,
            1f,
            false,
            new MeanSquaredError(),
            settings.seed());
    BaggingTrainer<Regressor> forest =
        new BaggingTrainer<>(tree, new AveragingCombiner(), settings.trees(), settings.seed());
    Model<Regressor> model = forest.train(data);
    List<Model<Regressor>> members =
        new ArrayList<>(((EnsembleModel<Regressor>) model).getModels());
    return CompiledForest.of(members, names);
  }

  private static boolean allFinite(double[] x) {
    for (double v : x) {
      if (!Double.isFinite(v)) {
        return false;
      }
    }
    return true;
  }
}
