/**
 * The discrete-event simulation: {@link io.llmcap.engine.Simulation} assembles a run from a config
 * (pools, schedulers, routers, predictors, source), {@link io.llmcap.engine.Simulator} runs the
 * event loop (stage pipelining, routing, speculative decoding, KV transfers) and returns a {@link
 * io.llmcap.engine.SimulationResult}. {@link io.llmcap.engine.Pool} is one group of identical
 * replicas.
 */
package io.llmcap.engine;
