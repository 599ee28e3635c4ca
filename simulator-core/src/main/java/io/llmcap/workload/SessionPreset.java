package io.llmcap.workload;

import java.util.List;
import java.util.Optional;

/**
 * A named set of session numbers ({@code workload.sessions.preset}) and the session type it
 * describes. Only fitted or derived numbers ship; the traces stay outside the project.
 */
public record SessionPreset(String name, String type, SessionParams params) {
  /**
   * Fitted by {@code scripts/fit_session_presets.py} to the Mooncake conversation trace
   * (github.com/kvcache-ai/Mooncake, FAST25-release/traces/conversation_trace.jsonl at commit
   * 3cca71d of 2025-02-21, Apache-2.0; 12,031 requests in 3,537 s, 3.40 req/s). Sessions are
   * inferred from hash-id prefix chains: 7,373 sessions, 1.632 turns each on average. Every request
   * starts with the same 512-token block (the system prompt). First turns add 10,253 new tokens (cv
   * 1.57), later turns 893 (the mean growth of the context less the previous reply; cv 2.73 of the
   * positive ones), replies are 343 tokens (cv 0.73), and 214.7 s pass between a turn's arrival and
   * the next one's (this includes the reply's own latency, a few seconds).
   */
  public static final SessionPreset MOONCAKE_CONVERSATION =
      new SessionPreset(
          "mooncake_conversation",
          "chat",
          new SessionParams(1, 512, 1.632, 10252.6, 892.9, 342.6, 1.57, 2.73, 0.73, 214.7));

  /**
   * Derived, not fitted (the tool-and-agent trace, over 4 MiB, could not be fetched), from the
   * means the Mooncake FAST'25 paper publishes for it (Table 2; FAST25-release/README.md): mean
   * prompt 8,596 tokens, reply 182, 59 % of prompt tokens found in a prefix cache, "lengthy system
   * prompts that are fully repetitive". With T turns per session, a shared system prompt S, a first
   * turn's new tokens F and later turns' I, the mean prompt is S + F + (T − 1)(182 + I) and the
   * uncached share (F + (T − 1) I) / T of it; T = 2 and F = I make both match with S = 1,366 and F
   * = I = 3,524. Tool latency (the gap after a call) is an assumption: 1 s, a web search or code
   * run. Spreads take the conversation trace's.
   */
  public static final SessionPreset MOONCAKE_TOOLAGENT =
      new SessionPreset(
          "mooncake_toolagent",
          "agent",
          new SessionParams(1, 1366, 2.0, 3524, 3524, 182, 1.57, 2.73, 0.73, 1.0));

  private static final List<SessionPreset> ALL = List.of(MOONCAKE_CONVERSATION, MOONCAKE_TOOLAGENT);

  public static Optional<SessionPreset> byName(String name) {
    return ALL.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  public static List<String> names() {
    return ALL.stream().map(SessionPreset::name).toList();
  }
}
