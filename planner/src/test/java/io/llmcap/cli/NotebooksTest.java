package io.llmcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs both notebooks top to bottom with {@code jupyter nbconvert --execute}: {@code
 * explore_search} on a fresh quickstart search ({@code search-configs/quickstart.yml}, as shipped),
 * {@code compare_runs} on two simulations that differ only in the scheduler. A failing cell fails
 * the test. Skipped where {@code jupyter} is not on the PATH ({@code .ci/run} installs it).
 */
class NotebooksTest {
  @TempDir static Path tmp;
  static Path results;
  static Path sarathi;
  static Path vllm;

  @BeforeAll
  static void produceInputs() {
    assumeTrue(onPath("jupyter"), "jupyter is not on the PATH");
    Path root = Cli.root();
    results = tmp.resolve("results/quickstart");
    Cli.run(
            "search",
            root.resolve("search-configs/quickstart.yml").toString(),
            "--master",
            "local[2]",
            "--out",
            results.toString())
        .ok();
    sarathi = simulate("sarathi");
    vllm = simulate("vllm");
  }

  private static Path simulate(String scheduler) {
    Path out = tmp.resolve("runs/" + scheduler);
    Cli.run(
            "simulate",
            "--out",
            out.toString(),
            "--quiet",
            "--no-report",
            "--scheduler",
            scheduler,
            "--num-requests",
            "200",
            "--set",
            "predictor.type=roofline",
            // Debian's pandas has no Parquet engine: the notebook reads the CSV tables
            "--set",
            "metrics.format=csv")
        .ok();
    return out;
  }

  @Test
  void exploreSearchRunsOnQuickstartResults() throws Exception {
    JsonNode nb = execute("explore_search", Map.of("LLMCAP_RESULTS", results.toString()));
    String text = nb.toString();
    assertTrue(
        java.util.regex.Pattern.compile("16 deployments, \\d+ probes").matcher(text).find(),
        "loaded the quickstart rows");
    assertTrue(images(nb) >= 2, "the SKU and Pareto plots");
  }

  @Test
  void compareRunsRunsOnTwoSimulations() throws Exception {
    JsonNode nb =
        execute("compare_runs", Map.of("LLMCAP_RUNS", sarathi + File.pathSeparator + vllm));
    String text = nb.toString();
    assertTrue(text.contains("sarathi (sarathi)") && text.contains("vllm (vllm)"), "both runs");
    assertTrue(images(nb) >= 2, "the CDF and timeline plots");
  }

  /** Executes a notebook into the temp folder and returns the executed notebook. */
  private static JsonNode execute(String name, Map<String, String> env) throws Exception {
    Path notebook = Cli.root().resolve("notebooks/" + name + ".ipynb");
    Path outDir = tmp.resolve("executed");
    Files.createDirectories(outDir);
    ProcessBuilder pb =
        new ProcessBuilder(
                "jupyter",
                "nbconvert",
                "--to",
                "notebook",
                "--execute",
                "--ExecutePreprocessor.timeout=300",
                "--output-dir",
                outDir.toString(),
                "--output",
                name,
                notebook.toString())
            .directory(notebook.getParent().toFile())
            .redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    byte[] log = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "nbconvert finished");
    assertEquals(
        0, p.exitValue(), () -> name + " failed:\n" + new String(log, StandardCharsets.UTF_8));
    JsonNode nb = Cli.json(outDir.resolve(name + ".ipynb"));
    for (JsonNode cell : nb.get("cells")) {
      for (JsonNode out : cell.path("outputs")) {
        assertTrue(
            !out.path("output_type").asText().equals("error"), () -> name + ": " + out.toString());
      }
    }
    return nb;
  }

  private static long images(JsonNode nb) {
    long n = 0;
    for (JsonNode cell : nb.get("cells")) {
      for (JsonNode out : cell.path("outputs")) {
        if (out.path("data").has("image/png")) {
          n++;
        }
      }
    }
    return n;
  }

  private static boolean onPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }
}
