package io.llmcap.engine;

import io.llmcap.request.Request;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Arrived requests waiting for the global scheduler: at each global-schedule event they are routed
 * in arrival order, each to a pool ({@link PoolSelector}) and by the pool's router to one of its
 * replicas.
 */
final class Routing {
  private static final Comparator<Request> BY_ARRIVAL =
      (a, b) -> Double.compare(a.arrivedAt(), b.arrivedAt());

  private final List<Pool> pools;
  private final PoolSelector selector;
  private final List<Request> pending = new ArrayList<>();
  private final boolean[] touched;
  private final int[] order;
  private int touchedCount;

  Routing(List<Pool> pools, PoolSelector selector, int replicas) {
    this.pools = pools;
    this.selector = selector;
    this.touched = new boolean[replicas];
    this.order = new int[replicas];
  }

  void add(Request r) {
    pending.add(r);
  }

  boolean isEmpty() {
    return pending.isEmpty();
  }

  /**
   * Routes every pending request and queues it at its replica.
   *
   * @return how many replicas got requests; {@link #touched(int)} lists them in first-touch order
   */
  int routeAll() {
    for (int i = 0; i < touchedCount; i++) {
      touched[order[i]] = false;
    }
    touchedCount = 0;
    if (pending.isEmpty()) {
      return 0;
    }
    pending.sort(BY_ARRIVAL);
    for (Request r : pending) {
      Pool pool = pools.size() == 1 ? pools.get(0) : pools.get(selector.pool(r, pools));
      int target = pool.firstReplica() + pool.router().route(r, pool.replicas());
      r.assignReplica(target);
      pool.replicas().get(target - pool.firstReplica()).add(r);
      if (!touched[target]) {
        touched[target] = true;
        order[touchedCount++] = target;
      }
    }
    pending.clear();
    return touchedCount;
  }

  /** The {@code i}-th replica the last {@link #routeAll} queued requests at. */
  int touched(int i) {
    return order[i];
  }
}
