/**
 * The {@code llmcap} command line: one picocli command per verb (simulate, search, bench, validate,
 * profile, catalog, predictors).
 */
package io.llmcap.cli;
