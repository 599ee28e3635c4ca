/**
 * The extension mechanism: {@link io.llmcap.plugin.Plugin} (a name and an optional options block)
 * and {@link io.llmcap.plugin.Registry} (built-ins plus {@code ServiceLoader} discovery, one per
 * seam). Knows no seam; the seams' registries live in their own packages.
 */
package io.llmcap.plugin;
