/**
 * Capacity and deployment search: the search space and its {@link io.llmcap.search.Dimension}s, the
 * expansion into deployments, the capacity probes, Pareto fronts and result files.
 */
package io.llmcap.search;
