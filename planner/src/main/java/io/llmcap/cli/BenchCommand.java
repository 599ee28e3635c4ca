package io.llmcap.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.config.SimulationConfig;
import io.llmcap.engine.Simulation;
import io.llmcap.engine.SimulationResult;
import io.llmcap.predictors.Predictors;
import io.llmcap.setup.ConfigLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code llmcap bench}: whole-run throughput of the engine on the quick-start scenario (or any
 * config), without writing outputs. Reports the best of several repeats after a warm-up run.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measure simulated requests/s and events/s for whole runs.")
final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "run config (default: quick start)")
  Path config;

  @Option(
      names = "--sizes",
      split = ",",
      defaultValue = "10000,100000",
      description = "request counts to run (default: ${DEFAULT-VALUE})")
  List<Integer> sizes;

  @Option(names = "--repeat", defaultValue = "3", description = "runs per size (default: 3)")
  int repeat;

  @Option(
      names = "--csv",
      paramLabel = "FILE",
      description = "also append one row per size to FILE (header written when it is new)")
  Path csv;

  @Option(
      names = "--plot",
      paramLabel = "PNG",
      description = "after the runs, plot wall time against requests of every row in --csv")
  Path plot;

  @Mixin Knobs knobs;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (repeat < 1) {
      throw ConfigException.invalid("--repeat", repeat, "an integer ≥ 1");
    }
    if (plot != null && csv == null) {
      throw ConfigException.invalid("--plot", plot, "a PNG path together with --csv FILE");
    }
    for (Path p : new Path[] {csv, plot}) {
      Path dir = p == null ? null : p.toAbsolutePath().getParent();
      if (dir != null && !Files.isDirectory(dir)) {
        throw ConfigException.invalid(
            p == csv ? "--csv" : "--plot", p, "a file in an existing folder");
      }
    }
    out.printf(
        Locale.ROOT,
        "%-10s %10s %12s %14s %14s %10s %12s%n",
        "requests",
        "wall_s",
        "batches",
        "requests/s",
        "events/s",
        "restarts",
        "peak_heap_mb");
    run(2000);
    for (int n : sizes) {
      double[] walls = new double[repeat];
      SimulationResult best = null;
      long peakHeap = 0;
      for (int i = 0; i < repeat; i++) {
        System.gc();
        resetPeakHeap();
        SimulationResult r = run(n);
        peakHeap = Math.max(peakHeap, peakHeap());
        walls[i] = r.wallSeconds();
        if (best == null || r.wallSeconds() < best.wallSeconds()) {
          best = r;
        }
      }
      Arrays.sort(walls);
      double wall = walls[0];
      out.printf(
          Locale.ROOT,
          "%-10d %10.3f %12d %14.0f %14.0f %10d %12.0f%n",
          n,
          wall,
          best.metrics().batchSize().size(),
          n / wall,
          best.events() / wall,
          best.preemptions(),
          peakHeap / 1048576.0);
      if (csv != null) {
        appendCsv(best, n, wall, peakHeap);
      }
    }
    if (plot != null) {
      ScalingPlot.draw(csv, plot);
    }
    return 0;
  }

  private void appendCsv(SimulationResult r, int n, double wall, long peakHeap) {
    String header =
        "scheduler,replicas,requests,wall_s,requests_per_s,events_per_s,batches,peak_heap_mb\n";
    String row =
        String.format(
            Locale.ROOT,
            "%s,%d,%d,%.3f,%.0f,%.0f,%d,%.0f%n",
            r.config().scheduler().type(),
            r.config().cluster().replicas(),
            n,
            wall,
            n / wall,
            r.events() / wall,
            r.metrics().batchSize().size(),
            peakHeap / 1048576.0);
    try {
      if (!Files.exists(csv)) {
        Files.writeString(csv, header);
      }
      Files.writeString(csv, row, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new ConfigException("--csv", "cannot write '" + csv + "': " + e);
    }
  }

  private static void resetPeakHeap() {
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        p.resetPeakUsage();
      }
    }
  }

  /**
   * Sum of the heap pools' peaks since the last reset: an upper bound of the live heap, since the
   * pools peak at different moments and include garbage not yet collected.
   */
  private static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  private SimulationResult run(int requests) {
    ObjectNode tree = ConfigLoader.resolve(config, knobs.assignments());
    ConfigLoader.set(tree, "workload.num_requests=" + requests);
    ConfigLoader.set(tree, "workload.duration=null");
    SimulationConfig cfg = ConfigLoader.bind(tree);
    Path base = config != null ? config.toAbsolutePath().getParent() : Path.of("");
    Simulation sim = Simulation.prepare(cfg, Catalog.builtin(), base);
    if (cfg.cluster().disaggregated()) {
      return sim.run(Predictors.forPools(cfg, sim, base), List.of(), false, List.of());
    }
    return sim.run(
        Predictors.create(cfg, sim.deployment(), base),
        Predictors.draft(cfg, sim, base),
        List.of(),
        false,
        List.of());
  }
}
