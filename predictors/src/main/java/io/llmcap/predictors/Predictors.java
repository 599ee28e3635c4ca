package io.llmcap.predictors;

import io.llmcap.catalog.Deployment;
import io.llmcap.config.ConfigException;
import io.llmcap.config.SimulationConfig.PredictorConfig;
import io.llmcap.predictors.roofline.RooflineParams;
import io.llmcap.predictors.roofline.RooflinePredictor;
import io.llmcap.timing.ExecutionTimePredictor;
import java.util.List;

/** Builds the execution-time predictor a config asks for. */
public final class Predictors {
  private static final List<String> TYPES = List.of("roofline");

  private Predictors() {}

  public static void check(PredictorConfig config) {
    if (!TYPES.contains(config.type())) {
      throw ConfigException.unknown("predictor.type", "predictor", config.type(), TYPES);
    }
  }

  public static ExecutionTimePredictor create(PredictorConfig config, Deployment deployment) {
    check(config);
    return new RooflinePredictor(deployment, RooflineParams.defaults());
  }
}
