package io.llmcap.engine;

import io.llmcap.request.Request;
import java.util.List;

/**
 * Picks the pool an arriving request enters; the pool's router then picks the replica. Called once
 * per request, at its arrival and in arrival order, only when the run has more than one pool. Must
 * be deterministic (draw random numbers only from a seeded generator).
 */
@FunctionalInterface
public interface PoolSelector {
  /** Every request enters the first pool. */
  PoolSelector FIRST = (r, pools) -> 0;

  /** The index into {@code pools} of the pool {@code request} enters. */
  int pool(Request request, List<Pool> pools);
}
