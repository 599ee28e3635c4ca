package io.llmcap.predictors.lgbm;

import io.llmcap.predictors.model.OpRegressor;
import io.llmcap.predictors.model.OpTrainer;
import io.llmcap.predictors.profile.OpSamples;

/**
 * A {@link LightGbmTrainer} whose models are kept in a {@link ModelCache} (namespace {@value
 * #NAMESPACE}), keyed by the samples' contents (op, feature names, features, times; not their
 * source path, so a moved file is not retrained), the trainer settings and the lightgbm4j version.
 * Tables of other limits built from the same profiles reuse the models.
 */
public final class CachingTrainer implements OpTrainer {
  static final String NAMESPACE = "lgbm-models";
  private static final ModelCache.Codec<TrainedModel> CODEC =
      ModelCache.Codec.of(TrainedModel::write, TrainedModel::read);

  private final LightGbmTrainer trainer;
  private final ModelCache cache;

  public CachingTrainer(LightGbmTrainer trainer, ModelCache cache) {
    this.trainer = trainer;
    this.cache = cache;
  }

  @Override
  public OpRegressor train(OpSamples samples) {
    return fit(samples).load();
  }

  public TrainedModel fit(OpSamples samples) {
    return cache.getOrBuild(NAMESPACE, key(samples), () -> trainer.fit(samples), CODEC);
  }

  String key(OpSamples s) {
    return CacheKey.of("lgbm-model-" + TrainedModel.FORMAT)
        .add(trainer.settings().fingerprint())
        .add(s.op())
        .add(s.featureNames())
        .add(s.features())
        .add(s.targetMs())
        .hex();
  }
}
