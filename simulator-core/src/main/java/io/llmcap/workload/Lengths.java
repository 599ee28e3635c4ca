package io.llmcap.workload;

/** Prompt and output token counts of one request. */
public record Lengths(int prefill, int decode) {}
