package io.llmcap.workload;

/** One request as the workload defines it: when it arrives and how many tokens in and out. */
public record RequestSpec(long id, double arrivedAt, int prefillTokens, int decodeTokens) {}
