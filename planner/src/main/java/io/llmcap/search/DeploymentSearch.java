package io.llmcap.search;

import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.PriceBook;
import io.llmcap.config.SimulationConfig;
import io.llmcap.engine.Simulation;
import io.llmcap.engine.SimulationResult;
import io.llmcap.metrics.EarlyStop;
import io.llmcap.predictors.Predictors;
import io.llmcap.setup.ConfigLoader;
import io.llmcap.timing.ExecutionTimePredictor;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

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
    return run(d, space, catalog, baseDir, 1);
  }

  /**
   * Searches {@code d}, running a round's probes on up to {@code threads} threads (the search's
   * probes and answer do not depend on it; only its wall time does).
   */
  public static Result run(
      DeploymentSpec d, SearchSpace space, Catalog catalog, Path baseDir, int threads) {
    long start = System.nanoTime();
    Engines engines = Engines.at(d, d.workload().startQps(), space, catalog, baseDir);
    SimulationConfig first = engines.config();
    Simulation template = engines.template();
    List<ExecutionTimePredictor> predictor = engines.pools();
    ExecutionTimePredictor draft = engines.draft();
    CapacitySearch search = new CapacitySearch(space.search(), space.slos());
    long estimated = 0;
    double firstQps = d.workload().startQps();
    double firstRatio = 2.0;
    if (Boolean.TRUE.equals(space.search().estimate())) {
      Estimate sat = ESTIMATES.remove(Estimate.key(d, space, baseDir));
      if (sat == null) {
        sat = Estimate.of(saturated(d, space, catalog, baseDir, predictor, draft));
      }
      estimated = sat.requests();
      if (sat.makespan() > 0 && sat.requests() > 0) {
        firstQps =
            Math.max(space.search().minQps(), ESTIMATE_FRACTION * sat.requests() / sat.makespan());
        firstRatio = FIRST_STEP;
      }
    }
    ExecutorService pool =
        threads > 1
            ? Executors.newFixedThreadPool(
                threads,
                r -> {
                  Thread t = new Thread(r, "llmcap-probe-" + d.id());
                  t.setDaemon(true);
                  return t;
                })
            : null;
    ThreadLocal<Function<CapacitySearch.Request, Measurement>> perThread =
        ThreadLocal.withInitial(
            () -> {
              // a predictor per thread: predictors are not shared between threads
              Engines e = Engines.at(d, d.workload().startQps(), space, catalog, baseDir);
              return r ->
                  probe(d, r.qps(), seed(space, r), space, catalog, baseDir, e.pools(), e.draft());
            });
    Map<CapacitySearch.Request, Future<Measurement>> started = new HashMap<>();
    CapacitySearch.Prober prober =
        (round, ahead) -> {
          if (pool == null) {
            return round.stream()
                .map(
                    r ->
                        probe(
                            d, r.qps(), seed(space, r), space, catalog, baseDir, predictor, draft))
                .toList();
          }
          List<Future<Measurement>> futures = new ArrayList<>();
          for (CapacitySearch.Request r : round) {
            futures.add(started.computeIfAbsent(r, x -> submit(pool, perThread, d, x, space)));
          }
          // idle threads start probes the next round may need
          long running = started.values().stream().filter(f -> !f.isDone()).count();
          for (CapacitySearch.Request r : ahead) {
            if (running >= threads) {
              break;
            }
            if (!started.containsKey(r)) {
              started.put(r, submit(pool, perThread, d, r, space));
              running++;
            }
          }
          List<Measurement> out = new ArrayList<>();
          for (Future<Measurement> f : futures) {
            try {
              out.add(f.get());
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IllegalStateException(e);
            } catch (ExecutionException e) {
              throw e.getCause() instanceof RuntimeException re
                  ? re
                  : new IllegalStateException(e.getCause());
            }
          }
          return out;
        };
    CapacitySearch.Outcome o;
    try {
      o = search.run(firstQps, firstRatio, prober);
    } finally {
      if (pool != null) {
        pool.shutdownNow();
      }
    }
    List<ProbeResult> probes = new ArrayList<>();
    long simulated = estimated;
    for (int i = 0; i < o.probes().size(); i++) {
      CapacitySearch.Probe p = o.probes().get(i);
      Measurement m = p.measurement();
      simulated += m.requests();
      probes.add(
          new ProbeResult(
              d.id(),
              i,
              space.seed() + p.seed(),
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
    Double dollarsPerHour = dollarsPerHour(d, catalog.priceBook(space.priceBook(), "price_book"));
    DisaggregationDimension.Layout l = d.layout();
    DisaggregationDimension.Pool pf = l == null ? null : l.prefill();
    DisaggregationDimension.Pool dc = l == null ? null : l.decode();
    Measurement b = o.best();
    Deployment ran = template.deployment();
    RouterDimension.Choice router =
        d.dimensions().indexOf(Dimensions.ROUTER) < 0 ? null : d.get(Dimensions.ROUTER);
    Measurement.PrefixHits hits = b == null ? null : b.prefixHits();
    DeploymentResult row =
        DeploymentResult.of(
            d,
            new DeploymentMetrics(
                d.gpus(),
                dollarsPerHour,
                o.maxQps(),
                o.low(),
                o.high(),
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
                (System.nanoTime() - start) / 1e9,
                ran.weights().id(),
                ran.kvCache().id(),
                ran.ep(),
                space.priceBook(),
                l == null ? DeploymentMetrics.AGGREGATED : DeploymentMetrics.DISAGGREGATED,
                pf == null ? null : pf.sku(),
                pf == null ? null : pf.node(),
                pf == null ? null : pf.tp(),
                pf == null ? null : pf.pp(),
                pf == null ? null : pf.epDegree(),
                pf == null ? null : pf.replicas(),
                dc == null ? null : dc.sku(),
                dc == null ? null : dc.node(),
                dc == null ? null : dc.tp(),
                dc == null ? null : dc.pp(),
                dc == null ? null : dc.epDegree(),
                dc == null ? null : dc.replicas(),
                q(b, Measurement.KV_TRANSFER, 0.5),
                q(b, Measurement.KV_TRANSFER, 0.9),
                q(b, Measurement.KV_TRANSFER, 0.99),
                mean(b, Measurement.KV_TRANSFER),
                q(b, Measurement.DECODE_KV_WAIT, 0.99),
                mean(b, Measurement.DECODE_KV_WAIT),
                l == null ? first.router() : l.prefillRouter(),
                router == null ? null : router.options(),
                first.scheduler().cpuOffloadGib(),
                hits == null ? Double.NaN : hits.rate(),
                hits == null ? Double.NaN : hits.gpuRate(),
                hits == null ? Double.NaN : hits.cpuRate()));
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

  /** The first bracketing step from a capacity estimate: 10%, growing to doubling. */
  static final double FIRST_STEP = 1.1;

  /**
   * The first probe's QPS as a fraction of the saturated throughput: no SLO holds at the throughput
   * itself (the queue grows without bound), and latency SLOs hold below it.
   */
  static final double ESTIMATE_FRACTION = 0.9;

  private static Future<Measurement> submit(
      ExecutorService pool,
      ThreadLocal<Function<CapacitySearch.Request, Measurement>> perThread,
      DeploymentSpec d,
      CapacitySearch.Request r,
      SearchSpace space) {
    return pool.submit(() -> perThread.get().apply(r));
  }

  private static long seed(SearchSpace space, CapacitySearch.Request r) {
    return space.seed() + r.seed();
  }

  /**
   * The capacity estimate: the deployment's throughput (completed requests over simulated time)
   * when a burst of requests arrives within about a second and keeps every replica's batches full.
   * Its request count is a quarter of a probe's at the start QPS, at least one full batch per
   * replica, at most 2,000.
   */
  static Measurement saturated(
      DeploymentSpec d,
      SearchSpace space,
      Catalog catalog,
      Path baseDir,
      List<ExecutionTimePredictor> predictor,
      ExecutionTimePredictor draft) {
    // one full batch per replica: per decode replica for a disaggregated layout
    DisaggregationDimension.Layout l = d.layout();
    long batches =
        l == null
            ? (long) d.batchSizeCap() * d.pp() * d.replicas()
            : (long) d.batchSizeCap() * l.decode().pp() * l.decode().replicas();
    long n = Math.min(2000, Math.max(batches, d.requests(d.workload().startQps()) / 4));
    com.fasterxml.jackson.databind.node.ObjectNode tree =
        d.toConfig(n, space.seed(), space.predictor(), baseDir);
    ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("workload")).put("num_requests", n);
    SimulationConfig cfg = ConfigLoader.bind(tree);
    return Measurement.of(
        simulate(Simulation.prepare(cfg, catalog, baseDir), predictor, draft, List.of()));
  }

  /** What a capacity estimate measured: requests completed and the time they took. */
  private record Estimate(long requests, double makespan) {
    static Estimate of(Measurement m) {
      return new Estimate(m.requests(), m.makespan());
    }

    /** What an estimate depends on: the deployment, the seed, the predictor, the base folder. */
    static List<Object> key(DeploymentSpec d, SearchSpace space, Path baseDir) {
      return List.of(
          d.id(), String.valueOf(space.seed()), String.valueOf(space.predictor()), baseDir);
    }
  }

  /**
   * Estimates {@link #warmUp} measured ahead of the search in this JVM, taken by the search of the
   * same deployment (an estimate is deterministic, so either may compute it; in cluster mode the
   * executors never see these and measure their own).
   */
  private static final Map<List<Object>, Estimate> ESTIMATES = new ConcurrentHashMap<>();

  /** Simulations {@link #warmUp} runs at most. */
  static final int WARM_UP_RUNS = 8;

  /** Requests of the first warm-up simulations; each further pair doubles it, up to a probe's. */
  static final int WARM_UP_REQUESTS = 1000;

  /**
   * Measures {@code d}'s capacity estimate for its search to take, then simulates {@code d} and
   * discards the result, until {@code stop} says so or {@value #WARM_UP_RUNS} runs are done,
   * alternating a saturating burst and the workload's start QPS (so that the compiled code has seen
   * both regimes the probes will), with runs growing to a probe's size (so that it has seen the
   * paths only long runs take, such as latency sketches). Apart from the estimate, nothing it
   * computes is kept: the runs only compile the engine's code ahead of the probes.
   */
  static void warmUp(
      DeploymentSpec d, SearchSpace space, Catalog catalog, Path baseDir, BooleanSupplier stop) {
    Engines engines = Engines.at(d, d.workload().startQps(), space, catalog, baseDir);
    if (Boolean.TRUE.equals(space.search().estimate()) && !stop.getAsBoolean()) {
      // the search's first step, measured here on the idle core
      ESTIMATES.put(
          Estimate.key(d, space, baseDir),
          Estimate.of(saturated(d, space, catalog, baseDir, engines.pools(), engines.draft())));
    }
    long probe = d.requests(d.workload().startQps());
    for (int i = 0; i < WARM_UP_RUNS && !stop.getAsBoolean(); i++) {
      long n = Math.min(probe, (long) WARM_UP_REQUESTS << (i / 2));
      double qps = i % 2 == 0 ? n : d.workload().startQps();
      com.fasterxml.jackson.databind.node.ObjectNode tree =
          d.toConfig(qps, space.seed() + i, space.predictor(), baseDir);
      ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("workload"))
          .put("num_requests", n);
      SimulationConfig cfg = ConfigLoader.bind(tree);
      // a burst misses latency SLOs at once: run it whole, as the saturated regime to compile
      List<EarlyStop> stops =
          i % 2 == 1 && space.search().earlyStop() ? earlyStops(space.slos(), cfg) : List.of();
      simulate(Simulation.prepare(cfg, catalog, baseDir), engines.pools(), engines.draft(), stops);
    }
  }

  /** One probe: the deployment simulated at {@code qps} with {@code seed}. */
  private static Measurement probe(
      DeploymentSpec d,
      double qps,
      long seed,
      SearchSpace space,
      Catalog catalog,
      Path baseDir,
      List<ExecutionTimePredictor> predictor,
      ExecutionTimePredictor draft) {
    SimulationConfig cfg = ConfigLoader.bind(d.toConfig(qps, seed, space.predictor(), baseDir));
    List<EarlyStop> stops = space.search().earlyStop() ? earlyStops(space.slos(), cfg) : List.of();
    return Measurement.of(
        simulate(Simulation.prepare(cfg, catalog, baseDir), predictor, draft, stops));
  }

  /**
   * The probe at {@code qps} again, on its own: the same seed and predictor give the same requests
   * and latencies as the search's probe at that QPS.
   */
  public static Measurement rerun(
      DeploymentSpec d, double qps, SearchSpace space, Catalog catalog, Path baseDir) {
    Engines e = Engines.at(d, qps, space, catalog, baseDir);
    return probe(d, qps, space.seed(), space, catalog, baseDir, e.pools(), e.draft());
  }

  /**
   * A deployment's simulation at one QPS, prepared, with the predictors its simulations use: one
   * per pool, and the speculative draft's (null without one). Predictors are not shared between
   * threads.
   */
  private record Engines(
      SimulationConfig config,
      Simulation template,
      List<ExecutionTimePredictor> pools,
      ExecutionTimePredictor draft) {
    static Engines at(
        DeploymentSpec d, double qps, SearchSpace space, Catalog catalog, Path baseDir) {
      SimulationConfig c =
          ConfigLoader.bind(d.toConfig(qps, space.seed(), space.predictor(), baseDir));
      Simulation t = Simulation.prepare(c, catalog, baseDir);
      return new Engines(c, t, Predictors.forPools(c, t, baseDir), Predictors.draft(c, t, baseDir));
    }
  }

  /**
   * The deployment's price per hour: GPUs × the price of their SKU, per pool for a disaggregated
   * layout (mixed SKUs priced each at its own); null when a SKU has no price in the book.
   */
  static Double dollarsPerHour(DeploymentSpec d, PriceBook book) {
    DisaggregationDimension.Layout l = d.layout();
    if (l == null) {
      OptionalDouble price = book.price(d.sku());
      return price.isPresent() ? price.getAsDouble() * d.gpus() : null;
    }
    double total = 0;
    for (DisaggregationDimension.Pool p : List.of(l.prefill(), l.decode())) {
      OptionalDouble price = book.price(p.sku());
      if (price.isEmpty()) {
        return null;
      }
      total += price.getAsDouble() * p.gpus();
    }
    return total;
  }

  /** A run with one predictor per pool (the draft model's only for a single pool). */
  private static SimulationResult simulate(
      Simulation s,
      List<ExecutionTimePredictor> predictors,
      ExecutionTimePredictor draft,
      List<EarlyStop> stops) {
    return predictors.size() == 1
        ? s.run(predictors.get(0), draft, List.of(), false, stops)
        : s.run(predictors, List.of(), false, stops);
  }

  /** A quantile of the best probe's {@code metric}; NaN without a best or without the series. */
  private static double q(Measurement m, String metric, double quantile) {
    return m == null || !m.series().containsKey(metric) ? Double.NaN : m.quantile(metric, quantile);
  }

  private static double mean(Measurement m, String metric) {
    return m == null || !m.series().containsKey(metric)
        ? Double.NaN
        : m.series().get(metric).mean();
  }
}
