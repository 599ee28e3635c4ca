package io.llmcap.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.config.SimulationConfig;
import io.llmcap.engine.Simulation;
import io.llmcap.engine.SimulationResult;
import io.llmcap.output.Summary;
import io.llmcap.predictors.Predictors;
import io.llmcap.predictors.engine.ServingParams;
import io.llmcap.setup.ConfigLoader;
import io.llmcap.timing.ExecutionTimePredictor;
import io.llmcap.validate.ManifestRow.RowError;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Simulates every row of a manifest on its own, from an empty server, and compares each predicted
 * metric with the measured one. Rows that share a deployment shape share its predictor.
 */
public final class Validation {
  /** How a row ended. */
  public enum Status {
    ok,
    unsupported,
    failed
  }

  /** One row's outcome: measured and predicted values by metric (null where either is absent). */
  public record Outcome(
      ManifestRow row,
      Status status,
      String reason,
      Map<Metric, Double> measured,
      Map<Metric, Double> predicted,
      Map<String, Object> summary) {

    /** Signed relative error, (predicted − measured) / measured, or null. */
    public Double error(Metric m) {
      Double p = predicted.get(m);
      Double v = measured.get(m);
      return status != Status.ok || p == null || v == null ? null : (p - v) / v;
    }
  }

  private final Catalog catalog;
  private final List<String> overrides;
  private final Path baseDir;
  private final ServingParams serving;
  private final double maxDuration;
  private final Map<List<Object>, ExecutionTimePredictor> predictors = new ConcurrentHashMap<>();

  /**
   * @param overrides {@code KEY=VALUE} assignments applied to every row's run config after the
   *     row's own settings (e.g. {@code predictor.type=roofline})
   */
  public Validation(Catalog catalog, List<String> overrides, Path baseDir) {
    this(catalog, overrides, baseDir, ServingParams.builtin(), Double.POSITIVE_INFINITY);
  }

  /**
   * @param serving the engine-cost parameters to simulate with
   * @param maxDuration simulate at most this many seconds of each row's arrivals (a calibration's
   *     shortcut: the rows are steady operating points); +∞ for the whole row
   */
  public Validation(
      Catalog catalog,
      List<String> overrides,
      Path baseDir,
      ServingParams serving,
      double maxDuration) {
    this.catalog = catalog;
    this.overrides = List.copyOf(overrides);
    this.baseDir = baseDir;
    this.serving = serving;
    this.maxDuration = maxDuration;
  }

  /**
   * Runs every row, on all cores (rows are independent; each run is deterministic), and tells
   * {@code progress} about each as it ends. The outcomes are in manifest order.
   */
  public List<Outcome> run(List<ManifestRow> rows, Consumer<Outcome> progress) {
    return rows.parallelStream()
        .map(
            row -> {
              Outcome o = run(row);
              synchronized (progress) {
                progress.accept(o);
              }
              return o;
            })
        .toList();
  }

  /** Simulates one row. */
  public Outcome run(ManifestRow row) {
    Map<Metric, Double> measured = new EnumMap<>(Metric.class);
    try {
      for (Metric m : Metric.values()) {
        Double v = m.measured(row);
        if (v != null) {
          measured.put(m, v);
        }
      }
      ObjectNode tree = RowConfig.of(row, catalog);
      for (String s : overrides) {
        ConfigLoader.set(tree, s);
      }
      JsonNode duration = tree.at("/workload/duration");
      if (duration.isNumber() && duration.asDouble() > maxDuration) {
        ((ObjectNode) tree.get("workload")).put("duration", maxDuration);
      }
      SimulationConfig config = ConfigLoader.bind(tree);
      Simulation sim = Simulation.prepare(config, catalog, baseDir);
      SimulationResult result = sim.run(predictor(config, sim), List.of(), false, List.of());
      Map<String, Object> summary = Summary.of(result);
      Map<Metric, Double> predicted = new EnumMap<>(Metric.class);
      int output = config.workload().length().decodeTokens();
      for (Metric m : Metric.values()) {
        Double v = m.predicted(summary, output);
        if (v != null) {
          predicted.put(m, v);
        }
      }
      return new Outcome(row, Status.ok, "", measured, predicted, summary);
    } catch (RowConfig.Unsupported e) {
      return new Outcome(row, Status.unsupported, e.getMessage(), measured, Map.of(), Map.of());
    } catch (RowError | ConfigException e) {
      return new Outcome(row, Status.failed, e.getMessage(), measured, Map.of(), Map.of());
    }
  }

  /**
   * The predictor of a row's deployment shape, shared by the rows with the same shape, scheduler
   * settings (the engine costs and the tables depend on them) and predictor.
   */
  private ExecutionTimePredictor predictor(SimulationConfig config, Simulation sim) {
    // the resolved deployment: model, SKU, node, parallelism and the weights' and KV formats
    List<Object> key = List.of(sim.deployment(), config.scheduler(), config.predictor());
    ExecutionTimePredictor p = predictors.get(key);
    if (p == null) {
      Predictors.check(config.predictor());
      p =
          predictors.computeIfAbsent(
              key, k -> Predictors.create(config, sim.deployment(), baseDir, serving));
    }
    return p;
  }
}
