package io.llmcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Spark standalone cluster on loopback, started by {@code scripts/spark-cluster} from the test
 * classpath's jars: a search on two workers equals the {@code local[2]} search, and a search that
 * loses a worker midway still finishes with every deployment exactly once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTest {
  @TempDir static Path tmp;
  static Path cluster;
  static String master;
  static SparkSession spark;
  static final List<Long> pids = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs Linux /proc to track processes");
    assumeTrue(onPath("curl") && onPath("setsid"), "needs curl and setsid");
    cluster = tmp.resolve("cluster");
    int port = freePort();
    Cli.Result r =
        script(
            "start",
            "--workers",
            "2",
            "--dir",
            cluster.toString(),
            "--port",
            String.valueOf(port),
            "--webui-port",
            String.valueOf(freePort()));
    assertEquals(0, r.status(), r.out());
    master = "spark://127.0.0.1:" + port;
    assertTrue(r.out().contains("master " + master), r.out());
    assertTrue(r.out().contains("2 workers alive"), r.out());
    for (String f : List.of("master.pid", "worker-1.pid", "worker-2.pid")) {
      pids.add(Long.parseLong(Files.readString(cluster.resolve(f)).trim()));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (spark != null) {
      spark.stop();
    }
    if (cluster == null) {
      return;
    }
    Cli.Result r = script("stop", "--dir", cluster.toString());
    assertEquals(0, r.status(), r.out());
    for (long pid : pids) {
      assertFalse(
          ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
          "process " + pid + " stopped");
    }
    assertEquals(1, script("status", "--dir", cluster.toString()).status(), "not running");
  }

  @Test
  @Order(1)
  void twoWorkersGiveTheLocalResults() throws Exception {
    Cli.Result status = script("status", "--dir", cluster.toString());
    assertEquals(0, status.status(), status.out());
    assertTrue(status.out().contains("2 workers alive"), status.out());

    Path out = tmp.resolve("cluster-run");
    Path log = tmp.resolve("cluster-run.log");
    Process driver = search(out, log);
    assertEquals(0, Resilience.await(driver, 360, log), Resilience.read(log));
    assertTrue(
        Resilience.read(log).contains("spark " + master + " (2 cores)"), Resilience.read(log));
    Resilience.assertSameResults(Resilience.reference(), out, spark());
  }

  @Test
  @Order(2)
  void lostWorkerMidSearchStillSearchesEveryDeploymentOnce() throws Exception {
    Path out = tmp.resolve("lost-worker");
    Path log = tmp.resolve("lost-worker.log");
    Process driver = search(out, log);
    // each executor runs one deployment at a time: after two of four, both are busy (or one was
    // too slow to start and the other did both); kill the second worker then
    Resilience.awaitParts(out, 2, driver, 300, log);
    ProcessHandle worker = ProcessHandle.of(pids.get(2)).orElseThrow();
    worker.destroyForcibly();
    worker.onExit().get(30, TimeUnit.SECONDS);

    assertEquals(0, Resilience.await(driver, 360, log), Resilience.read(log));
    String text = Resilience.read(log);
    assertTrue(text.contains("Lost executor"), "the driver saw the executor go:\n" + text);
    // for the CI log: what Spark did about it (the lost task and its rerun)
    text.lines().filter(l -> l.contains("Lost ")).forEach(System.out::println);
    Resilience.assertSameResults(Resilience.reference(), out, spark());
  }

  private static Process search(Path out, Path log) {
    return Resilience.llmcap(
        log, "search", Resilience.space().toString(), "--master", master, "--out", out.toString());
  }

  private static SparkSession spark() {
    if (spark == null) {
      spark = Resilience.readSession();
    }
    return spark;
  }

  /** Runs scripts/spark-cluster with the test classpath's jars; status and combined output. */
  private static Cli.Result script(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Cli.root().resolve("scripts/spark-cluster").toString());
    cmd.addAll(List.of(args));
    Path log = Files.createTempFile(tmp, "script", ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    pb.environment()
        .put(
            "LLMCAP_CLASSPATH",
            String.join(
                File.pathSeparator,
                Resilience.classpath().stream().filter(e -> e.endsWith(".jar")).toList()));
    Process p = pb.start();
    int status = Resilience.await(p, 300, log);
    return new Cli.Result(status, Files.readString(log), "");
  }

  private static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
