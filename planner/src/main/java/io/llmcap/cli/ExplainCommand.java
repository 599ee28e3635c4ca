package io.llmcap.cli;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.config.SimulationConfig;
import io.llmcap.engine.Simulation;
import io.llmcap.predictors.Predictors;
import io.llmcap.setup.ConfigLoader;
import io.llmcap.timing.BatchView;
import io.llmcap.timing.ExecutionTime;
import io.llmcap.timing.ExecutionTimePredictor;
import io.llmcap.timing.Operator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code llmcap explain}: what one step costs, operator by operator. */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    description = {
      "Print the per-operator time of one batch on one pipeline stage under the configured"
          + " predictor and engine (the deployment, scheduler and predictor keys of simulate):"
          + " --decodes requests decoding one token at --context tokens of KV each, plus an"
          + " optional --prefill chunk after --prefill-context cached tokens."
    })
final class ExplainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "run config (YAML)")
  Path config;

  @Option(names = "--decodes", defaultValue = "32", description = "decoding requests (default 32)")
  int decodes;

  @Option(
      names = "--context",
      defaultValue = "1024",
      description = "KV tokens of each decoding request (default 1024)")
  int context;

  @Option(
      names = "--prefill",
      defaultValue = "0",
      description = "tokens of one prefill chunk in the batch (default 0: none)")
  int prefill;

  @Option(
      names = "--prefill-context",
      defaultValue = "0",
      description = "tokens before the prefill chunk (cached or earlier chunks)")
  int prefillContext;

  @Option(names = "--stage", defaultValue = "0", description = "pipeline stage, from 0")
  int stage;

  @Mixin Knobs knobs;

  @Override
  public Integer call() {
    if (decodes < 0 || context < 0 || prefill < 0 || prefillContext < 0) {
      throw new ConfigException(
          "--decodes", "--decodes, --context, --prefill and --prefill-context must be ≥ 0");
    }
    if (decodes + (prefill > 0 ? 1 : 0) == 0) {
      throw new ConfigException("--decodes", "the batch is empty: give --decodes or --prefill");
    }
    SimulationConfig c = ConfigLoader.bind(ConfigLoader.resolve(config, knobs.assignments()));
    Path baseDir = config != null ? config.toAbsolutePath().getParent() : Path.of("");
    Simulation sim = Simulation.prepare(c, Catalog.builtin(), baseDir);
    if (stage < 0 || stage >= sim.deployment().pp()) {
      throw ConfigException.invalid("--stage", stage, "0 to " + (sim.deployment().pp() - 1));
    }
    Predictors.check(c.predictor());
    ExecutionTimePredictor p = Predictors.create(c, sim.deployment(), baseDir);
    ExecutionTime t = p.predict(batch(), stage);
    PrintWriter out = spec.commandLine().getOut();
    var d = sim.deployment();
    out.printf(
        Locale.ROOT,
        "%s on %s TP%d PP%d (%s), scheduler %s; predictor: %s%n",
        d.model().name(),
        d.sku().name(),
        d.tp(),
        d.pp(),
        d.node().name(),
        c.scheduler().type(),
        p.describe());
    out.printf(
        Locale.ROOT,
        "batch: %d decodes at %d tokens of context%s; stage %d of %d, %d layers%n%n",
        decodes,
        context,
        prefill > 0 ? ", a " + prefill + "-token prefill chunk after " + prefillContext : "",
        stage,
        d.pp(),
        t.layers());
    out.printf(
        Locale.ROOT,
        "%-26s %-12s %12s %12s %7s%n",
        "operator",
        "kind",
        "ms/layer",
        "ms/stage",
        "share");
    double total = t.totalSeconds() * 1e3;
    for (Operator op : Operator.values()) {
      double ms = t.ms(op);
      if (ms == 0 || op.part() == Operator.Part.NONE) {
        continue;
      }
      double perStage = perStage(op, ms, t.layers());
      out.printf(
          Locale.ROOT,
          "%-26s %-12s %12s %12.4f %6.1f%%%n",
          op.profileName(),
          op.kind().name().toLowerCase(Locale.ROOT),
          perLayer(op) ? String.format(Locale.ROOT, "%.5f", ms) : "-",
          perStage,
          100 * perStage / total);
    }
    out.printf(Locale.ROOT, "%-26s %-12s %12s %12.4f%n", "stage total", "", "", total);
    return 0;
  }

  private static boolean perLayer(Operator op) {
    return op.part() != Operator.Part.STAGE && op.part() != Operator.Part.HOST;
  }

  /** The operator's share of the stage: per-layer ops times the layers (twice per sublayer op). */
  private static double perStage(Operator op, double ms, int layers) {
    if (!perLayer(op)) {
      return ms;
    }
    return ms * layers * (op.part() == Operator.Part.EACH_SUBLAYER ? 2 : 1);
  }

  private BatchView batch() {
    int n = decodes + (prefill > 0 ? 1 : 0);
    return new BatchView() {
      @Override
      public int size() {
        return n;
      }

      @Override
      public int numTokens(int i) {
        return i < decodes ? 1 : prefill;
      }

      @Override
      public int processedBefore(int i) {
        return i < decodes ? context : prefillContext;
      }

      @Override
      public boolean isPrefill(int i) {
        return i >= decodes;
      }

      @Override
      public int totalTokens() {
        return decodes + prefill;
      }
    };
  }
}
