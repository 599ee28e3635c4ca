package io.llmcap.workload;

import io.llmcap.base.ConfigException;
import io.llmcap.base.DidYouMean;
import io.llmcap.config.SimulationConfig.IntervalConfig;
import io.llmcap.config.SimulationConfig.SessionConfig;
import io.llmcap.config.SimulationConfig.WorkloadConfig;
import io.llmcap.kv.PromptContent.Segment;
import io.llmcap.workload.SessionSource.Session;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The {@code workload.sessions} block (docs/sessions.md): its checks, and the {@link SessionSource}
 * it makes, synthetic or from a session file. {@link Workloads} hands a workload here when its
 * sessions are on.
 */
final class SessionWorkloads {
  /** Interval types whose arrivals have the same rate at every time (sessions start warm). */
  private static final List<String> STATIONARY = List.of("poisson", "gamma", "constant", "preset");

  private SessionWorkloads() {}

  private static final String NONE = "none";
  private static final List<String> SESSION_TYPES = List.of(NONE, "chat", "agent", "trace");

  /** Whether the workload is made of sessions ({@code sessions.type} other than none). */
  static boolean on(WorkloadConfig w) {
    return w.sessions() != null && !NONE.equals(w.sessions().type());
  }

  /**
   * Multi-turn sessions: the numbers of {@code sessions.preset} or of the keys, with the system
   * prompts and segment ids drawn from their own seeds. Seeds are drawn after open-loop workloads'
   * three (lengths, intervals, shared prompts), the intervals' one timing the starts.
   */
  static RequestSource source(WorkloadConfig w, long seed, Path baseDir) {
    SessionConfig c = w.sessions();
    SessionParams p = params(c);
    SplittableRandom seeds = new SplittableRandom(seed);
    seeds.nextLong();
    long intervalSeed = seeds.nextLong();
    seeds.nextLong();
    long sessionSeed = seeds.nextLong();
    SplittableRandom promptIds = new SplittableRandom(seeds.nextLong());
    List<Segment> prompts = new ArrayList<>();
    if (p.systemPromptTokens() > 0) {
      for (int i = 0; i < p.systemPrompts(); i++) {
        prompts.add(new Segment(promptIds.nextLong(), p.systemPromptTokens()));
      }
    }
    Supplier<Session> plans;
    if (c.type().equals("trace")) {
      Iterator<Session> all =
          SessionTrace.read(
                  baseDir.resolve(c.file()), p.systemPrompts(), p.systemPromptTokens(), sessionSeed)
              .iterator();
      plans = () -> all.hasNext() ? all.next() : null;
    } else {
      IntervalConfig i = w.interval();
      // A session sends `turns` requests on average, so sessions start that much less often.
      IntervalConfig starts =
          new IntervalConfig(
              i.type(), i.qps() / p.turns(), i.cv(), i.file(), i.timeScale(), i.plugins());
      WorkloadConfig sw =
          new WorkloadConfig(
              w.preset(),
              w.numRequests(),
              w.duration(),
              w.maxTokens(),
              w.length(),
              starts,
              w.trace(),
              w.concurrency(),
              w.thinkTime(),
              w.sharedPrefix(),
              c);
      // Only a stationary arrival process has a steady state to start in.
      boolean steady = STATIONARY.contains(i.type());
      plans =
          new SyntheticSessions(
              p,
              Workloads.intervals(sw, intervalSeed, baseDir),
              sessionSeed,
              w.maxTokens(),
              steady ? SyntheticSessions.warmup(p) : 0);
    }
    return new SessionSource(
        plans,
        prompts,
        w.maxTokens(),
        w.numRequests() != null ? w.numRequests() : Long.MAX_VALUE,
        w.duration() != null ? w.duration() : Double.POSITIVE_INFINITY);
  }

  /** The preset's numbers, or the keys' with one spread for every token count. */
  static SessionParams params(SessionConfig c) {
    if (c.preset() != null) {
      return preset(c.preset()).params();
    }
    return new SessionParams(
        c.systemPrompts(),
        c.systemPromptTokens(),
        c.turns(),
        c.firstInputTokens(),
        c.inputTokens(),
        c.outputTokens(),
        c.lengthCv(),
        c.lengthCv(),
        c.lengthCv(),
        c.thinkTime());
  }

  private static SessionPreset preset(String name) {
    return SessionPreset.byName(name)
        .orElseThrow(
            () ->
                new ConfigException(
                    "workload.sessions.preset",
                    "value '"
                        + name
                        + "' is not allowed; allowed: "
                        + String.join(" | ", SessionPreset.names())
                        + " or null"
                        + DidYouMean.hint(name, SessionPreset.names())));
  }

  /**
   * The sessions block: its own keys and the settings it contradicts. Returns true when sessions
   * are on, having checked everything else they use (intervals, stopping rules).
   */
  static boolean validate(WorkloadConfig w, Path baseDir) {
    SessionConfig c = w.sessions();
    if (c == null) {
      return false;
    }
    String type = Workloads.choose("workload.sessions.type", c.type(), SESSION_TYPES);
    String f = "workload.sessions.";
    if (type.equals(NONE) && c.preset() != null) {
      throw new ConfigException(
          f + "preset",
          "value '"
              + c.preset()
              + "' needs sessions; set workload.sessions.type to chat or agent, or preset to null");
    }
    if (c.file() != null && !type.equals("trace")) {
      throw new ConfigException(
          f + "file",
          "value '"
              + c.file()
              + "' is read by sessions.type trace only; set type to trace or file to null");
    }
    if (type.equals(NONE)) {
      return false;
    }
    String why = "' makes its own requests from sessions; set it to null or sessions.type to none";
    if (w.trace().file() != null) {
      throw new ConfigException(
          "workload.trace.file",
          "value '" + w.trace().file() + "' contradicts sessions.type '" + type + why);
    }
    if (w.concurrency() != null) {
      throw new ConfigException(
          "workload.concurrency",
          "value " + w.concurrency() + " contradicts sessions.type '" + type + why);
    }
    if (w.sharedPrefix() != null && w.sharedPrefix().groups() > 0) {
      throw new ConfigException(
          "workload.shared_prefix.groups",
          "value "
              + w.sharedPrefix().groups()
              + " contradicts sessions.type '"
              + type
              + "': sessions share their own system prompts (sessions.system_prompts); set groups"
              + " to 0");
    }
    if (c.preset() != null) {
      SessionPreset preset = preset(c.preset());
      if (!preset.type().equals(type)) {
        throw new ConfigException(
            f + "preset",
            "value '"
                + c.preset()
                + "' describes "
                + preset.type()
                + " sessions, not "
                + type
                + "; set sessions.type to "
                + preset.type()
                + " or pick another preset");
      }
    } else {
      Workloads.atLeastOne(f + "system_prompts", c.systemPrompts());
      if (c.systemPromptTokens() < 0) {
        throw new ConfigException(
            f + "system_prompt_tokens",
            "value " + c.systemPromptTokens() + " is not allowed; must be 0 (none) or more");
      }
    }
    if (type.equals("trace")) {
      if (c.preset() != null) {
        throw new ConfigException(
            f + "preset",
            "value '"
                + c.preset()
                + "' is not allowed with sessions.type trace: the session file"
                + " gives every turn; set preset to null");
      }
      Path file = Workloads.file(f + "file", c.file(), baseDir);
      SessionTrace.read(file, c.systemPrompts(), c.systemPromptTokens(), 0);
    } else if (c.preset() == null) {
      if (!(c.turns() >= 1) || Double.isInfinite(c.turns())) {
        throw new ConfigException(
            f + "turns",
            "value " + c.turns() + " is not allowed; must be a finite mean of 1 or more");
      }
      atLeastOneToken(f + "first_input_tokens", c.firstInputTokens());
      atLeastOneToken(f + "input_tokens", c.inputTokens());
      atLeastOneToken(f + "output_tokens", c.outputTokens());
      nonNegative(f + "length_cv", c.lengthCv());
      nonNegative(f + "think_time", c.thinkTime());
    }
    SessionParams p = params(c);
    if (p.systemPromptTokens() + 2L > w.maxTokens()) {
      throw new ConfigException(
          c.preset() != null ? f + "preset" : f + "system_prompt_tokens",
          "system prompts of "
              + p.systemPromptTokens()
              + " tokens leave no room for a turn in workload.max_tokens = "
              + w.maxTokens()
              + "; must be at most max_tokens - 2");
    }
    if (type.equals("trace")) {
      return true;
    }
    String interval =
        Workloads.validateInterval(
            w.interval(), w.preset() == null ? null : Workloads.preset(w.preset()), baseDir);
    if (w.numRequests() == null && w.duration() == null && !interval.equals("trace")) {
      throw new ConfigException(
          "workload.num_requests",
          "neither num_requests nor duration is set; set one so that sessions starting at"
              + " interval type '"
              + interval
              + "' end");
    }
    if (w.numRequests() == null && interval.equals("static")) {
      throw new ConfigException(
          "workload.num_requests",
          "must be set with interval type 'static': every session starts at 0, so duration"
              + " never ends the workload");
    }
    return true;
  }

  private static void atLeastOneToken(String field, double value) {
    if (!(value >= 1) || Double.isInfinite(value)) {
      throw new ConfigException(
          field, "value " + value + " is not allowed; must be a finite mean of 1 token or more");
    }
  }

  private static void nonNegative(String field, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new ConfigException(
          field, "value " + value + " is not allowed; must be a finite number, 0 or more");
    }
  }
}
