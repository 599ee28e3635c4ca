package io.llmcap.engine;

import io.llmcap.catalog.Deployment;
import io.llmcap.cluster.RouterContext;
import io.llmcap.cluster.Routers;
import io.llmcap.config.SimulationConfig;
import io.llmcap.scheduler.HostTierPlan;
import io.llmcap.scheduler.MemoryPlan;
import io.llmcap.scheduler.ReplicaScheduler;
import io.llmcap.scheduler.SchedulerContext;
import io.llmcap.scheduler.Schedulers;
import io.llmcap.timing.ExecutionTimePredictor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Builds pools for engine tests, the way {@link Simulation} builds its single one. */
final class Pools {
  private Pools() {}

  static Pool pool(
      String name,
      Deployment d,
      SimulationConfig config,
      MemoryPlan memory,
      int replicas,
      int firstReplica,
      ExecutionTimePredictor predictor) {
    return pool(name, d, config, memory, replicas, firstReplica, predictor, new AtomicLong());
  }

  static Pool pool(
      String name,
      Deployment d,
      SimulationConfig config,
      MemoryPlan memory,
      int replicas,
      int firstReplica,
      ExecutionTimePredictor predictor,
      AtomicLong batchIds) {
    List<ReplicaScheduler> list = new ArrayList<>();
    HostTierPlan hostTier = HostTierPlan.of(config.scheduler(), d, memory.blockSize());
    for (int i = 0; i < replicas; i++) {
      list.add(
          Schedulers.create(
              new SchedulerContext(firstReplica + i, d.pp(), config.scheduler(), memory, batchIds)
                  .withHostTier(hostTier)));
    }
    return new Pool(
        name,
        d,
        memory,
        list,
        Routers.create(
            config.router(),
            config.routerOptions(),
            new RouterContext(replicas, 17 + firstReplica)),
        predictor,
        null,
        firstReplica);
  }
}
