package io.llmcap.cluster;

import io.llmcap.request.Request;
import io.llmcap.scheduler.ReplicaScheduler;
import java.util.List;

/**
 * Routes each arriving request to a replica of its pool (the reference's "global scheduler").
 *
 * <p>The simulator calls {@link #route} once per request, at its arrival time and in arrival order,
 * before the request is added to the chosen replica's waiting queue. A run has one router per pool
 * of replicas; it chooses within its pool only. A router may read each replica's load ({@link
 * ReplicaScheduler#numOutstanding()}, {@link ReplicaScheduler#numWaiting()}, {@link
 * ReplicaScheduler#kv()}) and the request's lengths, and must not change either. To stay
 * deterministic it draws random numbers only from a generator seeded by {@link
 * RouterContext#seed()}. Plug-in routers come from a {@link RouterProvider}.
 */
public interface GlobalScheduler {
  /**
   * The replica that gets {@code request}.
   *
   * @param replicas the replicas of the request's pool (every replica in a single-pool run)
   * @return an index into {@code replicas} (not a replica id when there are several pools)
   */
  int route(Request request, List<ReplicaScheduler> replicas);
}
