package io.llmcap.cluster;

import io.llmcap.request.Request;
import io.llmcap.scheduler.ReplicaScheduler;
import java.util.List;
import java.util.SplittableRandom;

/** A uniformly random replica, from a seeded stream. */
final class RandomRouter implements GlobalScheduler {
  private final SplittableRandom random;

  RandomRouter(long seed) {
    this.random = new SplittableRandom(seed);
  }

  @Override
  public int route(Request request, List<ReplicaScheduler> replicas) {
    return random.nextInt(replicas.size());
  }
}
