package io.llmcap.cluster;

import io.llmcap.engine.Request;
import io.llmcap.scheduler.ReplicaScheduler;
import java.util.List;

/**
 * Routes each arriving request to a replica (the reference's "global scheduler").
 *
 * <p>The simulator calls {@link #route} once per request, at its arrival time and in arrival order,
 * before the request is added to the chosen replica's waiting queue. A router may read each
 * replica's load ({@link ReplicaScheduler#numOutstanding()}, {@link ReplicaScheduler#numWaiting()},
 * {@link ReplicaScheduler#kv()}) and the request's lengths, and must not change either. To stay
 * deterministic it draws random numbers only from a generator seeded by {@link
 * RouterContext#seed()}. Plug-in routers come from a {@link RouterProvider}.
 */
public interface GlobalScheduler {
  /**
   * The replica that gets {@code request}.
   *
   * @param replicas every replica of the run, indexed by replica id
   * @return an index into {@code replicas}
   */
  int route(Request request, List<ReplicaScheduler> replicas);
}
