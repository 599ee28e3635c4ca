package io.llmcap.workload;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmcap.base.ConfigException;
import io.llmcap.base.DidYouMean;
import io.llmcap.config.SimulationConfig.IntervalConfig;
import io.llmcap.config.SimulationConfig.LengthConfig;
import io.llmcap.config.SimulationConfig.SharedPrefixConfig;
import io.llmcap.config.SimulationConfig.TraceConfig;
import io.llmcap.config.SimulationConfig.WorkloadConfig;
import io.llmcap.kv.PromptContent;
import io.llmcap.plugin.Registry;
import io.llmcap.workload.TraceReplay.Format;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * Turns a {@link WorkloadConfig} into the stream of requests a simulation consumes. Length and
 * interval generators are found by name: the built-ins below (one line each) and every {@link
 * LengthProvider} and {@link IntervalProvider} on the classpath.
 */
public final class Workloads {
  private static final Registry<LengthProvider<?>> LENGTHS =
      new Registry<>(
          "length generator",
          "workload.length.type",
          "workload.length",
          LengthProvider.class,
          List.of(
              LengthProvider.of(
                  "fixed",
                  c ->
                      new FixedLengths(
                          c.workload().length().prefillTokens(),
                          c.workload().length().decodeTokens())),
              LengthProvider.of(
                  "uniform",
                  c ->
                      new UniformLengths(
                          c.workload().length().minTokens(),
                          c.workload().maxTokens(),
                          c.workload().length().prefillToDecodeRatio(),
                          c.seed())),
              LengthProvider.of(
                  "zipf",
                  c ->
                      new ZipfLengths(
                          c.workload().length().minTokens(),
                          c.workload().maxTokens(),
                          c.workload().length().theta(),
                          c.workload().length().prefillToDecodeRatio(),
                          c.seed())),
              LengthProvider.of(
                  "trace",
                  c ->
                      new TraceLengths(
                          c.baseDir().resolve(c.workload().length().file()),
                          c.workload().length().prefillScale(),
                          c.workload().length().decodeScale(),
                          c.workload().maxTokens(),
                          c.seed()))));
  private static final Registry<IntervalProvider<?>> INTERVALS =
      new Registry<>(
          "interval generator",
          "workload.interval.type",
          "workload.interval",
          IntervalProvider.class,
          List.of(
              IntervalProvider.of(
                  "poisson", c -> new PoissonIntervals(c.workload().interval().qps(), c.seed())),
              IntervalProvider.of(
                  "gamma",
                  c ->
                      new GammaIntervals(
                          c.workload().interval().qps(), c.workload().interval().cv(), c.seed())),
              IntervalProvider.of(
                  "constant", c -> new ConstantIntervals(c.workload().interval().qps())),
              IntervalProvider.of("static", c -> new StaticIntervals()),
              IntervalProvider.of(
                  "trace",
                  c ->
                      new TraceIntervals(
                          c.baseDir().resolve(c.workload().interval().file()),
                          c.workload().interval().timeScale())),
              IntervalProvider.of(
                  "preset",
                  c ->
                      new GammaIntervals(
                          c.workload().interval().qps(),
                          preset(c.workload().preset()).arrivalCv(),
                          c.seed()))));
  private static final List<String> FORMATS = List.of("auto", "llmcap", "azure", "mooncake");

  private Workloads() {}

  public static Registry<LengthProvider<?>> lengthRegistry() {
    return LENGTHS;
  }

  public static Registry<IntervalProvider<?>> intervalRegistry() {
    return INTERVALS;
  }

  /**
   * The workload's requests in arrival order with ids 0, 1, 2, …, produced lazily (trace files are
   * read up front, so their errors surface here).
   *
   * <p>With {@code trace.file} set the trace is replayed; otherwise arrivals are the running sum of
   * the interval generator's gaps (the first request arrives at the first gap, as in the reference)
   * and lengths come from the preset, if set, or from {@code length}. Every request is fitted into
   * {@code max_tokens}. The stream ends at whichever comes first: {@code num_requests} requests,
   * the first arrival at or after {@code duration} seconds, or the end of a trace.
   *
   * @param seed the run's seed; lengths and intervals get independent seeds derived from it
   * @param baseDir the folder relative file names resolve against (the config file's folder)
   * @throws ConfigException when the configuration or a trace file is invalid
   */
  public static Iterator<RequestSpec> open(WorkloadConfig w, long seed, Path baseDir) {
    validate(w, baseDir);
    if (SessionWorkloads.on(w)) {
      // Validation read the session file; a session's later turns depend on completions.
      throw new IllegalArgumentException(
          "workload.sessions makes a closed loop, not an arrival stream; use Workloads.source");
    }
    TraceConfig t = w.trace();
    if (t.file() != null) {
      Iterator<RequestSpec> rows =
          TraceReplay.read(
                  baseDir.resolve(t.file()),
                  format(t.format()),
                  t.timeScale(),
                  t.prefillScale(),
                  t.decodeScale(),
                  w.maxTokens())
              .iterator();
      return new Limited(() -> rows.hasNext() ? rows.next() : null, w);
    }
    // A fixed draw order keeps the two seeds, and so every run, reproducible.
    SplittableRandom seeds = new SplittableRandom(seed);
    LengthGenerator lengths = lengths(w, seeds.nextLong(), baseDir);
    IntervalGenerator intervals = intervals(w, seeds.nextLong(), baseDir);
    return new Limited(new Synthetic(lengths, intervals, w.maxTokens()), w);
  }

  /**
   * The run's request source: the open-loop stream of {@link #open}, or with {@code concurrency}
   * set a closed loop of that many clients. With {@code shared_prefix.groups} above 0 every request
   * carries its prompt's content ({@link SharedPrefixPrompts}), so prefix caching can find it.
   *
   * <p>With {@code sessions.type} other than none the source is a {@link SessionSource}: synthetic
   * sessions starting at {@code interval}'s gaps drawn at qps / mean turns (so qps stays requests
   * per second), or the sessions of a session file.
   *
   * @throws ConfigException when the configuration or a trace file is invalid
   */
  public static RequestSource source(WorkloadConfig w, long seed, Path baseDir) {
    validate(w, baseDir);
    if (SessionWorkloads.on(w)) {
      return SessionWorkloads.source(w, seed, baseDir);
    }
    // Seeds of lengths and intervals are drawn first, as open() draws them, so open-loop runs stay
    // as they were; prompts take the third draw.
    SplittableRandom seeds = new SplittableRandom(seed);
    long lengthSeed = seeds.nextLong();
    seeds.nextLong();
    SharedPrefixConfig sp = w.sharedPrefix();
    LongFunction<PromptContent> prompts = id -> null;
    if (sp != null && sp.groups() > 0) {
      SharedPrefixPrompts shared =
          new SharedPrefixPrompts(
              sp.groups(),
              sp.usersPerGroup(),
              sp.prefixTokens(),
              promptTokens(w),
              seeds.nextLong());
      prompts = shared::prompt;
    }
    if (w.concurrency() != null) {
      return new ClosedLoopSource(
          w.concurrency(),
          w.thinkTime(),
          lengths(w, lengthSeed, baseDir),
          prompts,
          w.maxTokens(),
          w.numRequests() != null ? w.numRequests() : Long.MAX_VALUE,
          w.duration() != null ? w.duration() : Double.POSITIVE_INFINITY);
    }
    Iterator<RequestSpec> open = open(w, seed, baseDir);
    if (sp == null || sp.groups() <= 0) {
      return new OpenLoopSource(open);
    }
    LongFunction<PromptContent> content = prompts;
    return new OpenLoopSource(
        new Iterator<>() {
          @Override
          public boolean hasNext() {
            return open.hasNext();
          }

          @Override
          public RequestSpec next() {
            RequestSpec r = open.next();
            return new RequestSpec(
                r.id(),
                r.arrivedAt(),
                r.prefillTokens(),
                r.decodeTokens(),
                RequestSpec.NONE,
                RequestSpec.NONE,
                content.apply(r.id()));
          }
        });
  }

  /**
   * The prompt length shared-prefix prompts are built for: the fixed length's prompt tokens, as the
   * load generator's configured input length.
   */
  private static int promptTokens(WorkloadConfig w) {
    return w.length().prefillTokens();
  }

  /**
   * Every check that needs no generation: names, numbers, stopping rules, and that trace files
   * exist and have the columns they need. Lets the CLI fail before a run starts.
   *
   * @throws ConfigException naming the dotted config field (or {@code file:line}) at fault
   */
  public static void validate(WorkloadConfig w, Path baseDir) {
    if (w.maxTokens() < 2) {
      throw new ConfigException(
          "workload.max_tokens",
          "value " + w.maxTokens() + " is not allowed; a request needs at least 2 tokens");
    }
    if (w.numRequests() != null && w.numRequests() <= 0) {
      throw new ConfigException(
          "workload.num_requests",
          "value " + w.numRequests() + " is not allowed; must be a positive integer or null");
    }
    if (w.duration() != null) {
      positive("workload.duration", w.duration());
    }
    Preset preset = w.preset() == null ? null : preset(w.preset());
    validateClients(w, preset);
    if (SessionWorkloads.validate(w, baseDir)) {
      return;
    }
    TraceConfig t = w.trace();
    if (t.file() != null) {
      Path file = file("workload.trace.file", t.file(), baseDir);
      Format format = format(choose("workload.trace.format", t.format(), FORMATS));
      positive("workload.trace.time_scale", t.timeScale());
      positive("workload.trace.prefill_scale", t.prefillScale());
      positive("workload.trace.decode_scale", t.decodeScale());
      TraceReplay.detect(file, format);
      return;
    }
    if (preset == null) {
      validateLength(w.length(), w.maxTokens(), baseDir);
    }
    if (w.concurrency() != null) {
      if (w.numRequests() == null && w.duration() == null) {
        throw new ConfigException(
            "workload.num_requests",
            "neither num_requests nor duration is set; set one so that the closed loop ends");
      }
      return;
    }
    String type = validateInterval(w.interval(), preset, baseDir);
    if (w.numRequests() == null && w.duration() == null && !type.equals("trace")) {
      throw new ConfigException(
          "workload.num_requests",
          "neither num_requests nor duration is set; set one so that interval type '"
              + type
              + "' ends");
    }
    if (w.numRequests() == null && type.equals("static")) {
      throw new ConfigException(
          "workload.num_requests",
          "must be set with interval type 'static': every request arrives at 0, so duration"
              + " never ends the workload");
    }
  }

  /** The closed loop's and the shared prefix's own fields. */
  private static void validateClients(WorkloadConfig w, Preset preset) {
    if (w.concurrency() != null) {
      atLeastOne("workload.concurrency", w.concurrency());
      if (w.trace().file() != null) {
        throw new ConfigException(
            "workload.concurrency",
            "a trace replays its own arrival times; set concurrency to null or drop trace.file");
      }
    }
    if (!(w.thinkTime() >= 0) || Double.isInfinite(w.thinkTime())) {
      throw new ConfigException(
          "workload.think_time", "value " + w.thinkTime() + " is not allowed; must be 0 or more");
    }
    SharedPrefixConfig sp = w.sharedPrefix();
    if (sp == null || sp.groups() == 0) {
      return;
    }
    atLeastOne("workload.shared_prefix.groups", sp.groups());
    atLeastOne("workload.shared_prefix.users_per_group", sp.usersPerGroup());
    atLeastOne("workload.shared_prefix.prefix_tokens", sp.prefixTokens());
    if (preset != null || w.trace().file() != null || !w.length().type().equals("fixed")) {
      throw new ConfigException(
          "workload.shared_prefix.groups",
          "shared-prefix prompts need fixed lengths (preset null, no trace, length.type fixed)");
    }
  }

  private static void validateLength(LengthConfig l, int maxTokens, Path baseDir) {
    String type = choose("workload.length.type", l.type(), LENGTHS.names());
    LENGTHS.options(LENGTHS.get(type), l.plugins());
    switch (type) {
      case "fixed" -> {
        atLeastOne("workload.length.prefill_tokens", l.prefillTokens());
        atLeastOne("workload.length.decode_tokens", l.decodeTokens());
        if ((long) l.prefillTokens() + l.decodeTokens() > maxTokens) {
          throw new ConfigException(
              "workload.length",
              "prefill_tokens + decode_tokens = "
                  + ((long) l.prefillTokens() + l.decodeTokens())
                  + " exceeds workload.max_tokens = "
                  + maxTokens);
        }
      }
      case "uniform", "zipf" -> {
        if (l.minTokens() < 2 || l.minTokens() > maxTokens) {
          throw new ConfigException(
              "workload.length.min_tokens",
              "value "
                  + l.minTokens()
                  + " is not allowed; must be between 2 and workload.max_tokens = "
                  + maxTokens);
        }
        positive("workload.length.prefill_to_decode_ratio", l.prefillToDecodeRatio());
        if (l.type().equals("zipf") && !(l.theta() > 0 && l.theta() < 1)) {
          throw new ConfigException(
              "workload.length.theta",
              "value " + l.theta() + " is not allowed; must be strictly between 0 and 1");
        }
      }
      case "trace" -> {
        Path file = file("workload.length.file", l.file(), baseDir);
        positive("workload.length.prefill_scale", l.prefillScale());
        positive("workload.length.decode_scale", l.decodeScale());
        try (Csv csv = Csv.open(file)) {
          csv.column("num_prefill_tokens");
          csv.column("num_decode_tokens");
        }
      }
      default -> {}
    }
  }

  /** Validates the interval section and returns its type. */
  static String validateInterval(IntervalConfig i, Preset preset, Path baseDir) {
    String type = choose("workload.interval.type", i.type(), INTERVALS.names());
    INTERVALS.options(INTERVALS.get(type), i.plugins());
    switch (type) {
      case "poisson", "gamma", "constant", "preset" -> positive("workload.interval.qps", i.qps());
      case "trace" -> {
        Path file = file("workload.interval.file", i.file(), baseDir);
        positive("workload.interval.time_scale", i.timeScale());
        try (Csv csv = Csv.open(file)) {
          csv.column("arrived_at");
        }
      }
      default -> {}
    }
    if (type.equals("gamma")) {
      positive("workload.interval.cv", i.cv());
    }
    if (type.equals("preset") && preset == null) {
      throw new ConfigException(
          "workload.interval.type",
          "value 'preset' takes the arrival cv from workload.preset, which is not set; set it to "
              + String.join(" | ", Preset.names())
              + " or pick another interval type");
    }
    return type;
  }

  private static LengthGenerator lengths(WorkloadConfig w, long seed, Path baseDir) {
    if (w.preset() != null) {
      return preset(w.preset()).lengths(seed);
    }
    return create(LENGTHS.get(w.length().type()), w.length().plugins(), w, seed, baseDir);
  }

  private static <O> LengthGenerator create(
      LengthProvider<O> p, Map<String, JsonNode> blocks, WorkloadConfig w, long seed, Path dir) {
    return p.create(new WorkloadContext(w, seed, dir), LENGTHS.options(p, blocks));
  }

  static IntervalGenerator intervals(WorkloadConfig w, long seed, Path baseDir) {
    return create(INTERVALS.get(w.interval().type()), w.interval().plugins(), w, seed, baseDir);
  }

  private static <O> IntervalGenerator create(
      IntervalProvider<O> p, Map<String, JsonNode> blocks, WorkloadConfig w, long seed, Path dir) {
    return p.create(new WorkloadContext(w, seed, dir), INTERVALS.options(p, blocks));
  }

  static Preset preset(String name) {
    return Preset.byName(name)
        .orElseThrow(
            () ->
                new ConfigException(
                    "workload.preset",
                    "value '"
                        + name
                        + "' is not allowed; allowed: "
                        + String.join(" | ", Preset.names())
                        + " or null"
                        + DidYouMean.hint(name, Preset.names())));
  }

  private static Format format(String name) {
    return Format.valueOf(name.toUpperCase(Locale.ROOT));
  }

  static String choose(String field, String value, List<String> allowed) {
    if (value == null || !allowed.contains(value)) {
      throw new ConfigException(
          field,
          "value '"
              + value
              + "' is not allowed; allowed: "
              + String.join(" | ", allowed)
              + (value == null ? "" : DidYouMean.hint(value, allowed)));
    }
    return value;
  }

  private static void positive(String field, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new ConfigException(
          field, "value " + value + " is not allowed; must be a positive finite number");
    }
  }

  static void atLeastOne(String field, int value) {
    if (value < 1) {
      throw new ConfigException(field, "value " + value + " is not allowed; must be at least 1");
    }
  }

  /** Resolves a configured file name against {@code baseDir} and checks it can be read. */
  static Path file(String field, String name, Path baseDir) {
    if (name == null) {
      throw new ConfigException(field, "is not set; give the path of a CSV file");
    }
    Path path = baseDir.resolve(name);
    String shown = Path.of(name).isAbsolute() ? "" : " (resolved to " + path + ")";
    if (!Files.isRegularFile(path)) {
      throw new ConfigException(field, "file '" + name + "' does not exist" + shown);
    }
    if (!Files.isReadable(path)) {
      throw new ConfigException(field, "file '" + name + "' is not readable" + shown);
    }
    return path;
  }

  private static final class Synthetic implements Supplier<RequestSpec> {
    private final LengthGenerator lengths;
    private final IntervalGenerator intervals;
    private final int maxTokens;
    private double time;

    Synthetic(LengthGenerator lengths, IntervalGenerator intervals, int maxTokens) {
      this.lengths = lengths;
      this.intervals = intervals;
      this.maxTokens = maxTokens;
    }

    @Override
    public RequestSpec get() {
      double gap = intervals.next();
      Lengths l = gap < 0 ? null : lengths.next();
      if (l == null) {
        return null;
      }
      time += gap;
      Lengths clipped = LengthClip.proportional(l.prefill(), l.decode(), maxTokens);
      return new RequestSpec(-1, time, clipped.prefill(), clipped.decode());
    }
  }

  /** Numbers a source's requests and ends it at num_requests or duration. */
  private static final class Limited implements Iterator<RequestSpec> {
    private final Supplier<RequestSpec> source;
    private final Integer numRequests;
    private final Double duration;
    private RequestSpec pending;
    private long count;
    private boolean done;

    Limited(Supplier<RequestSpec> source, WorkloadConfig w) {
      this.source = source;
      this.numRequests = w.numRequests();
      this.duration = w.duration();
    }

    @Override
    public boolean hasNext() {
      if (pending == null && !done) {
        pending = pull();
        done = pending == null;
      }
      return pending != null;
    }

    @Override
    public RequestSpec next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      RequestSpec r = pending;
      pending = null;
      return r;
    }

    private RequestSpec pull() {
      if (numRequests != null && count >= numRequests) {
        return null;
      }
      RequestSpec r = source.get();
      if (r == null || (duration != null && r.arrivedAt() >= duration)) {
        return null;
      }
      return new RequestSpec(
          count++,
          r.arrivedAt(),
          r.prefillTokens(),
          r.decodeTokens(),
          r.clientId(),
          r.sessionId(),
          r.prompt());
    }
  }
}
