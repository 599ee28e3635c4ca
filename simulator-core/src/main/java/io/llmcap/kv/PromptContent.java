package io.llmcap.kv;

import java.util.List;

/**
 * What a prompt holds, as far as prefix caching can tell without token ids: consecutive segments of
 * content that other prompts may share (a system prompt, a conversation's history, a user's
 * question), each named by an id and measured in tokens. Two prompts whose first segments have the
 * same ids and lengths hold the same tokens there. Tokens after the last segment are the request's
 * own and never shared.
 */
public record PromptContent(List<Segment> segments) {
  /** A run of tokens that any prompt naming the same id holds identically. */
  public record Segment(long id, int tokens) {
    public Segment {
      if (tokens <= 0) {
        throw new IllegalArgumentException("segment tokens must be positive: " + tokens);
      }
    }
  }

  public PromptContent {
    segments = List.copyOf(segments);
  }

  /** Tokens covered by the segments. */
  public int tokens() {
    int n = 0;
    for (Segment s : segments) {
      n += s.tokens();
    }
    return n;
  }
}
