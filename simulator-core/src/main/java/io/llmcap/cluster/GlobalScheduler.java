package io.llmcap.cluster;

import io.llmcap.engine.Request;
import io.llmcap.scheduler.ReplicaScheduler;
import java.util.List;

/** Routes each arriving request to a replica. */
public interface GlobalScheduler {
  /** Index into {@code replicas} of the replica that gets {@code request}. */
  int route(Request request, List<ReplicaScheduler> replicas);
}
