package io.llmcap.workload;

import static io.llmcap.workload.WorkloadBuilder.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.base.ConfigException;
import io.llmcap.config.SimulationConfig.WorkloadConfig;
import io.llmcap.kv.PromptContent.Segment;
import io.llmcap.workload.SessionSource.Session;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Multi-turn sessions driven by a stand-in engine that completes each request a fixed time per
 * token after it arrives: the feedback rule, token conservation, shared content prefixes, end
 * rules, presets, session files and bad inputs.
 */
class SessionSourceTest {
  @TempDir Path dir;

  /** A request as the stand-in engine saw it. */
  record Done(RequestSpec spec, double completedAt) {}

  /**
   * Runs {@code source} to its end; every request completes 0.5 s + 1 ms per output token later.
   */
  static List<Done> drive(RequestSource source) {
    record Pending(double at, RequestSpec spec) {}
    PriorityQueue<Pending> running = new PriorityQueue<>((a, b) -> Double.compare(a.at(), b.at()));
    List<Done> done = new ArrayList<>();
    double lastArrival = 0;
    double lastCompletion = 0;
    while (true) {
      RequestSpec a = source.peek();
      Pending c = running.peek();
      if (a != null && (c == null || a.arrivedAt() <= c.at())) {
        assertTrue(a.arrivedAt() >= lastArrival && a.arrivedAt() >= lastCompletion, "time order");
        lastArrival = a.arrivedAt();
        RequestSpec r = source.take();
        assertEquals(a, r, "take returns what peek showed");
        running.add(new Pending(r.arrivedAt() + 0.5 + 0.001 * r.decodeTokens(), r));
      } else if (c != null) {
        running.poll();
        lastCompletion = c.at();
        done.add(new Done(c.spec(), c.at()));
        source.onCompleted(c.at(), c.spec());
        if (source.done()) {
          break;
        }
      } else {
        throw new AssertionError("stalled: nothing in flight and the source is not done");
      }
    }
    done.sort((x, y) -> Long.compare(x.spec().id(), y.spec().id()));
    return done;
  }

  private List<Done> run(Consumer<WorkloadBuilder> change) {
    return drive(Workloads.source(config(change), 42, dir));
  }

  private static void chat(WorkloadBuilder b) {
    b.sessionType = "chat";
    b.numRequests = 2000;
    b.qps = 4;
    b.systemPrompts = 3;
    b.systemPromptTokens = 100;
  }

  /** Each session's turns in order. */
  static Map<Long, List<Done>> bySession(List<Done> done) {
    Map<Long, List<Done>> s = new HashMap<>();
    for (Done d : done) {
      s.computeIfAbsent(d.spec().sessionId(), k -> new ArrayList<>()).add(d);
    }
    return s;
  }

  @Test
  void sameSeedSameRequestsAndIdsAreUnique() {
    List<Done> a = run(SessionSourceTest::chat);
    List<Done> b = run(SessionSourceTest::chat);
    assertEquals(a, b);
    Set<Long> ids = new HashSet<>();
    for (Done d : a) {
      assertTrue(ids.add(d.spec().id()));
      assertEquals(d.spec().sessionId(), d.spec().clientId());
    }
    List<Done> other = drive(Workloads.source(config(SessionSourceTest::chat), 43, dir));
    assertTrue(!a.equals(other), "another seed draws other sessions");
  }

  @Test
  void eachTurnIsThePreviousPromptAndReplyPlusNewTokensAfterTheThinkTime() {
    List<Done> done = run(SessionSourceTest::chat);
    assertEquals(2000, done.size(), "num_requests turns sent and completed");
    int multi = 0;
    for (List<Done> turns : bySession(done).values()) {
      Done first = turns.get(0);
      List<Segment> firstSegs = first.spec().prompt().segments();
      assertEquals(100, firstSegs.get(0).tokens(), "system prompt first");
      // system prompt, then new tokens and reply of each turn up to this one (a session in
      // progress when the run began joins with its earlier turns as history)
      assertTrue(firstSegs.size() >= 3 && firstSegs.size() % 2 == 1, firstSegs.toString());
      for (int k = 1; k < turns.size(); k++) {
        multi++;
        RequestSpec prev = turns.get(k - 1).spec();
        RequestSpec cur = turns.get(k).spec();
        assertTrue(
            cur.arrivedAt() >= turns.get(k - 1).completedAt(),
            "turn " + k + " sent before turn " + (k - 1) + " completed");
        List<Segment> ps = prev.prompt().segments();
        List<Segment> cs = cur.prompt().segments();
        // The history: every segment of the previous turn, its reply included, then two new.
        assertEquals(ps, cs.subList(0, ps.size()));
        assertEquals(ps.size() + 2, cs.size());
        int fresh = cs.get(cs.size() - 2).tokens();
        assertEquals(prev.prefillTokens() + prev.decodeTokens() + fresh, cur.prefillTokens());
        assertEquals(cur.decodeTokens(), cs.get(cs.size() - 1).tokens(), "reply segment");
        assertEquals(cur.prefillTokens() + cur.decodeTokens(), cur.prompt().tokens());
      }
    }
    assertTrue(multi > 500, "many later turns: " + multi);
  }

  @Test
  void zeroThinkTimeSendsTheNextTurnAtTheCompletion() {
    List<Done> done =
        run(
            b -> {
              chat(b);
              b.sessionThinkTime = 0;
            });
    for (List<Done> turns : bySession(done).values()) {
      for (int k = 1; k < turns.size(); k++) {
        assertEquals(turns.get(k - 1).completedAt(), turns.get(k).spec().arrivedAt(), 0);
      }
    }
  }

  @Test
  void systemPromptsAreSharedAcrossSessions() {
    List<Done> done = run(SessionSourceTest::chat);
    Set<Segment> prompts = new HashSet<>();
    for (Done d : done) {
      prompts.add(d.spec().prompt().segments().get(0));
    }
    assertEquals(3, prompts.size(), "system_prompts distinct prompts, reused by every session");
  }

  @Test
  void fixedLengthsGiveExactTokensAndTheMeansHold() {
    List<Done> done =
        run(
            b -> {
              chat(b);
              b.lengthCv = 0;
              b.turns = 1;
            });
    for (Done d : done) {
      assertEquals(300, d.spec().prefillTokens(), "100 system + 200 first-turn tokens");
      assertEquals(200, d.spec().decodeTokens());
    }
    List<Done> drawn = run(b -> chat(b));
    // sessions that start in the run (not those already in progress at time 0)
    List<List<Done>> fresh = started(drawn);
    double meanTurns = fresh.stream().mapToInt(List::size).average().orElseThrow();
    assertEquals(4, meanTurns, 0.4, "geometric turns of mean 4 (the last session may be cut)");
    double out = drawn.stream().mapToInt(d -> d.spec().decodeTokens()).average().orElseThrow();
    assertEquals(200, out, 20, "lognormal output tokens of mean 200");
  }

  @Test
  void sessionsStartAtQpsOverTurnsSoRequestsArriveAtQps() {
    List<Done> done =
        run(
            b -> {
              chat(b);
              b.numRequests = 20_000;
              b.sessionThinkTime = 1;
            });
    double lastStart = 0;
    long sessions = 0;
    for (List<Done> turns : started(done)) {
      lastStart = Math.max(lastStart, turns.get(0).spec().arrivedAt());
      sessions++;
    }
    assertEquals(4 / 4.0, sessions / lastStart, 0.05, "sessions per second = qps / turns");
  }

  /** The sessions whose first turn is in the run, not those in progress when it began. */
  private static List<List<Done>> started(List<Done> done) {
    return bySession(done).values().stream()
        .filter(t -> t.get(0).spec().prompt().segments().size() == 3)
        .toList();
  }

  @Test
  void aSessionThatEndedBeforeTheRunDoesNotHideADueTurn() {
    // a at 0 (next turn 5 s after its completion); b in progress since before 0, joining at 4
    // with a history past max_tokens, so it is over; c at 6
    Session a =
        new Session(0, 0, -1, new int[] {10, 10}, new int[] {10, 10}, new double[] {0, 5}, 100);
    Session b =
        new Session(
            1, 4, -1, new int[] {600, 10}, new int[] {600, 10}, new double[] {0, 1}, 200, 1);
    Session c = new Session(2, 6, -1, new int[] {10}, new int[] {10}, new double[] {0}, 300);
    Iterator<Session> plans = List.of(a, b, c).iterator();
    List<Done> done =
        drive(
            new SessionSource(
                () -> plans.hasNext() ? plans.next() : null,
                List.of(),
                1000,
                Long.MAX_VALUE,
                Double.POSITIVE_INFINITY));
    assertEquals(List.of(0L, 0L, 2L), done.stream().map(d -> d.spec().sessionId()).toList());
    assertEquals(0.51 + 5, done.get(1).spec().arrivedAt(), 1e-12, "a's second turn, before c");
  }

  @Test
  void sessionsInProgressAtTimeZeroMakeTheRateQpsFromTheStart() {
    List<Done> done =
        run(
            b -> {
              chat(b);
              b.numRequests = 20_000;
              b.sessionThinkTime = 30;
            });
    // Without them the first 50 s would see the first turns of new sessions (1 per second) and
    // only then their later turns: about 2 requests per second on average.
    long early = done.stream().filter(d -> d.spec().arrivedAt() < 50).count();
    assertEquals(4, early / 50.0, 0.8, "requests per second in the first 50 s");
    long joined =
        bySession(done).values().stream()
            .filter(t -> t.get(0).spec().prompt().segments().size() > 3)
            .count();
    assertTrue(joined > 50, "sessions in progress at time 0: " + joined);
  }

  @Test
  void durationStopsNewSessionsAndLetsStartedOnesFinish() {
    List<Done> done =
        run(
            b -> {
              chat(b);
              b.numRequests = null;
              b.duration = 100.0;
              b.sessionThinkTime = 30;
            });
    boolean after = false;
    for (List<Done> turns : bySession(done).values()) {
      assertTrue(turns.get(0).spec().arrivedAt() < 100, "no session starts after the duration");
      after |= turns.get(turns.size() - 1).spec().arrivedAt() >= 100;
    }
    assertTrue(after, "sessions started before the duration send later turns after it");
  }

  @Test
  void aTurnThatWouldExceedMaxTokensEndsItsSession() {
    List<Done> done =
        run(
            b -> {
              chat(b);
              b.maxTokens = 1500;
              b.turns = 20;
              b.lengthCv = 0;
            });
    for (List<Done> turns : bySession(done).values()) {
      // 100 + 200 + 200, then + 100 + 200 a turn: 500, 800, 1100, 1400; a fifth would need 1700.
      assertTrue(turns.size() <= 4, "session of " + turns.size() + " turns");
    }
    for (Done d : done) {
      assertTrue(d.spec().prefillTokens() + d.spec().decodeTokens() <= 1500);
    }
  }

  @Test
  void presetsReplaceTheNumbers() {
    List<Done> done =
        run(
            b -> {
              b.sessionType = "chat";
              b.sessionPreset = "mooncake_conversation";
              b.maxTokens = 131_072;
              b.qps = 3.4;
              b.numRequests = 20_000;
            });
    for (Done d : done) {
      assertEquals(512, d.spec().prompt().segments().get(0).tokens(), "the trace's system block");
    }
    // Sessions in progress when num_requests is reached lose their later turns: count early ones.
    double end = done.get(done.size() - 1).spec().arrivedAt();
    long sessions = 0;
    long turns = 0;
    for (List<Done> t : bySession(done).values()) {
      if (t.get(0).spec().arrivedAt() < end / 4) {
        sessions++;
        turns += t.size();
      }
    }
    assertEquals(1.632, turns / (double) sessions, 0.1);
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                Workloads.validate(
                    config(
                        b -> {
                          b.sessionType = "agent";
                          b.sessionPreset = "mooncake_conversation";
                        }),
                    dir));
    assertEquals("workload.sessions.preset", e.field());
    assertTrue(e.getMessage().contains("set sessions.type to chat"), e.getMessage());
  }

  private Path write(String name, String text) {
    try {
      return Files.writeString(dir.resolve(name), text);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void sessionFilesReplayTheirTurnsWithTheSameFeedbackRule() {
    write(
        "s.csv",
        "session_id,start,new_tokens,output_tokens,think_time\n"
            + "b,5.0,300,40,\n"
            + "a,1.0,200,50,0\n"
            + "a,,30,60,2.5\n"
            + "b,,10,20,1\n"
            + "a,,7,8,4\n");
    WorkloadConfig w =
        config(
            b -> {
              b.sessionType = "trace";
              b.sessionFile = "s.csv";
              b.numRequests = null;
              b.systemPromptTokens = 64;
            });
    List<Done> done = drive(Workloads.source(w, 1, dir));
    assertEquals(5, done.size());
    Map<Long, List<Done>> s = bySession(done);
    List<Done> a = s.get(0L);
    assertEquals(1.0, a.get(0).spec().arrivedAt());
    assertEquals(
        List.of(264, 264 + 50 + 30, 264 + 50 + 30 + 60 + 7),
        a.stream().map(d -> d.spec().prefillTokens()).toList());
    assertEquals(a.get(0).completedAt() + 2.5, a.get(1).spec().arrivedAt(), 1e-12);
    assertEquals(a.get(1).completedAt() + 4, a.get(2).spec().arrivedAt(), 1e-12);
    List<Done> b = s.get(1L);
    assertEquals(5.0, b.get(0).spec().arrivedAt());
    assertEquals(List.of(40, 20), b.stream().map(d -> d.spec().decodeTokens()).toList());
  }

  private void assertFileError(String text, String where, String fragment) {
    write("bad.csv", text);
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                Workloads.validate(
                    config(
                        b -> {
                          b.sessionType = "trace";
                          b.sessionFile = "bad.csv";
                        }),
                    dir));
    assertTrue(e.field().endsWith(where), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  @Test
  void malformedSessionFilesNameTheLine() {
    String h = "session_id,start,new_tokens,output_tokens,think_time\n";
    assertFileError(h + "a,0,10,10,\na,,0,5,1\n", "bad.csv:3", "at least 1");
    assertFileError(h + "a,,10,10,\n", "bad.csv:2", "column 'start'");
    assertFileError(h + "a,0,10,10,3\n", "bad.csv:2", "think_time");
    assertFileError(h + "a,0,10,10,\na,4,5,5,1\n", "bad.csv:3", "leave start empty");
    assertFileError(h + "a,0,10,x,\n", "bad.csv:2", "'x' is not a number");
    assertFileError(h + "a,0,10.5,10,\n", "bad.csv:2", "whole count");
    assertFileError(
        "session_id,start,new_tokens,output_tokens\na,0,1,1\n",
        "bad.csv:1",
        "missing column 'think_time'");
  }

  /** Asserts the change fails validation at {@code field} with every fragment in the message. */
  private void assertInvalid(Consumer<WorkloadBuilder> change, String field, String... fragments) {
    ConfigException e =
        assertThrows(ConfigException.class, () -> Workloads.validate(config(change), dir));
    assertEquals(field, e.field(), e.getMessage());
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "'" + f + "' missing from: " + e.getMessage());
    }
  }

  @Test
  void everySessionKeyIsChecked() {
    Consumer<WorkloadBuilder> on = b -> b.sessionType = "chat";
    String s = "workload.sessions.";
    assertInvalid(b -> b.sessionType = "chats", s + "type", "'chats'", "none | chat | agent");
    assertInvalid(b -> b.sessionPreset = "mooncake_conversation", s + "preset", "type to chat");
    assertInvalid(b -> b.sessionFile = "x.csv", s + "file", "type trace only");
    assertInvalid(on.andThen(b -> b.sessionPreset = "moon"), s + "preset", "mooncake_conversation");
    assertInvalid(on.andThen(b -> b.sessionFile = "x.csv"), s + "file", "type trace only");
    assertInvalid(on.andThen(b -> b.systemPrompts = 0), s + "system_prompts", "at least 1");
    assertInvalid(on.andThen(b -> b.systemPromptTokens = -1), s + "system_prompt_tokens", "-1");
    assertInvalid(
        on.andThen(b -> b.systemPromptTokens = 16383), s + "system_prompt_tokens", "max_tokens");
    assertInvalid(on.andThen(b -> b.turns = 0.5), s + "turns", "0.5", "1 or more");
    assertInvalid(on.andThen(b -> b.firstInputTokens = 0), s + "first_input_tokens", "1 token");
    assertInvalid(on.andThen(b -> b.inputTokens = Double.NaN), s + "input_tokens", "NaN");
    assertInvalid(on.andThen(b -> b.outputTokens = 0.5), s + "output_tokens", "0.5");
    assertInvalid(on.andThen(b -> b.lengthCv = -1), s + "length_cv", "-1");
    assertInvalid(
        on.andThen(b -> b.sessionThinkTime = Double.POSITIVE_INFINITY),
        s + "think_time",
        "0 or more");
    assertInvalid(
        b -> {
          b.sessionType = "trace";
          b.sessionPreset = null;
        },
        s + "file",
        "is not set");
    write("t.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\n0,1,1\n");
    assertInvalid(on.andThen(b -> b.traceFile = "t.csv"), "workload.trace.file", "contradicts");
    assertInvalid(on.andThen(b -> b.concurrency = 4), "workload.concurrency", "contradicts");
    assertInvalid(
        on.andThen(
            b -> {
              b.groups = 2;
              b.prefixTokens = 10;
              b.lengthType = "fixed";
            }),
        "workload.shared_prefix.groups",
        "contradicts");
    assertInvalid(
        on.andThen(
            b -> {
              b.numRequests = null;
              b.duration = null;
            }),
        "workload.num_requests",
        "neither");
    assertInvalid(on.andThen(b -> b.qps = 0), "workload.interval.qps", "positive");
  }
}
