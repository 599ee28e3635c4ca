package io.llmcap.workload;

import io.llmcap.config.ConfigException;
import io.llmcap.config.DidYouMean;
import io.llmcap.config.SimulationConfig.IntervalConfig;
import io.llmcap.config.SimulationConfig.LengthConfig;
import io.llmcap.config.SimulationConfig.TraceConfig;
import io.llmcap.config.SimulationConfig.WorkloadConfig;
import io.llmcap.workload.TraceReplay.Format;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/** Turns a {@link WorkloadConfig} into the stream of requests a simulation consumes. */
public final class Workloads {
  private static final List<String> LENGTH_TYPES = List.of("fixed", "uniform", "zipf", "trace");
  private static final List<String> INTERVAL_TYPES =
      List.of("poisson", "gamma", "static", "trace", "preset");
  private static final List<String> FORMATS = List.of("auto", "llmcap", "azure");

  private Workloads() {}

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

  private static void validateLength(LengthConfig l, int maxTokens, Path baseDir) {
    switch (choose("workload.length.type", l.type(), LENGTH_TYPES)) {
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
      default -> {
        Path file = file("workload.length.file", l.file(), baseDir);
        positive("workload.length.prefill_scale", l.prefillScale());
        positive("workload.length.decode_scale", l.decodeScale());
        try (Csv csv = Csv.open(file)) {
          csv.column("num_prefill_tokens");
          csv.column("num_decode_tokens");
        }
      }
    }
  }

  /** Validates the interval section and returns its type. */
  private static String validateInterval(IntervalConfig i, Preset preset, Path baseDir) {
    String type = choose("workload.interval.type", i.type(), INTERVAL_TYPES);
    switch (type) {
      case "poisson", "gamma", "preset" -> positive("workload.interval.qps", i.qps());
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
    LengthConfig l = w.length();
    return switch (l.type()) {
      case "fixed" -> new FixedLengths(l.prefillTokens(), l.decodeTokens());
      case "uniform" ->
          new UniformLengths(l.minTokens(), w.maxTokens(), l.prefillToDecodeRatio(), seed);
      case "zipf" ->
          new ZipfLengths(l.minTokens(), w.maxTokens(), l.theta(), l.prefillToDecodeRatio(), seed);
      default ->
          new TraceLengths(
              baseDir.resolve(l.file()), l.prefillScale(), l.decodeScale(), w.maxTokens(), seed);
    };
  }

  private static IntervalGenerator intervals(WorkloadConfig w, long seed, Path baseDir) {
    IntervalConfig i = w.interval();
    return switch (i.type()) {
      case "poisson" -> new PoissonIntervals(i.qps(), seed);
      case "gamma" -> new GammaIntervals(i.qps(), i.cv(), seed);
      case "preset" -> new GammaIntervals(i.qps(), preset(w.preset()).arrivalCv(), seed);
      case "static" -> new StaticIntervals();
      default -> new TraceIntervals(baseDir.resolve(i.file()), i.timeScale());
    };
  }

  private static Preset preset(String name) {
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

  private static String choose(String field, String value, List<String> allowed) {
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

  private static void atLeastOne(String field, int value) {
    if (value < 1) {
      throw new ConfigException(field, "value " + value + " is not allowed; must be at least 1");
    }
  }

  /** Resolves a configured file name against {@code baseDir} and checks it can be read. */
  private static Path file(String field, String name, Path baseDir) {
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
      return new RequestSpec(count++, r.arrivedAt(), r.prefillTokens(), r.decodeTokens());
    }
  }
}
