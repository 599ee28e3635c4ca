package io.llmcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A killed driver loses no finished deployment and {@code --resume} completes the search to the
 * results of an uninterrupted run; an existing results folder is never overwritten silently.
 */
class ResumeTest {
  @TempDir static Path tmp;
  static SparkSession spark;

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  static SparkSession spark() {
    if (spark == null) {
      spark = Resilience.readSession();
    }
    return spark;
  }

  @Test
  void killedDriverResumesToTheUninterruptedResults() throws Exception {
    Path reference = Resilience.reference();
    Path out = tmp.resolve("killed");
    Path log = tmp.resolve("killed.log");
    // one core: deployments finish one at a time, so the kill lands between the first and last
    Process driver =
        Resilience.llmcap(
            log,
            "search",
            Resilience.space().toString(),
            "--master",
            "local[1]",
            "--out",
            out.toString());
    Resilience.awaitParts(out, 1, driver, 240, log);
    driver.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook runs

    Map<String, String> saved = Resilience.parts(out);
    assertTrue(
        saved.size() >= 1 && saved.size() < Resilience.DEPLOYMENTS,
        "killed mid-search: " + saved.keySet() + "\n" + Resilience.read(log));
    assertFalse(Files.exists(out.resolve("deployments.csv")), "no final results yet");

    Cli.Result r =
        Cli.run(
                "search",
                Resilience.space().toString(),
                "--master",
                "local[2]",
                "--out",
                out.toString(),
                "--resume")
            .ok();
    assertTrue(
        r.out()
            .contains(
                "resuming "
                    + out
                    + ": "
                    + saved.size()
                    + " of 4 deployments already searched, "
                    + (4 - saved.size())
                    + " to go"),
        r.out());
    Map<String, String> after = Resilience.parts(out);
    saved.forEach((id, json) -> assertEquals(json, after.get(id), "not searched again: " + id));
    Resilience.assertSameResults(reference, out, spark());
    try (Stream<Path> s = Files.list(out)) {
      assertEquals(
          List.of(),
          s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList(),
          "no staging left");
    }
  }

  @Test
  void existingFolderNeedsResumeOrForce() throws IOException {
    Path reference = Resilience.reference();
    Path out = tmp.resolve("done");
    copyTree(reference, out);
    String space = Resilience.space().toString();

    Cli.Result refused = Cli.run("search", space, "--out", out.toString());
    assertEquals(2, refused.status(), refused.err());
    assertTrue(
        refused.err().startsWith("error: --out: folder '" + out + "' already exists"),
        refused.err());
    assertTrue(refused.err().contains("--resume") && refused.err().contains("--force"));

    Cli.Result changed =
        Cli.run("search", space, "--out", out.toString(), "--resume", "--set", "seed=7");
    assertEquals(2, changed.status(), changed.err());
    assertTrue(changed.err().contains("search.yml' differs"), changed.err());

    Cli.Result sampled =
        Cli.run("search", space, "--out", out.toString(), "--resume", "--sample", "2");
    assertEquals(2, sampled.status(), sampled.err());
    assertTrue(sampled.err().contains("lists 4 deployments, not the 2"), sampled.err());

    Cli.Result both = Cli.run("search", space, "--out", out.toString(), "--resume", "--force");
    assertEquals(2, both.status(), both.err());

    // resuming a finished search searches nothing and writes the same results again
    Cli.Result again =
        Cli.run("search", space, "--master", "local[1]", "--out", out.toString(), "--resume").ok();
    assertTrue(again.out().contains("4 of 4 deployments already searched, 0 to go"), again.out());
    assertFalse(again.err().contains("search: "), "no search ran: " + again.err());
    Resilience.assertSameResults(reference, out, spark());

    // --force replaces it: here by a one-deployment sample
    Cli.run(
            "search",
            space,
            "--master",
            "local[1]",
            "--out",
            out.toString(),
            "--force",
            "--sample",
            "1")
        .ok();
    assertEquals(2, Cli.lines(out.resolve("deployments.csv")).size());
    assertEquals(1, Resilience.parts(out).size());
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Files.copy(p, to.resolve(from.relativize(p).toString()));
      }
    }
  }
}
