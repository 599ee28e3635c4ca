/**
 * {@link io.llmcap.config.SimulationConfig}, the typed, bound run config that every component
 * reads. Loading and resolving it (defaults, plug-in blocks, files, {@code --set}) is {@code
 * io.llmcap.setup.ConfigLoader}, above the registries, so that this package depends on none.
 */
package io.llmcap.config;
