package io.llmcap.cluster;

import io.llmcap.request.Request;
import io.llmcap.scheduler.ReplicaScheduler;
import io.llmcap.workload.RequestSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sticky sessions (llm-d's {@code session-affinity-scorer}, an ingress's cookie affinity): a
 * session's first turn goes to the replica with the fewest outstanding requests, and every later
 * turn of that session to the same replica, where its history is cached. Requests without a session
 * are routed by fewest outstanding requests ({@code lor}).
 */
final class SessionAffinityRouter implements GlobalScheduler {
  private final LeastOutstandingRouter lor = new LeastOutstandingRouter();
  private final Map<Long, Integer> home = new HashMap<>();

  @Override
  public int route(Request request, List<ReplicaScheduler> replicas) {
    long session = request.sessionId();
    if (session == RequestSpec.NONE) {
      return lor.route(request, replicas);
    }
    return home.computeIfAbsent(session, s -> lor.route(request, replicas));
  }
}
