package io.llmcap.cluster;

import io.llmcap.request.Request;
import io.llmcap.scheduler.ReplicaScheduler;
import java.util.List;

/**
 * The replica with the fewest outstanding requests: waiting, running or preempted, everything
 * routed there and not yet completed. (The reference counted only the waiting queue, which sends
 * nearly everything to replica 0 under load.) Ties go to the lowest replica index.
 */
final class LeastOutstandingRouter implements GlobalScheduler {
  @Override
  public int route(Request request, List<ReplicaScheduler> replicas) {
    int best = 0;
    int bestCount = Integer.MAX_VALUE;
    for (int i = 0; i < replicas.size(); i++) {
      int n = replicas.get(i).numOutstanding();
      if (n < bestCount) {
        best = i;
        bestCount = n;
      }
    }
    return best;
  }
}
