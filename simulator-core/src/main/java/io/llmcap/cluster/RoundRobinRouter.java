package io.llmcap.cluster;

import io.llmcap.request.Request;
import io.llmcap.scheduler.ReplicaScheduler;
import java.util.List;

/** Replicas in turn, in arrival order. */
final class RoundRobinRouter implements GlobalScheduler {
  private long counter;

  @Override
  public int route(Request request, List<ReplicaScheduler> replicas) {
    return (int) (counter++ % replicas.size());
  }
}
