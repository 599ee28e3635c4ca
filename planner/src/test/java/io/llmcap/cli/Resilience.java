package io.llmcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Shared by the fault tests: a small search space, its uninterrupted {@code local[2]} results
 * (computed once per test JVM), searches run as child JVMs that a test can kill, and the comparison
 * of two results folders (CSV and Parquet, every column but the host-time {@code wall_s}).
 */
final class Resilience {
  /**
   * Four deployments (two SKUs x two schedulers) of a 7B model with short probes: long enough that
   * a kill lands mid-search, short enough for CI. Two seeds per deployment: the rows, intervals
   * included, must not depend on the cores a deployment's probes ran on.
   */
  static final String SPACE =
      """
      name: resilience
      models:
        - name: meta-llama/Llama-2-7b-hf
      clusters:
        - {sku: a100, node: a100_pairwise_nvlink, gpus: 2}
        - {sku: h100, node: h100_dgx, gpus: 2}
      tensor_parallel: [1]
      schedulers:
        - {type: vllm}
        - {type: sarathi, chunk_sizes: [512]}
      batch_size_caps: [64]
      workloads:
        - {name: chat, preset: chat, requests: 100, min_duration: 10, start_qps: 4}
      predictor: {type: roofline}
      search:
        max_probes: 8
        granularity: 0.1
        seeds: 2             # resume and determinism must hold with intervals too
      """;

  static final int DEPLOYMENTS = 4;

  private static Path dir;
  private static Path reference;

  private Resilience() {}

  /** A scratch folder for this JVM's fault tests, removed at exit. */
  static synchronized Path dir() {
    if (dir == null) {
      try {
        dir = Files.createTempDirectory("llmcap-resilience-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Path d = dir;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(d)));
    }
    return dir;
  }

  static synchronized Path space() {
    Path f = dir().resolve("resilience.yml");
    if (!Files.exists(f)) {
      Cli.write(f, SPACE);
    }
    return f;
  }

  /** The uninterrupted search on {@code local[2]}, searched once per JVM. */
  static synchronized Path reference() {
    if (reference == null) {
      Path out = dir().resolve("reference");
      Cli.run("search", space().toString(), "--master", "local[2]", "--out", out.toString()).ok();
      reference = out;
    }
    return reference;
  }

  /** The test JVM's classpath, entry by entry (Surefire names it in its own property). */
  static List<String> classpath() {
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return List.of(cp.split(Pattern.quote(File.pathSeparator)));
  }

  /** The Spark JVM flags of the parent pom (one line there). */
  static List<String> sparkJvmFlags() {
    try {
      Matcher m =
          Pattern.compile("<spark.jvm.flags>(.*)</spark.jvm.flags>")
              .matcher(Files.readString(Cli.root().resolve("pom.xml")));
      if (!m.find()) {
        throw new IllegalStateException("no spark.jvm.flags in pom.xml");
      }
      return List.of(m.group(1).trim().split("\\s+"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts {@code llmcap <args>} in a child JVM with this classpath, output to {@code log}.
   * Executors of a standalone cluster get the class folders (their jars come from SPARK_HOME).
   */
  static Process llmcap(Path log, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(sparkJvmFlags());
    cmd.add("-Xmx768m");
    cmd.add("-Djava.awt.headless=true");
    String folders =
        String.join(
            File.pathSeparator,
            classpath().stream().filter(e -> Files.isDirectory(Path.of(e))).toList());
    cmd.add("-Dspark.executor.extraClassPath=" + folders);
    cmd.add("-Dspark.executor.memory=512m");
    for (String p : List.of("llmcap.cache", "llmcap.root")) {
      if (System.getProperty(p) != null) {
        cmd.add("-D" + p + "=" + System.getProperty(p));
      }
    }
    cmd.add("-cp");
    cmd.add(String.join(File.pathSeparator, classpath()));
    cmd.add("io.llmcap.cli.Main");
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    try {
      return pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits for the process and returns its exit status; fails (killing it) after the timeout. */
  static int await(Process p, long seconds, Path log) throws InterruptedException {
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      fail("no exit within " + seconds + " s; output:\n" + read(log));
    }
    return p.exitValue();
  }

  /** Waits until the results folder holds at least {@code n} finished deployments. */
  static void awaitParts(Path out, int n, Process p, long seconds, Path log)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (parts(out).size() < n) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly().waitFor();
        fail(n + " results not saved in time (alive: " + p.isAlive() + "); output:\n" + read(log));
      }
      Thread.sleep(100);
    }
  }

  /** Saved results by deployment id: the part files' contents. */
  static Map<String, String> parts(Path out) {
    Path parts = out.resolve("parts");
    Map<String, String> m = new TreeMap<>();
    if (!Files.isDirectory(parts)) {
      return m;
    }
    try (Stream<Path> s = Files.list(parts)) {
      for (Path f : s.toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith(".json") && !name.startsWith(".")) {
          m.put(name.substring(0, name.length() - 5), Files.readString(f));
        }
      }
    } catch (IOException e) {
      // a part renamed while listing: the next poll sees it
    }
    return m;
  }

  /**
   * Asserts two results folders hold the same search results: CSVs and Parquet rows equal but for
   * {@code wall_s}, every deployment exactly once.
   */
  static void assertSameResults(Path expected, Path actual, SparkSession spark) {
    assertEquals(
        SearchCommandTest.withoutWall(expected.resolve("deployments.csv")),
        SearchCommandTest.withoutWall(actual.resolve("deployments.csv")),
        "deployments.csv");
    List<String> rows = Cli.lines(actual.resolve("deployments.csv"));
    assertEquals(DEPLOYMENTS + 1, rows.size(), "one row per deployment");
    assertEquals(
        DEPLOYMENTS,
        rows.stream().skip(1).map(r -> r.substring(0, r.indexOf(','))).distinct().count(),
        "each deployment exactly once");
    assertEquals(DEPLOYMENTS, parts(actual).size(), "one saved result per deployment");
    for (String f : List.of("probes.csv", "skipped.csv", "report/frontier.csv")) {
      assertEquals(Cli.lines(expected.resolve(f)), Cli.lines(actual.resolve(f)), f);
    }
    assertEquals(parquet(spark, expected), parquet(spark, actual), "Parquet rows");
  }

  private static List<String> parquet(SparkSession spark, Path results) {
    List<String> out = new ArrayList<>();
    for (Row r :
        spark
            .read()
            .parquet(results.resolve("deployments").toString())
            .drop("wall_s")
            .orderBy("deployment_id")
            .collectAsList()) {
      out.add(r.toString());
    }
    for (Row r :
        spark
            .read()
            .parquet(results.resolve("probes").toString())
            .orderBy("deployment_id", "probe")
            .collectAsList()) {
      out.add(r.toString());
    }
    assertTrue(out.size() > DEPLOYMENTS, "deployments and probes read back");
    return out;
  }

  static SparkSession readSession() {
    SparkSession s =
        SparkSession.builder()
            .master("local[1]")
            .appName("llmcap fault tests")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate();
    s.sparkContext().setLogLevel("WARN");
    return s;
  }

  static String read(Path f) {
    try {
      return Files.exists(f) ? Files.readString(f) : "(no " + f + ")";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
