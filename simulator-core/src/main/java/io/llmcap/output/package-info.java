/**
 * What a finished run writes: {@link io.llmcap.output.Summary} ({@code summary.json}) and {@link
 * io.llmcap.output.RunWriter} (the run folder). Sits above the engine because it reads a {@link
 * io.llmcap.engine.SimulationResult}.
 */
package io.llmcap.output;
