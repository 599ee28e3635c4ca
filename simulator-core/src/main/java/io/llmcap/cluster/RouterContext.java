package io.llmcap.cluster;

/**
 * What a router is built from.
 *
 * @param numReplicas the replicas it routes over (those of its pool)
 * @param seed its own random stream's seed, derived from the run's seed; a router that draws random
 *     numbers must draw them only from a generator seeded with it
 */
public record RouterContext(int numReplicas, long seed) {}
