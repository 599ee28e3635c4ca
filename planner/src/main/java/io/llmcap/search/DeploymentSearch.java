package io.llmcap.search;

import io.llmcap.catalog.Catalog;
import io.llmcap.config.SimulationConfig;
import io.llmcap.engine.Simulation;
import io.llmcap.metrics.EarlyStop;
import io.llmcap.predictors.Predictors;
import io.llmcap.setup.ConfigLoader;
import io.llmcap.timing.ExecutionTimePredictor;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Searches one deployment: runs {@link CapacitySearch} with a fresh simulation per probe (same
 * seed, so probes differ only in QPS) and one predictor shared by all probes.
 */
public final class DeploymentSearch {
  private DeploymentSearch() {}

  /** The deployment row and its probe rows. */
  public record Result(DeploymentResult deployment, List<ProbeResult> probes)
      implements Serializable {}

  public static Result run(DeploymentSpec d, SearchSpace space, Catalog catalog, Path baseDir) {
    long start = System.nanoTime();
    SimulationConfig first =
        ConfigLoader.bind(
            d.toConfig(d.workload().startQps(), space.seed(), space.predictor(), baseDir));
    Simulation template = Simulation.prepare(first, catalog, baseDir);
    ExecutionTimePredictor predictor = Predictors.create(first.predictor(), template.deployment());
    ExecutionTimePredictor draft = Predictors.draft(first.predictor(), template);
    CapacitySearch search = new CapacitySearch(space.search(), space.slos());
    CapacitySearch.Outcome o =
        search.run(
            d.workload().startQps(),
            qps -> probe(d, qps, space, catalog, baseDir, predictor, draft));
    List<ProbeResult> probes = new ArrayList<>();
    long simulated = 0;
    for (int i = 0; i < o.probes().size(); i++) {
      CapacitySearch.Probe p = o.probes().get(i);
      Measurement m = p.measurement();
      simulated += m.requests();
      probes.add(
          new ProbeResult(
              d.id(),
              i,
              p.qps(),
              p.passed(),
              p.passed() ? null : p.violation().label(),
              m.quantile("ttft", 0.9),
              m.quantile("tbt", 0.99),
              m.quantile("batch_time", 0.99),
              m.quantile("scheduling_delay", 0.99),
              m.requests(),
              m.makespan(),
              m.stoppedOn() != null));
    }
    OptionalDouble price = catalog.priceBook(space.priceBook(), "price_book").price(d.sku());
    Double dollarsPerHour = price.isPresent() ? price.getAsDouble() * d.gpus() : null;
    Measurement b = o.best();
    DeploymentResult row =
        DeploymentResult.of(
            d,
            new DeploymentMetrics(
                d.gpus(),
                dollarsPerHour,
                o.maxQps(),
                dollarsPerHour == null ? null : o.maxQps() / dollarsPerHour,
                o.failingSlo(),
                o.nonMonotone(),
                o.bracketClosed(),
                q(b, "ttft", 0.5),
                q(b, "ttft", 0.9),
                q(b, "ttft", 0.99),
                q(b, "tbt", 0.5),
                q(b, "tbt", 0.99),
                q(b, "batch_time", 0.99),
                q(b, "tpot", 0.5),
                q(b, "e2e", 0.5),
                q(b, "e2e", 0.9),
                q(b, "e2e", 0.99),
                q(b, "scheduling_delay", 0.99),
                b == null ? Double.NaN : b.outputTokensPerS(),
                b == null ? Double.NaN : b.mfu(),
                b == null ? Double.NaN : b.kvUsageMean(),
                b == null ? Double.NaN : b.batchSizeMean(),
                o.probes().size(),
                simulated,
                (System.nanoTime() - start) / 1e9));
    return new Result(row, probes);
  }

  /** The SLOs a probe can stop on: per-request latencies, over a known number of requests. */
  static List<EarlyStop> earlyStops(List<Slo> slos, SimulationConfig cfg) {
    if (cfg.workload().numRequests() == null || cfg.workload().duration() != null) {
      return List.of();
    }
    List<EarlyStop> stops = new ArrayList<>();
    for (Slo s : slos) {
      if (EarlyStop.METRICS.contains(s.metric())) {
        stops.add(new EarlyStop(s.metric(), s.quantile(), s.maxS(), cfg.workload().numRequests()));
      }
    }
    return stops;
  }

  /** One probe: the deployment simulated at {@code qps} with the search's seed. */
  private static Measurement probe(
      DeploymentSpec d,
      double qps,
      SearchSpace space,
      Catalog catalog,
      Path baseDir,
      ExecutionTimePredictor predictor,
      ExecutionTimePredictor draft) {
    SimulationConfig cfg =
        ConfigLoader.bind(d.toConfig(qps, space.seed(), space.predictor(), baseDir));
    List<EarlyStop> stops = space.search().earlyStop() ? earlyStops(space.slos(), cfg) : List.of();
    return Measurement.of(
        Simulation.prepare(cfg, catalog, baseDir).run(predictor, draft, List.of(), false, stops));
  }

  /**
   * The probe at {@code qps} again, on its own: the same seed and predictor give the same requests
   * and latencies as the search's probe at that QPS.
   */
  public static Measurement rerun(
      DeploymentSpec d, double qps, SearchSpace space, Catalog catalog, Path baseDir) {
    SimulationConfig cfg =
        ConfigLoader.bind(d.toConfig(qps, space.seed(), space.predictor(), baseDir));
    Simulation template = Simulation.prepare(cfg, catalog, baseDir);
    ExecutionTimePredictor predictor = Predictors.create(cfg.predictor(), template.deployment());
    ExecutionTimePredictor draft = Predictors.draft(cfg.predictor(), template);
    return probe(d, qps, space, catalog, baseDir, predictor, draft);
  }

  private static double q(Measurement m, String metric, double quantile) {
    return m == null ? Double.NaN : m.quantile(metric, quantile);
  }
}
