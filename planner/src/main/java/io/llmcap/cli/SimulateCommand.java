package io.llmcap.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.config.SimulationConfig;
import io.llmcap.engine.Simulation;
import io.llmcap.engine.SimulationResult;
import io.llmcap.metrics.BatchMetricsWriter;
import io.llmcap.metrics.ChromeTraceWriter;
import io.llmcap.metrics.RequestMetricsWriter;
import io.llmcap.metrics.RunFolder;
import io.llmcap.metrics.RunListener;
import io.llmcap.metrics.TimelineWriter;
import io.llmcap.output.RunWriter;
import io.llmcap.output.Summary;
import io.llmcap.parquet.ParquetRunWriters;
import io.llmcap.predictors.Predictors;
import io.llmcap.reference.ReferenceConfig;
import io.llmcap.report.Charts;
import io.llmcap.report.RunReport;
import io.llmcap.report.TimelineBuckets;
import io.llmcap.setup.ConfigLoader;
import io.llmcap.timing.ExecutionTimePredictor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code llmcap simulate}: one simulation, a run folder, and a summary table. */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = {
      "Simulate one deployment serving one workload and write runs/<name>/.",
      "Without --config the built-in quick start runs: Meta-Llama-3-8B on one A100 served as"
          + " vLLM 0.15.1 would (vllm_v1), 512 chat-like requests at 6.45 QPS."
    },
    footerHeading = "%nConfig keys and their defaults (set them in the YAML or with --set):%n")
final class SimulateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  static final class Source {
    @Option(names = "--config", paramLabel = "FILE", description = "run config (YAML)")
    Path config;

    @Option(
        names = "--reference-config",
        paramLabel = "FILE",
        description = "a config.json written by the reference simulator (Vidur)")
    Path referenceConfig;
  }

  @ArgGroup(exclusive = true)
  Source source = new Source();

  @Option(
      names = "--requests",
      paramLabel = "FILE",
      description = "with --reference-config: replay these exact requests (requests.csv)")
  Path requests;

  @Option(
      names = "--profiles",
      paramLabel = "DIR",
      description = {
        "operator profiles in the reference layout (compute/<sku>/<org>/<model>/mlp.csv,"
            + " attention.csv, network/<node>/*.csv); predicts with LightGBM over them."
            + " Repeatable: a file missing from one folder is taken from the next"
      })
  List<Path> profiles = new ArrayList<>();

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "run folder (default runs/<name>-<time>)")
  Path out;

  @Option(names = "--force", description = "replace an existing --out folder")
  boolean force;

  @Option(names = "--quiet", description = "print only the run folder")
  boolean quiet;

  @Option(
      names = "--no-report",
      description = "skip the PNG plots and report.html (a little faster)")
  boolean noReport;

  @Mixin Knobs knobs;

  @Override
  public Integer call() throws IOException {
    PrintWriter stdout = spec.commandLine().getOut();
    ObjectNode tree = resolve(stdout);
    SimulationConfig config = ConfigLoader.bind(tree);
    boolean report = !noReport;
    if (report) {
      // the simulation runs on one core: load the drawing code on another meanwhile
      Charts.warmUpInBackground();
    }
    Path baseDir = source.config != null ? source.config.toAbsolutePath().getParent() : Path.of("");
    Simulation sim = Simulation.prepare(config, Catalog.builtin(), baseDir);
    Predictors.check(config.predictor());
    ExecutionTimePredictor predictor =
        config.cluster().disaggregated()
            ? null
            : Predictors.create(config, sim.deployment(), baseDir);
    ExecutionTimePredictor draft = Predictors.draft(config, sim, baseDir);
    Path target =
        out != null
            ? out
            : Path.of(
                "runs",
                config.name()
                    + "-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    Map<String, Object> summary;
    SimulationResult result;
    try (RunFolder folder = RunFolder.create(target, force)) {
      Path dir = folder.dir();
      SimulationConfig.MetricsConfig mc = config.metrics();
      List<AutoCloseable> writers = new ArrayList<>();
      List<RunListener> listeners = new ArrayList<>();
      int kvBlocks = sim.memory().numBlocks();
      boolean pooled = sim.deployments().size() > 1;
      if (mc.csv()) {
        add(writers, listeners, new RequestMetricsWriter(dir.resolve(RunWriter.REQUESTS)));
        add(
            writers,
            listeners,
            pooled
                ? new TimelineWriter(dir.resolve(RunWriter.TIMELINE), sim.kvBlocksByReplica())
                : new TimelineWriter(dir.resolve(RunWriter.TIMELINE), kvBlocks));
      } else {
        add(
            writers,
            listeners,
            new ParquetRunWriters.Requests(dir.resolve(RunWriter.REQUESTS_PARQUET)));
        add(
            writers,
            listeners,
            pooled
                ? new ParquetRunWriters.Timeline(
                    dir.resolve(RunWriter.TIMELINE_PARQUET), sim.kvBlocksByReplica())
                : new ParquetRunWriters.Timeline(
                    dir.resolve(RunWriter.TIMELINE_PARQUET), kvBlocks));
      }
      if (mc.batchMetrics()) {
        boolean prefixColumns = Summary.reportsPrefixFleet(config);
        add(
            writers,
            listeners,
            mc.csv()
                ? new BatchMetricsWriter(dir.resolve(RunWriter.BATCHES), prefixColumns)
                : new ParquetRunWriters.Batches(
                    dir.resolve(RunWriter.BATCHES_PARQUET), prefixColumns));
      }
      ChromeTraceWriter trace = null;
      if (mc.chromeTrace()) {
        trace =
            new ChromeTraceWriter(
                dir.resolve(ChromeTraceWriter.fileName(mc.traceBatches())),
                mc.traceBatches(),
                mc.traceBatches() == 0);
        add(writers, listeners, trace);
      }
      TimelineBuckets timeline = null;
      if (report) {
        timeline = TimelineBuckets.forReport();
        listeners.add(timeline);
      }
      // nothing is kept per request or batch: the report draws from the collector's bounded
      // distributions and the bucketed timeline, so memory stays flat however long the run
      result =
          config.cluster().disaggregated()
              ? sim.run(Predictors.forPools(config, sim, baseDir), listeners, false, List.of())
              : sim.run(predictor, draft, listeners, false, List.of());
      for (AutoCloseable w : writers) {
        close(w);
      }
      List<String> notes = new ArrayList<>();
      if (trace != null && trace.cut()) {
        notes.add(trace.note());
        Files.writeString(dir.resolve(ChromeTraceWriter.NOTE), trace.note() + "\n");
      }
      summary = RunWriter.write(dir, result, tree);
      if (report) {
        RunReport.write(dir, result, summary, timeline, notes);
      }
      folder.commit();
    }
    if (quiet) {
      stdout.println(target);
    } else {
      SummaryTable.print(stdout, result, summary, target);
    }
    return 0;
  }

  private static <T extends RunListener & AutoCloseable> void add(
      List<AutoCloseable> writers, List<RunListener> listeners, T w) {
    writers.add(w);
    listeners.add(w);
  }

  private ObjectNode resolve(PrintWriter stdout) {
    if (source.referenceConfig == null) {
      if (requests != null) {
        throw new ConfigException("--requests", "only applies with --reference-config");
      }
      ObjectNode tree = ConfigLoader.resolve(source.config, knobs.assignments());
      if (!profiles.isEmpty()) {
        ObjectNode predictor = (ObjectNode) tree.get("predictor");
        predictor.put("type", Predictors.LIGHTGBM);
        predictor.put("profiles", ReferenceConfig.joinProfiles(profiles));
      }
      return tree;
    }
    ObjectNode tree = ConfigLoader.defaults();
    ReferenceConfig.Translation t =
        ReferenceConfig.translate(
            ConfigLoader.readFile(source.referenceConfig), requests, profiles);
    ConfigLoader.merge(tree, t.overlay(), "");
    for (String note : t.notes()) {
      stdout.println("note: " + note);
    }
    for (String s : knobs.assignments()) {
      ConfigLoader.set(tree, s);
    }
    return tree;
  }

  private static void close(AutoCloseable c) throws IOException {
    try {
      c.close();
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e);
    }
  }
}
