package io.llmcap.engine;

import io.llmcap.catalog.Deployment;
import io.llmcap.cluster.GlobalScheduler;
import io.llmcap.scheduler.MemoryPlan;
import io.llmcap.scheduler.ReplicaScheduler;
import io.llmcap.timing.ExecutionTimePredictor;
import java.util.List;

/**
 * Replicas of one shape: one model on one SKU and node with one TP/PP split, scheduler and
 * predictor. A run has one or more pools; a request enters the pool a {@link PoolSelector} picks,
 * and the pool's router picks the replica within it. Replica ids are global: the pool's replicas
 * are {@code firstReplica ..< firstReplica + replicas.size()}, and each scheduler's {@link
 * ReplicaScheduler#replicaId()} must match.
 *
 * @param name the pool's name (for summaries); "default" when the run has a single pool
 * @param memory the memory plan every replica of the pool was sized with
 * @param draftPredictor times the speculative draft model's passes on this pool's replicas; null
 *     when the run has no draft model
 */
public record Pool(
    String name,
    Deployment deployment,
    MemoryPlan memory,
    List<ReplicaScheduler> replicas,
    GlobalScheduler router,
    ExecutionTimePredictor predictor,
    ExecutionTimePredictor draftPredictor,
    int firstReplica) {
  public Pool {
    replicas = List.copyOf(replicas);
    if (replicas.isEmpty()) {
      throw new IllegalArgumentException("pool " + name + " has no replicas");
    }
    for (int i = 0; i < replicas.size(); i++) {
      if (replicas.get(i).replicaId() != firstReplica + i) {
        throw new IllegalArgumentException(
            "pool "
                + name
                + ": replica "
                + i
                + " has id "
                + replicas.get(i).replicaId()
                + ", expected "
                + (firstReplica + i));
      }
    }
  }

  /** The largest batch a replica of this pool runs. */
  public int maxBatchSize() {
    return replicas.get(0).maxBatchSize();
  }

  /** KV blocks of each replica of the pool. */
  public int kvBlocksPerReplica() {
    return replicas.get(0).kv().numBlocks();
  }
}
