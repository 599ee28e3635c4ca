/**
 * The basics every other package may use: {@link io.llmcap.base.ConfigException} (a user error that
 * names the offending field), {@link io.llmcap.base.Yaml} (YAML/JSON binding, strict tree merging)
 * and {@link io.llmcap.base.DidYouMean}. Depends on nothing else in llmcap.
 */
package io.llmcap.base;
