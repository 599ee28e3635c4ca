package io.llmcap.workload;

/**
 * The numbers synthetic sessions are drawn from: the {@code workload.sessions} keys, or a {@link
 * SessionPreset}'s fitted values (which give each token count its own spread).
 *
 * @param turns mean turns per session (geometric, at least 1)
 * @param firstInputTokens mean new tokens of a session's first turn
 * @param inputTokens mean new tokens of each later turn
 * @param outputTokens mean reply tokens per turn
 * @param firstCv coefficient of variation of the first turn's new tokens (lognormal; 0 = fixed)
 * @param inputCv likewise for later turns' new tokens
 * @param outputCv likewise for reply tokens
 * @param thinkTime mean seconds from a turn's completion to the next turn (exponential)
 */
public record SessionParams(
    int systemPrompts,
    int systemPromptTokens,
    double turns,
    double firstInputTokens,
    double inputTokens,
    double outputTokens,
    double firstCv,
    double inputCv,
    double outputCv,
    double thinkTime) {}
