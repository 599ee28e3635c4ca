package io.llmcap.base;

/**
 * A user mistake in a configuration, trace or catalog file. The CLI prints the message (never the
 * stack trace) and exits with status 2, so the message must name the field, the value and what is
 * allowed.
 */
public final class ConfigException extends RuntimeException {
  private final String field;

  public ConfigException(String field, String message) {
    super(field.isEmpty() ? message : field + ": " + message);
    this.field = field;
  }

  public ConfigException(String field, String message, Throwable cause) {
    super(field.isEmpty() ? message : field + ": " + message, cause);
    this.field = field;
  }

  /** Dotted path of the offending field, or the file name for whole-file problems. */
  public String field() {
    return field;
  }

  /** An unknown name, with the closest known one suggested and the full list of allowed names. */
  public static ConfigException unknown(
      String field, String what, Object value, java.util.Collection<String> allowed) {
    return new ConfigException(
        field,
        "unknown "
            + what
            + " '"
            + value
            + "'"
            + DidYouMean.hint(String.valueOf(value), allowed)
            + "; allowed: "
            + String.join(", ", allowed));
  }

  /** "field: value V is not allowed; allowed: A" in one call. */
  public static ConfigException invalid(String field, Object value, String allowed) {
    return new ConfigException(field, "value '" + value + "' is not allowed; allowed: " + allowed);
  }
}
