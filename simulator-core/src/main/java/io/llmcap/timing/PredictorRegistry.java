package io.llmcap.timing;

import io.llmcap.plugin.Registry;
import java.util.List;

/**
 * Predictors by config name. Every one, the built-ins included, is found through {@link
 * PredictorProvider} service entries, because the built-ins live in a module that depends on this
 * one.
 */
public final class PredictorRegistry {
  private static final Registry<PredictorProvider<?>> REGISTRY =
      new Registry<>(
          "predictor", "predictor.type", "predictor", PredictorProvider.class, List.of());

  private PredictorRegistry() {}

  public static Registry<PredictorProvider<?>> registry() {
    return REGISTRY;
  }
}
