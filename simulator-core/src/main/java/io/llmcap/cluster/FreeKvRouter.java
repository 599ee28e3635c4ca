package io.llmcap.cluster;

import io.llmcap.request.Request;
import io.llmcap.scheduler.ReplicaScheduler;
import java.util.List;

/**
 * The replica with the most free KV blocks, the decode-side choice of disaggregated serving ({@code
 * cluster.disaggregation.decode_router: free_kv}): a transferred request needs room for its whole
 * prompt's KV before its transfer can start. Blocks reserved for transfers in flight count as used.
 * Ties go to the lowest replica index.
 */
public final class FreeKvRouter implements GlobalScheduler {
  @Override
  public int route(Request request, List<ReplicaScheduler> replicas) {
    int best = 0;
    int bestFree = Integer.MIN_VALUE;
    for (int i = 0; i < replicas.size(); i++) {
      int free = replicas.get(i).kv().free();
      if (free > bestFree) {
        best = i;
        bestFree = free;
      }
    }
    return best;
  }
}
