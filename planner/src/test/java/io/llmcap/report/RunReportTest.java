package io.llmcap.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.catalog.Catalog;
import io.llmcap.config.SimulationConfig;
import io.llmcap.engine.Simulation;
import io.llmcap.engine.SimulationResult;
import io.llmcap.output.Summary;
import io.llmcap.predictors.Predictors;
import io.llmcap.setup.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;

/**
 * The simulation report on a small run with 2 replicas of PP 2 (so per-replica and per-stage plots
 * have several series): every plot, its axis titles, the PNG files and the page's links.
 */
class RunReportTest {
  @TempDir static Path dir;
  static SimulationResult result;
  static Map<String, Object> summary;
  static List<Figure> figures;

  /** Every plot of a run: file, x-axis title, y-axis title. */
  static final String[][] EXPECTED = {
    {"ttft_cdf.png", "TTFT (s)", "fraction of requests"},
    {
      "tbt_cdf.png",
      "gap between consecutive output tokens of a request (s)",
      "fraction of output tokens"
    },
    {"tpot_cdf.png", "TPOT (s)", "fraction of requests with 2+ output tokens"},
    {"e2e_cdf.png", "end-to-end latency (s)", "fraction of requests"},
    {"batch_size.png", "simulated time (s)", "requests per batch"},
    {"batch_tokens.png", "simulated time (s)", "tokens per batch (prefill + decode)"},
    {"kv_usage.png", "simulated time (s)", "KV-cache blocks in use (%)"},
    {"requests.png", "simulated time (s)", "requests"},
    {"utilization.png", "replica stage", "percent"},
  };

  @BeforeAll
  static void simulate() throws IOException {
    SimulationConfig c =
        ConfigLoader.bind(
            ConfigLoader.resolve(
                null,
                List.of(
                    "predictor.type=roofline",
                    "cluster.replicas=2",
                    "cluster.pipeline_parallel=2",
                    "workload.num_requests=150",
                    "workload.interval.qps=8")));
    Simulation sim = Simulation.prepare(c, Catalog.builtin(), Path.of(""));
    result = sim.run(Predictors.create(c.predictor(), sim.deployment()), List.of());
    summary = Summary.of(result);
    figures = RunReport.figures(result, summary);
    RunReport.write(dir, result, summary);
  }

  @Test
  void everyPlotHasItsAxisTitles() {
    assertEquals(EXPECTED.length, figures.size(), files(figures).toString());
    for (int i = 0; i < EXPECTED.length; i++) {
      Figure f = figures.get(i);
      assertEquals(EXPECTED[i][0], f.file());
      assertEquals(EXPECTED[i][1], f.chart().getXAxisTitle(), f.file());
      assertEquals(EXPECTED[i][2], f.chart().getYAxisTitle(), f.file());
      assertFalse(f.chart().getTitle().isBlank(), f.file());
      assertFalse(f.caption().isBlank(), f.file());
    }
  }

  @Test
  void perReplicaPlotsHaveALinePerReplicaAndStageBars() {
    XYChart kv = (XYChart) figure("kv_usage.png").chart();
    assertEquals(List.of("replica 0", "replica 1"), new ArrayList<>(kv.getSeriesMap().keySet()));
    XYChart queues = (XYChart) figure("requests.png").chart();
    assertEquals(
        List.of("replica 0 running", "replica 0 waiting", "replica 1 running", "replica 1 waiting"),
        new ArrayList<>(queues.getSeriesMap().keySet()));
    CategoryChart util = (CategoryChart) figure("utilization.png").chart();
    List<?> stages = new ArrayList<>(util.getSeriesMap().get("busy (% of the run)").getXData());
    assertEquals(
        List.of("replica 0 stage 0", "replica 0 stage 1", "replica 1 stage 0", "replica 1 stage 1"),
        stages);
  }

  @Test
  void cdfRisesFromZeroToOneAtTheSummaryQuantiles() {
    XYChart ttft = (XYChart) figure("ttft_cdf.png").chart();
    var s = ttft.getSeriesMap().values().iterator().next();
    double[] x = s.getXData();
    double[] y = s.getYData();
    assertEquals(0.0, y[0]);
    assertEquals(1.0, y[y.length - 1], 1e-12);
    assertEquals((Double) summary.get("ttft_s_max"), x[x.length - 1], 1e-12);
    for (int i = 1; i < x.length; i++) {
      assertTrue(x[i] >= x[i - 1] && y[i] > y[i - 1], "monotone at " + i);
    }
  }

  @Test
  void pngsAreWrittenAtTheChartSize() throws IOException {
    for (Figure f : figures) {
      ReportFiles.checkPng(dir.resolve(f.file()));
    }
  }

  @Test
  void pageShowsEveryPlotAndLinksOnlyToFilesThatExist() throws IOException {
    List<String> pngs = ReportFiles.checkPage(dir.resolve(RunReport.HTML));
    assertEquals(files(figures), pngs);
    String html = Files.readString(dir.resolve(RunReport.HTML));
    assertTrue(html.contains("Summary percentiles") && html.contains("p99.9"), html);
    assertFalse(html.contains("http://") || html.contains("https://"), "self-contained");
  }

  private static Figure figure(String file) {
    return figures.stream().filter(f -> f.file().equals(file)).findFirst().orElseThrow();
  }

  private static List<String> files(List<Figure> fs) {
    Map<String, Figure> m = new LinkedHashMap<>();
    fs.forEach(f -> m.put(f.file(), f));
    return new ArrayList<>(m.keySet());
  }
}
