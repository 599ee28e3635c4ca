package io.llmcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.report.ReportFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code llmcap simulate} writes the report into the run folder, and its replica timeline; {@code
 * --no-report} leaves the plots out.
 */
class SimulateReportTest {
  @TempDir static Path tmp;
  static Path run;

  static final String[] SMALL = {
    "--set",
    "predictor.type=roofline",
    "--num-requests",
    "120",
    "--replicas",
    "2",
    "--set",
    "metrics.format=csv"
  };

  @BeforeAll
  static void simulate() {
    run = tmp.resolve("with-report");
    Cli.run(args("simulate", "--out", run.toString(), "--quiet")).ok();
  }

  @Test
  void reportPageShowsPlotsThatExist() throws IOException {
    List<String> pngs = ReportFiles.checkPage(run.resolve("report.html"));
    assertEquals(9, pngs.size(), pngs.toString());
    List<String> refs = ReportFiles.references(Files.readString(run.resolve("report.html")));
    for (String data :
        List.of("config.yaml", "summary.json", "request_metrics.csv", "replica_timeline.csv")) {
      assertTrue(refs.contains(data), "links " + data);
    }
    // written inside the staging folder: only the committed run folder is left
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(List.of("with-report"), s.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void replicaTimelineHasOneRowPerBatch() {
    List<String> timeline = Cli.lines(run.resolve("replica_timeline.csv"));
    assertEquals("time,replica,kv_blocks_used,kv_usage,running,waiting", timeline.get(0));
    List<String> batches = Cli.lines(run.resolve("batch_metrics.csv"));
    assertEquals(batches.size(), timeline.size(), "one sample per batch end");
    double last = 0;
    boolean[] seen = new boolean[2];
    for (int i = 1; i < timeline.size(); i++) {
      String[] t = timeline.get(i).split(",");
      String[] b = batches.get(i).split(",");
      assertEquals(b[3], t[0], "same end time as batch_metrics row " + i);
      assertEquals(b[1], t[1], "same replica as batch_metrics row " + i);
      double time = Double.parseDouble(t[0]);
      assertTrue(time >= last, "time order");
      last = time;
      seen[Integer.parseInt(t[1])] = true;
      double usage = Double.parseDouble(t[3]);
      assertTrue(usage >= 0 && usage <= 1, timeline.get(i));
      assertTrue(Integer.parseInt(t[4]) >= 0, timeline.get(i));
      assertTrue(Integer.parseInt(t[5]) >= 0, timeline.get(i));
    }
    assertTrue(seen[0] && seen[1], "both replicas sampled");
    // the last batch of a replica completes its last request: nothing is left running or waiting
    String[] end = timeline.get(timeline.size() - 1).split(",");
    assertEquals("0", end[4], "running at the end");
    assertEquals("0", end[5], "waiting at the end");
  }

  @Test
  void noReportLeavesThePlotsOut() throws IOException {
    Path bare = tmp.resolve("bare");
    Cli.run(args("simulate", "--out", bare.toString(), "--quiet", "--no-report")).ok();
    try (Stream<Path> s = Files.list(bare)) {
      List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
      assertTrue(names.contains("replica_timeline.csv"), names.toString());
      assertFalse(
          names.stream().anyMatch(n -> n.endsWith(".png") || n.endsWith(".html")), "" + names);
    }
  }

  private static String[] args(String... first) {
    String[] all = new String[first.length + SMALL.length];
    System.arraycopy(first, 0, all, 0, first.length);
    System.arraycopy(SMALL, 0, all, first.length, SMALL.length);
    return all;
  }
}
