package io.llmcap.workload;

import io.llmcap.base.ConfigException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Per-request speculative acceptance rates from a CSV with an {@code acceptance_rate} column, one
 * row per request; the simulator cycles through them by request id.
 */
public final class AcceptanceTrace {
  public static final String COLUMN = "acceptance_rate";

  private AcceptanceTrace() {}

  /** The rates in file order; each in [0, 1], at least one. */
  public static double[] read(Path path) {
    try (Csv csv = Csv.open(path)) {
      int col = csv.column(COLUMN);
      double[] rates = new double[64];
      int n = 0;
      while (csv.next()) {
        double a = csv.nonNegative(col);
        if (a > 1) {
          throw new ConfigException(
              csv.where(),
              "column '" + COLUMN + "': value " + a + " is not allowed; allowed: 0..1");
        }
        if (n == rates.length) {
          rates = Arrays.copyOf(rates, n * 2);
        }
        rates[n++] = a;
      }
      if (n == 0) {
        throw csv.fileError("no data rows; expected one acceptance_rate per line");
      }
      return Arrays.copyOf(rates, n);
    }
  }
}
