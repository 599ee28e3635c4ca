package io.llmcap.workload;

import io.llmcap.kv.PromptContent;

/**
 * One request as the workload defines it: when it arrives and how many tokens in and out, and
 * optionally who sent it and what its prompt holds.
 *
 * @param clientId the client that sent it, or {@link #NONE}
 * @param sessionId the conversation it belongs to, or {@link #NONE}
 * @param prompt the prompt's shareable content, for prefix caching; null when unknown
 */
public record RequestSpec(
    long id,
    double arrivedAt,
    int prefillTokens,
    int decodeTokens,
    long clientId,
    long sessionId,
    PromptContent prompt) {
  /** The client or session id of a request that has none. */
  public static final long NONE = -1;

  /** A request with no client, no session and no prompt identity (every open-loop request). */
  public RequestSpec(long id, double arrivedAt, int prefillTokens, int decodeTokens) {
    this(id, arrivedAt, prefillTokens, decodeTokens, NONE, NONE, null);
  }
}
