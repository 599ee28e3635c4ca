package io.llmcap.search;

import io.llmcap.base.ConfigException;
import io.llmcap.base.Yaml;
import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.Deployment;
import io.llmcap.config.SimulationConfig;
import io.llmcap.engine.Simulation;
import io.llmcap.predictors.Predictors;
import io.llmcap.report.Charts;
import io.llmcap.search.ResultColumns.Column;
import io.llmcap.setup.ConfigLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import scala.collection.Iterator;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * The Spark application behind {@code llmcap search}: the driver expands the space, prepares the
 * predictor once per deployment shape, runs one task per deployment (each a whole capacity search),
 * collects the small result rows and writes {@code results/<name>/} in one go.
 */
public final class SearchJob {
  private SearchJob() {}

  /** What the command line asks for; null master means local[*] unless spark-submit set one. */
  public record Options(
      Path file,
      List<String> overrides,
      String master,
      Path out,
      boolean force,
      boolean resume,
      Integer sample) {}

  /** Seconds between progress lines on stderr. */
  static final long PROGRESS_EVERY_S = 5;

  public static int run(Options o, PrintWriter out, PrintWriter err) {
    long start = System.nanoTime();
    SearchSpace space = SearchSpaces.load(o.file(), o.overrides());
    Path baseDir = o.file().toAbsolutePath().getParent();
    Catalog catalog = Catalog.builtin();
    Expansion x;
    try {
      x = Expansion.of(space, catalog, baseDir);
    } catch (ConfigException e) {
      throw new ConfigException(o.file().toString(), e.getMessage(), e);
    }
    List<DeploymentSpec> todo = sample(x.deployments(), o.sample(), space.seed());
    if (todo.isEmpty()) {
      throw new ConfigException(
          o.file().toString(),
          "no deployment to search: every combination was skipped: "
              + String.join(
                  " | ",
                  x.skipped().stream().map(Expansion.Skipped::reason).distinct().limit(3).toList())
              + "; allowed: a space with at least one deployment that fits its cluster");
    }
    printExpansion(out, space, x, todo);
    Path target = o.out() != null ? o.out() : Path.of("results", space.name());
    ResultStore store =
        ResultStore.open(
            target,
            spaceYaml(space),
            todo.stream().map(DeploymentSpec::id).toList(),
            o.resume()
                ? ResultStore.Mode.RESUME
                : o.force() ? ResultStore.Mode.FORCE : ResultStore.Mode.NEW);
    store.cleanup();
    Set<String> finished = store.finished();
    List<DeploymentSpec> missing = todo.stream().filter(d -> !finished.contains(d.id())).toList();
    if (!store.created()) {
      out.printf(
          Locale.ROOT,
          "resuming %s: %d of %d deployments already searched, %d to go%n",
          target,
          finished.size(),
          todo.size(),
          missing.size());
    }
    List<DeploymentSearch.Result> results;
    Path stage;
    double sessionS;
    double searchS;
    try {
      if (!missing.isEmpty()) {
        warmPredictors(missing, space, catalog, baseDir, out);
      }
      // the session start keeps one core busy loading Spark: load the report's drawing code on the
      // other meanwhile, as simulate does (a fresh JVM's first chart costs about a second)
      Charts.warmUpInBackground();
      // and compile the engine: a cold JVM's first probes run several times slower than warm ones
      AtomicBoolean sessionReady = new AtomicBoolean();
      if (!missing.isEmpty()) {
        warmUpEngineInBackground(missing.get(0), space, catalog, baseDir, sessionReady);
      }
      SparkSession existing = existingSession();
      long t0 = System.nanoTime();
      SparkSession spark = existing != null ? existing : session(o.master(), space.name());
      sessionReady.set(true);
      sessionS = (System.nanoTime() - t0) / 1e9;
      out.printf(
          Locale.ROOT,
          "spark %s (%d cores), session %s in %.1f s%n",
          spark.sparkContext().master(),
          spark.sparkContext().defaultParallelism(),
          existing != null ? "reused" : "started",
          (System.nanoTime() - t0) / 1e9);
      try {
        if (!missing.isEmpty()) {
          search(spark, missing, space, baseDir, store, err);
        }
        // the search itself: from reading the config to the last result, less the session start
        searchS = (System.nanoTime() - start) / 1e9 - sessionS;
      } finally {
        if (existing == null) {
          // stop only a session started here; one already running (a notebook, a test) is its
          // owner's. Nothing after the search needs Spark: the driver writes every file itself
          spark.stop();
        }
      }
      results = store.readAll();
      stage = store.stage();
    } catch (RuntimeException e) {
      if (store.created() && store.finished().isEmpty()) {
        // nothing worth resuming: a search that failed before its first result leaves no folder
        store.delete();
      }
      throw e;
    }
    // the Parquet writer's first file loads parquet-mr (about half a second): let it load on a
    // thread of its own while this one writes the CSVs and the report
    List<DeploymentSearch.Result> all = results;
    Path into = stage;
    FutureTask<Void> parquet =
        new FutureTask<>(
            () -> {
              writeParquet(into, all);
              return null;
            });
    Thread writer = new Thread(parquet, "llmcap-parquet");
    writer.setDaemon(true);
    writer.start();
    List<DeploymentResult> rows =
        results.stream().map(DeploymentSearch.Result::deployment).toList();
    List<ProbeResult> probes = results.stream().flatMap(r -> r.probes().stream()).toList();
    DeploymentResult.writeCsv(stage.resolve("deployments.csv"), rows);
    ResultColumns.writeCsv(stage.resolve("probes.csv"), ProbeResult.class, probes);
    ResultColumns.writeCsv(stage.resolve("skipped.csv"), Expansion.Skipped.class, x.skipped());
    List<String> summary =
        ParetoReport.write(
            stage.resolve("report"),
            rows,
            new ParetoReport.Info(
                space.name(),
                space.priceBook(),
                space.slos(),
                x.skipped().size(),
                x.skipReasons(),
                searchS),
            best -> atMaxQps(best, todo, space, catalog, baseDir));
    await(parquet);
    store.publish(stage);
    summary.forEach(out::println);
    double totalS = (System.nanoTime() - start) / 1e9;
    out.printf(
        Locale.ROOT,
        "time: search %.1f s, spark session %.1f s, results and report %.1f s, %.1f s in all%n",
        searchS,
        sessionS,
        totalS - searchS - sessionS,
        totalS);
    out.println("wrote " + target + " (report: " + target.resolve("report/index.html") + ")");
    return 0;
  }

  /** Waits for {@code task}, rethrowing what it threw. */
  private static void await(FutureTask<Void> task) {
    try {
      task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing the results", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Reruns the best deployment's passing probe on the driver, for its latency CDFs. */
  private static Measurement atMaxQps(
      DeploymentResult best,
      List<DeploymentSpec> todo,
      SearchSpace space,
      Catalog catalog,
      Path baseDir) {
    DeploymentSpec d =
        todo.stream().filter(s -> s.id().equals(best.deploymentId())).findFirst().orElseThrow();
    return DeploymentSearch.rerun(d, best.maxQps(), space, catalog, baseDir);
  }

  /**
   * {@code n} deployments drawn at random, seeded so the same sample comes back each time, in
   * expansion order (all when null or ≥ the count). Random, not every k-th: a stride aliases with
   * the innermost axes of the product (workloads, batch caps) and would leave some out.
   */
  static List<DeploymentSpec> sample(List<DeploymentSpec> all, Integer n, long seed) {
    if (n == null || n >= all.size()) {
      return all;
    }
    if (n < 1) {
      throw ConfigException.invalid("--sample", n, "an integer ≥ 1");
    }
    List<Integer> idx = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      idx.add(i);
    }
    Collections.shuffle(idx, new Random(seed));
    return idx.subList(0, n).stream().sorted().map(all::get).toList();
  }

  private static void printExpansion(
      PrintWriter out, SearchSpace space, Expansion x, List<DeploymentSpec> todo) {
    out.printf(
        Locale.ROOT,
        "search %s: %d deployments%s, %d combinations skipped%n",
        space.name(),
        x.deployments().size(),
        todo.size() < x.deployments().size() ? " (searching a sample of " + todo.size() + ")" : "",
        x.skipped().size());
    if (x.skipped().size() <= 20) {
      for (Expansion.Skipped s : x.skipped()) {
        out.println("  skipped " + s.description() + ": " + s.reason());
      }
    } else {
      x.skipReasons().forEach((r, n) -> out.printf(Locale.ROOT, "  skipped %4d: %s%n", n, r));
      out.println("  (each skipped combination and its reason: skipped.csv)");
    }
    out.flush();
  }

  private static SparkSession existingSession() {
    scala.Option<SparkSession> s = SparkSession.getActiveSession();
    if (s.isEmpty()) {
      s = SparkSession.getDefaultSession();
    }
    return s.isDefined() ? s.get() : null;
  }

  static SparkSession session(String master, String name) {
    SparkConf conf = new SparkConf(); // picks up what spark-submit set (spark.* properties)
    if (master != null) {
      conf.setMaster(master);
    } else {
      conf.setIfMissing("spark.master", "local[*]");
    }
    conf.setIfMissing("spark.app.name", "llmcap search " + name);
    conf.setIfMissing("spark.ui.enabled", "false");
    // the deployments schema has 46 columns; Spark warns when a plan string shows more than 25
    conf.setIfMissing("spark.sql.debug.maxToStringFields", "100");
    if (conf.get("spark.master").startsWith("local")) {
      conf.setIfMissing("spark.driver.host", "127.0.0.1");
      conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
    }
    SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    return spark;
  }

  /**
   * Builds the predictor once per deployment shape (model, SKU, node, TP, PP, formats, EP: the
   * resolved {@link io.llmcap.catalog.Deployment}) on the driver, so that a predictor that trains
   * caches its model before the tasks start and executors load instead of training.
   */
  /**
   * Runs {@link DeploymentSearch#warmUp} of {@code d} on a daemon thread until {@code stop} is set:
   * in local mode the executors share this JVM, so the probes start on compiled code.
   */
  private static void warmUpEngineInBackground(
      DeploymentSpec d, SearchSpace space, Catalog catalog, Path baseDir, AtomicBoolean stop) {
    Thread t =
        new Thread(
            () -> {
              try {
                DeploymentSearch.warmUp(d, space, catalog, baseDir, stop::get);
              } catch (RuntimeException e) {
                // only a head start: the search reports any problem with the deployment
              }
            },
            "llmcap-engine-warm-up");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
  }

  private static void warmPredictors(
      List<DeploymentSpec> todo,
      SearchSpace space,
      Catalog catalog,
      Path baseDir,
      PrintWriter out) {
    long t0 = System.nanoTime();
    Map<Deployment, SimulationConfig> shapes = new LinkedHashMap<>();
    for (DeploymentSpec d : todo) {
      SimulationConfig c =
          ConfigLoader.bind(
              d.toConfig(d.workload().startQps(), space.seed(), space.predictor(), baseDir));
      for (Deployment dep : Simulation.prepare(c, catalog, baseDir).deployments()) {
        shapes.putIfAbsent(dep, c);
      }
    }
    for (Map.Entry<Deployment, SimulationConfig> e : shapes.entrySet()) {
      Predictors.create(e.getValue(), e.getKey(), baseDir);
    }
    out.printf(
        Locale.ROOT,
        "predictor %s ready for %d deployment shapes (%.1f s)%n",
        space.predictor().type(),
        shapes.size(),
        (System.nanoTime() - t0) / 1e9);
    out.flush();
  }

  /**
   * Searches {@code todo}, one task per deployment, saving each result in {@code store} on the
   * driver as its task finishes: Spark hands each partition's result to the handler once, however
   * often the task ran, and a killed driver keeps what it had saved.
   */
  private static void search(
      SparkSession spark,
      List<DeploymentSpec> todo,
      SearchSpace space,
      Path baseDir,
      ResultStore store,
      PrintWriter err) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    LongAccumulator probes = jsc.sc().longAccumulator("llmcap probes");
    Progress progress = new Progress(todo.size(), probes, err);
    jsc.sc().addSparkListener(progress);
    ScheduledExecutorService ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "llmcap-progress");
              t.setDaemon(true);
              return t;
            });
    ticker.scheduleAtFixedRate(
        progress::print, PROGRESS_EVERY_S, PROGRESS_EVERY_S, TimeUnit.SECONDS);
    String base = baseDir.toString();
    // cores the tasks leave idle run a deployment's probes in parallel (the results are the same)
    int threads = Math.max(1, jsc.defaultParallelism() / todo.size());
    try {
      // one slice per deployment: each task is a whole capacity search (never coalesce this)
      JavaRDD<DeploymentSearch.Result> results =
          jsc.parallelize(todo, todo.size())
              .map(
                  d -> {
                    DeploymentSearch.Result r =
                        DeploymentSearch.run(d, space, Catalog.builtin(), Path.of(base), threads);
                    probes.add(r.probes().size());
                    return r;
                  });
      jsc.sc()
          .runJob(
              results.rdd(),
              new OnlyElement(),
              new SaveResult(store),
              ClassTag$.MODULE$.apply(DeploymentSearch.Result.class));
    } catch (Exception e) { // SparkException is checked, though Scala does not declare it
      throw userMistake(e);
    } finally {
      ticker.shutdownNow();
      jsc.sc().removeSparkListener(progress);
    }
    progress.print();
  }

  /** A partition's one result (a partition holds one deployment). */
  private static final class OnlyElement
      extends AbstractFunction1<Iterator<DeploymentSearch.Result>, DeploymentSearch.Result>
      implements Serializable {
    @Override
    public DeploymentSearch.Result apply(Iterator<DeploymentSearch.Result> it) {
      return it.next();
    }
  }

  /** Runs on the driver for each finished partition. */
  private static final class SaveResult
      extends AbstractFunction2<Object, DeploymentSearch.Result, BoxedUnit> {
    private final ResultStore store;

    SaveResult(ResultStore store) {
      this.store = store;
    }

    @Override
    public BoxedUnit apply(Object partition, DeploymentSearch.Result r) {
      store.save(r);
      return BoxedUnit.UNIT;
    }
  }

  /** A ConfigException thrown inside a task reaches the driver wrapped; surface it as such. */
  private static RuntimeException userMistake(Exception e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConfigException ce) {
        return ce;
      }
    }
    return e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e);
  }

  /** Counts finished deployments and prints progress lines to stderr. */
  static final class Progress extends SparkListener {
    private final int total;
    private final LongAccumulator probes;
    private final PrintWriter err;
    private final AtomicInteger done = new AtomicInteger();
    private final long start = System.nanoTime();

    Progress(int total, LongAccumulator probes, PrintWriter err) {
      this.total = total;
      this.probes = probes;
      this.err = err;
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
      if (e.taskInfo().successful()) {
        done.incrementAndGet();
      }
    }

    synchronized void print() {
      int d = done.get();
      double elapsed = (System.nanoTime() - start) / 1e9;
      String eta = d == 0 ? "?" : clock(elapsed / d * (total - d));
      err.printf(
          Locale.ROOT,
          "search: %d/%d deployments, %d probes, %s elapsed, ETA %s%n",
          d,
          total,
          probes.value(),
          clock(elapsed),
          eta);
      err.flush();
    }

    private static String clock(double s) {
      long t = Math.round(s);
      return t >= 3600
          ? String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
          : String.format(Locale.ROOT, "%d:%02d", t / 60, t % 60);
    }
  }

  /**
   * Writes {@code deployments/} (partitioned by model and workload) and {@code probes/} on the
   * driver: the rows are already here, and a Spark SQL write of a few hundred rows cost seconds of
   * planning and code generation.
   */
  static void writeParquet(Path dir, List<DeploymentSearch.Result> results) {
    List<Column> columns = DeploymentResult.columns();
    List<Object[]> rows = new ArrayList<>();
    List<Object[]> probes = new ArrayList<>();
    for (DeploymentSearch.Result r : results) {
      rows.add(r.deployment().values(columns));
      for (ProbeResult p : r.probes()) {
        probes.add(ResultColumns.values(p));
      }
    }
    ResultParquet.write(dir.resolve("deployments"), columns, rows, List.of("model", "workload"));
    ResultParquet.write(
        dir.resolve("probes"), ResultColumns.of(ProbeResult.class), probes, List.of());
  }

  /**
   * The Spark schema of a result record, as documented in the README (and as the datasets' files
   * declare it: {@link ResultParquet}).
   */
  public static StructType schema(Class<? extends Record> type) {
    return schema(ResultColumns.of(type));
  }

  /** The Spark schema of these columns. */
  public static StructType schema(List<Column> columns) {
    List<StructField> fields = new ArrayList<>();
    for (Column c : columns) {
      fields.add(DataTypes.createStructField(c.name(), sparkType(c.type()), c.nullable()));
    }
    return DataTypes.createStructType(fields);
  }

  private static DataType sparkType(Class<?> t) {
    if (t == String.class) {
      return DataTypes.StringType;
    }
    if (t == Integer.class) {
      return DataTypes.IntegerType;
    }
    if (t == Long.class) {
      return DataTypes.LongType;
    }
    if (t == Double.class) {
      return DataTypes.DoubleType;
    }
    if (t == Boolean.class) {
      return DataTypes.BooleanType;
    }
    throw new IllegalArgumentException("no Spark type for " + t);
  }

  /** The normalized space as written to {@code search.yml}; a resumed search must match it. */
  static String spaceYaml(SearchSpace space) {
    try {
      return Yaml.yaml().writeValueAsString(space);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
