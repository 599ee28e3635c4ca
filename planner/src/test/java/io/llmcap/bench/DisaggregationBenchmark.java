package io.llmcap.bench;

import io.llmcap.catalog.Catalog;
import io.llmcap.config.SimulationConfig;
import io.llmcap.engine.Simulation;
import io.llmcap.predictors.roofline.RooflinePredictor;
import io.llmcap.setup.ConfigLoader;
import io.llmcap.timing.ExecutionTimePredictor;
import java.nio.file.Path;
import java.util.List;
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
 * The engine's speed on a disaggregated run against an aggregated one of as many replicas: 2,000
 * chat requests at 8 QPS on Llama-3-8B (a load both layouts serve), three A100 replicas either all
 * aggregated or one prefill and two decode (docs/disaggregation.md). {@code scripts/jmh
 * DisaggregationBenchmark}.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DisaggregationBenchmark {
  @Param({"aggregated", "disaggregated"})
  public String layout;

  private Simulation simulation;
  private List<ExecutionTimePredictor> predictors;

  @Setup
  public void setUp() {
    var tree = ConfigLoader.defaults();
    ConfigLoader.set(tree, "cluster.node=a100_dgx");
    ConfigLoader.set(tree, "workload.num_requests=2000");
    ConfigLoader.set(tree, "workload.interval.qps=8");
    if (layout.equals("aggregated")) {
      ConfigLoader.set(tree, "cluster.replicas=3");
    } else {
      ConfigLoader.set(tree, "cluster.disaggregation.decode.replicas=2");
    }
    SimulationConfig config = ConfigLoader.bind(tree);
    simulation = Simulation.prepare(config, Catalog.builtin(), Path.of(""));
    predictors =
        simulation.deployments().stream()
            .map(d -> (ExecutionTimePredictor) RooflinePredictor.calibrated(d))
            .toList();
  }

  /** One whole run, outputs in memory only. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public Object simulate2000Requests() {
    return simulation.run(predictors, List.of(), false, List.of());
  }
}
