/**
 * How long a batch takes: the predictor SPI ({@link io.llmcap.timing.ExecutionTimePredictor},
 * {@link io.llmcap.timing.PredictorProvider}, {@link io.llmcap.timing.PredictorRegistry}), the
 * operator set by name ({@link io.llmcap.timing.Operator}), the stage composition ({@link
 * io.llmcap.timing.StageComposer}) and FLOPs/MFU ({@link io.llmcap.timing.ModelFlops}). Sees a
 * batch only as a {@link io.llmcap.timing.BatchView}.
 */
package io.llmcap.timing;
