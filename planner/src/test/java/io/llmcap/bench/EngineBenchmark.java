package io.llmcap.bench;

import io.llmcap.catalog.Catalog;
import io.llmcap.config.SimulationConfig;
import io.llmcap.engine.Simulation;
import io.llmcap.metrics.Distribution;
import io.llmcap.predictors.roofline.RooflinePredictor;
import io.llmcap.request.Batch;
import io.llmcap.request.Request;
import io.llmcap.setup.ConfigLoader;
import io.llmcap.workload.RequestSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The engine's hot paths: a whole quick-start simulation, one batch-time prediction and one metric
 * sample. Run with {@code scripts/jmh} (whole runs: {@code llmcap bench}).
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class EngineBenchmark {
  @Param({"vllm", "sarathi"})
  public String scheduler;

  private Simulation simulation;
  private RooflinePredictor predictor;
  private Batch decodeBatch;
  private Distribution distribution;
  private SplittableRandom random;

  @Setup
  public void setUp() {
    var tree = ConfigLoader.defaults();
    ConfigLoader.set(tree, "scheduler.type=" + scheduler);
    ConfigLoader.set(tree, "workload.num_requests=2000");
    SimulationConfig config = ConfigLoader.bind(tree);
    simulation = Simulation.prepare(config, Catalog.builtin(), Path.of(""));
    predictor = RooflinePredictor.calibrated(simulation.deployment());
    Request[] requests = new Request[64];
    int[] tokens = new int[64];
    for (int i = 0; i < requests.length; i++) {
      requests[i] = new Request(new RequestSpec(i, 0, 1024, 256));
      tokens[i] = 1;
    }
    decodeBatch = new Batch(0, 0, List.of(requests), tokens);
    distribution = new Distribution();
    random = new SplittableRandom(1);
  }

  /** 2,000 chat requests on the quick-start deployment, all outputs in memory only. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public Object simulate2000Requests() {
    return simulation.run(predictor, List.of(), false, List.of());
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public Object predictBatchOf64() {
    return predictor.predict(decodeBatch, 0);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public Distribution addToDistribution() {
    distribution.add(random.nextDouble());
    return distribution;
  }
}
