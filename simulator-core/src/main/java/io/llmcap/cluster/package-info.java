/**
 * Routing across the replicas of one pool: the {@link io.llmcap.cluster.GlobalScheduler} interface,
 * the built-in routers and the router seam ({@link io.llmcap.cluster.RouterProvider}, {@link
 * io.llmcap.cluster.Routers}).
 */
package io.llmcap.cluster;
