package io.llmcap.catalog;

/**
 * Sliding-window attention on {@code layers} of a model's layers: each of them attends to (and
 * keeps in its KV cache) only the last {@code window} tokens. The other layers attend to the whole
 * context.
 */
public record SlidingWindow(int window, int layers) {}
