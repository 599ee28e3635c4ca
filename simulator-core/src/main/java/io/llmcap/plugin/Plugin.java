package io.llmcap.plugin;

/**
 * What every plug-in has: a name that configs select it by, and optionally its own config block.
 *
 * <p>A plug-in with options names a record of defaults in {@link #defaultOptions()}. Its
 * components, in snake_case, become the keys of a block named after the plug-in inside its seam's
 * section (for a scheduler {@code spf}: {@code scheduler.spf.max_overtakes}). Users set them like
 * any built-in key, in a config file or with {@code --set}; an unknown key is rejected with a
 * did-you-mean and a wrong type names the field, exactly as for built-in keys.
 *
 * @param <O> the options record, or {@link Void} for a plug-in without options
 */
public interface Plugin<O> {
  /**
   * The name configs select this plug-in by: lower case letters, digits and underscores, starting
   * with a letter, unique within its seam.
   */
  String name();

  /** The defaults of this plug-in's config block, or null when it has none. */
  default O defaultOptions() {
    return null;
  }

  /**
   * Checks option values beyond their types, before any simulation starts.
   *
   * @param options the block as bound: defaults overlaid with the user's keys
   * @param field the dotted path of the block, for error messages ({@code scheduler.spf})
   * @throws io.llmcap.base.ConfigException naming {@code field + ".key"}, the value and what is
   *     allowed
   */
  default void validate(O options, String field) {}
}
