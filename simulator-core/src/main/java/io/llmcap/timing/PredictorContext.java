package io.llmcap.timing;

import io.llmcap.catalog.Deployment;
import io.llmcap.config.SimulationConfig;
import io.llmcap.config.SimulationConfig.PredictorConfig;
import java.nio.file.Path;

/**
 * What a predictor is built from.
 *
 * @param predictor the {@code predictor} section of the config
 * @param deployment the model, SKU, node, TP and PP to predict for
 * @param run the whole config of the run, or null when the predictor serves many runs of the same
 *     deployment (a capacity search's probes), so it must cover any workload and scheduler
 * @param baseDir the folder that relative paths in the config resolve against
 */
public record PredictorContext(
    PredictorConfig predictor, Deployment deployment, SimulationConfig run, Path baseDir) {}
