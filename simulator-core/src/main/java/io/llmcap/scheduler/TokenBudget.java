package io.llmcap.scheduler;

/**
 * The most tokens a scheduler puts into one batch, and the config key that sets it.
 *
 * @param field the config key, for error messages ({@code scheduler.chunk_size})
 * @param tokens the budget
 * @param wholePrompts true when a prompt must fit the budget whole (no chunked prefill), so the
 *     budget must reach {@code workload.max_tokens}
 */
public record TokenBudget(String field, int tokens, boolean wholePrompts) {}
