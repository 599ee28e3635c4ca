/**
 * The state schedulers, routers and metrics share with the engine: {@link
 * io.llmcap.request.Request} (a request's mutable life: tokens, timestamps, KV blocks) and {@link
 * io.llmcap.request.Batch} (one iteration of one replica). Its own package so that the engine can
 * depend on schedulers without schedulers depending on the engine.
 */
package io.llmcap.request;
