package io.llmcap.timing;

import io.llmcap.plugin.Plugin;

/**
 * Makes execution-time predictors of one kind; {@code predictor.type} selects it by {@link
 * #name()}, and its own options live in {@code predictor.<name>}.
 *
 * <p>The built-ins ({@code roofline}, {@code lightgbm}) live in the predictors module and register
 * themselves the same way a jar adds a predictor: by listing the class (public, public no-argument
 * constructor) in {@code META-INF/services/io.llmcap.timing.PredictorProvider}.
 *
 * @param <O> the options record, or {@link Void}
 */
public interface PredictorProvider<O> extends Plugin<O> {
  /**
   * The predictor for one deployment; it must be a pure function of its arguments (see {@link
   * ExecutionTimePredictor}). A capacity search creates one per deployment shape and shares it
   * between probes and threads.
   *
   * @param options the bound and validated options, or null when the plug-in has none
   */
  ExecutionTimePredictor create(PredictorContext ctx, O options);
}
