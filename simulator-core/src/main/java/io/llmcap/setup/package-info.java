/**
 * Resolving a run config: {@link io.llmcap.setup.ConfigLoader} (defaults with every plug-in's
 * block, then the user's file, then {@code --set}) and {@link io.llmcap.setup.Plugins}, the list of
 * every seam's registry. The top of simulator-core: the one place that knows every registry.
 */
package io.llmcap.setup;
