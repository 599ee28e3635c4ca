package io.llmcap.workload;

import io.llmcap.kv.PromptContent;
import io.llmcap.kv.PromptContent.Segment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Supplier;

/**
 * Multi-turn sessions (docs/sessions.md): each session sends its turns one after another, turn k +
 * 1 a think time after turn k completed, and each turn's prompt is the session's whole history —
 * its system prompt, then every earlier turn's new tokens and reply — followed by the turn's new
 * tokens. A request's {@link PromptContent} names those segments plus one for its own reply, so the
 * next turn's history is found in the prefix cache when the engine kept it.
 *
 * <p>Sessions come from a supplier in start order ({@link Session}: synthetic or from a session
 * file). The run ends once {@code limit} turns were sent, or no session may start any more (the
 * supplier is exhausted or the next start is at or after {@code duration}), and every session in
 * progress has sent its last turn and every turn sent has completed. Sessions in progress when the
 * duration passes go on to their last turn.
 *
 * <p>A session's first turn is fitted into {@code maxTokens} (new and output tokens cut in
 * proportion, the system prompt kept); a later turn whose prompt and output would exceed it is not
 * sent and ends its session, as a chat front end refuses a conversation past the context window.
 */
public final class SessionSource implements RequestSource {
  /**
   * One session's plan, drawn up front so that it does not depend on the engine's timing.
   *
   * @param id the session's id, also every turn's client and session id
   * @param start when the first turn is sent, in seconds
   * @param systemPrompt the system prompt's index, or -1 for none
   * @param newTokens per turn, the tokens the turn adds (user message, tool result); at least 1
   * @param outputTokens per turn, the reply's tokens; at least 1
   * @param thinkTimes per turn, seconds from the previous turn's completion to this turn (entry 0,
   *     the first turn's, is unused)
   * @param salt the session's own segment ids start here (two per turn)
   * @param firstTurn the turn sent at {@code start}: 0, or for a session already in progress when
   *     the run begins the first turn it sends in the run, its earlier turns' tokens its history
   */
  public record Session(
      long id,
      double start,
      int systemPrompt,
      int[] newTokens,
      int[] outputTokens,
      double[] thinkTimes,
      long salt,
      int firstTurn) {
    public Session {
      if (newTokens.length == 0
          || newTokens.length != outputTokens.length
          || newTokens.length != thinkTimes.length) {
        throw new IllegalArgumentException("a session needs equally many turns in every array");
      }
      if (firstTurn < 0 || firstTurn >= newTokens.length) {
        throw new IllegalArgumentException(
            "first turn " + firstTurn + " of " + newTokens.length + " turns");
      }
    }

    /** A session that starts with its first turn. */
    public Session(
        long id,
        double start,
        int systemPrompt,
        int[] newTokens,
        int[] outputTokens,
        double[] thinkTimes,
        long salt) {
      this(id, start, systemPrompt, newTokens, outputTokens, thinkTimes, salt, 0);
    }

    public int turns() {
      return newTokens.length;
    }
  }

  /** A session in progress: its plan, the next turn and the history its turns have built. */
  private static final class Active {
    final Session plan;
    final List<Segment> history = new ArrayList<>();
    int turn;
    int context;

    Active(Session plan, Segment systemPrompt) {
      this.plan = plan;
      if (systemPrompt != null) {
        history.add(systemPrompt);
        context = systemPrompt.tokens();
      }
    }
  }

  /** A session whose next turn is due at {@code at}. */
  private record Ready(double at, Active session) {}

  private final Supplier<Session> sessions;
  private final List<Segment> systemPrompts;
  private final int maxTokens;
  private final long limit;
  private final double duration;
  private final PriorityQueue<Ready> ready =
      new PriorityQueue<>(
          (a, b) ->
              a.at() != b.at()
                  ? Double.compare(a.at(), b.at())
                  : Long.compare(a.session().plan.id(), b.session().plan.id()));
  private final Map<Long, Active> inFlight = new HashMap<>();
  private Session nextStart;
  private Active startSession;
  private boolean startsOver;
  private RequestSpec next;
  private Active nextSession;
  private boolean nextIsStart;
  private long emitted;
  private long completed;

  /**
   * @param sessions plans in nondecreasing start order; null when there are no more
   * @param systemPrompts the shared system prompts sessions name by index
   * @param limit turns to send in all, or {@link Long#MAX_VALUE}
   * @param duration seconds at and after which no session starts, or +∞
   */
  public SessionSource(
      Supplier<Session> sessions,
      List<Segment> systemPrompts,
      int maxTokens,
      long limit,
      double duration) {
    this.sessions = sessions;
    this.systemPrompts = List.copyOf(systemPrompts);
    this.maxTokens = maxTokens;
    this.limit = limit;
    this.duration = duration;
    pullStart();
    advance();
  }

  /**
   * The next session to start, with its history joined ({@link #join}); sessions that ended before
   * the run began are passed over here, so the start compared with due turns is one that sends.
   */
  private void pullStart() {
    startSession = null;
    while (true) {
      nextStart = startsOver ? null : sessions.get();
      if (nextStart == null || nextStart.start() >= duration) {
        nextStart = null;
        startsOver = true;
        return;
      }
      startSession = join(nextStart);
      if (startSession != null) {
        return;
      }
      // its context outgrew max_tokens before the run began: it is over
    }
  }

  /**
   * Picks the next arrival without taking it: a due turn of a session in progress, else the next
   * session's start (a turn due at a start's time goes first).
   */
  private void advance() {
    next = null;
    nextSession = null;
    nextIsStart = false;
    if (emitted >= limit) {
      return;
    }
    Ready due = ready.peek();
    if (due != null && (nextStart == null || due.at() <= nextStart.start())) {
      nextSession = due.session();
      next = turn(nextSession, due.at());
    } else if (nextStart != null) {
      nextSession = startSession;
      next = turn(nextSession, nextStart.start());
      nextIsStart = true;
    }
  }

  /**
   * A session as it starts: its system prompt, and for one in progress when the run began its
   * earlier turns as history, each fitted as {@link #turn} fits it; null when one of them ended it.
   */
  private Active join(Session plan) {
    int p = plan.systemPrompt();
    Active s = new Active(plan, p < 0 ? null : systemPrompts.get(p));
    while (s.turn < plan.firstTurn()) {
      if (s.turn > 0 && !fits(s)) {
        return null;
      }
      List<Segment> content = turn(s, 0).prompt().segments();
      s.history.add(content.get(content.size() - 2));
      s.history.add(content.get(content.size() - 1));
      s.context +=
          content.get(content.size() - 2).tokens() + content.get(content.size() - 1).tokens();
      s.turn++;
    }
    return s.turn == 0 || fits(s) ? s : null;
  }

  /** Whether {@code s}'s next turn, a later one, fits {@code max_tokens} with its reply. */
  private boolean fits(Active s) {
    int k = s.turn;
    return (long) s.context + s.plan.newTokens()[k] + s.plan.outputTokens()[k] <= maxTokens;
  }

  /** The request of {@code s}'s next turn, sent at {@code at}. */
  private RequestSpec turn(Active s, double at) {
    Session plan = s.plan;
    int k = s.turn;
    int fresh = plan.newTokens()[k];
    int output = plan.outputTokens()[k];
    if (k == 0 && (long) s.context + fresh + output > maxTokens) {
      Lengths l = LengthClip.proportional(fresh, output, maxTokens - s.context);
      fresh = l.prefill();
      output = l.decode();
    }
    List<Segment> content = new ArrayList<>(s.history.size() + 2);
    content.addAll(s.history);
    content.add(new Segment(plan.salt() + 2L * k, fresh));
    content.add(new Segment(plan.salt() + 2L * k + 1, output));
    return new RequestSpec(
        emitted, at, s.context + fresh, output, plan.id(), plan.id(), new PromptContent(content));
  }

  @Override
  public RequestSpec peek() {
    return next;
  }

  @Override
  public RequestSpec take() {
    RequestSpec r = next;
    if (nextIsStart) {
      pullStart();
    } else {
      ready.poll();
    }
    inFlight.put(r.sessionId(), nextSession);
    emitted++;
    advance();
    return r;
  }

  @Override
  public void onCompleted(double t, RequestSpec request) {
    completed++;
    Active s = inFlight.remove(request.sessionId());
    List<Segment> segments = request.prompt().segments();
    // The turn's new tokens and its reply join the history: the content's last two segments.
    s.history.add(segments.get(segments.size() - 2));
    s.history.add(segments.get(segments.size() - 1));
    s.context = request.prefillTokens() + request.decodeTokens();
    s.turn++;
    int k = s.turn;
    if (k < s.plan.turns() && fits(s)) {
      ready.add(new Ready(t + s.plan.thinkTimes()[k], s));
    }
    // The new turn may be due before the arrival peeked so far.
    advance();
  }

  @Override
  public boolean done() {
    return next == null && completed == emitted;
  }
}
