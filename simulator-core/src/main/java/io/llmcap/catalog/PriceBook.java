package io.llmcap.catalog;

import io.llmcap.base.ConfigException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Pattern;

/**
 * Dated GPU prices in US dollars per GPU-hour. A SKU missing from a book has no price. {@code
 * pricesPerGpuHour} are on-demand prices (the ones a search ranks by); {@code reservedPerGpuHour}
 * (optional) are committed-term prices where the source publishes them. {@code date} is ISO-8601,
 * as precise as the source allows ({@code 2024}, {@code 2024-02} or {@code 2024-02-07}).
 */
public record PriceBook(
    String name,
    String date,
    String source,
    Map<String, Double> pricesPerGpuHour,
    Map<String, Double> reservedPerGpuHour) {

  private static final Pattern DATE = Pattern.compile("\\d{4}(-\\d{2}(-\\d{2})?)?");

  public PriceBook {
    if (date == null || !DATE.matcher(date).matches()) {
      throw ConfigException.invalid(
          "price book " + name + ".date", date, "an ISO-8601 date: YYYY, YYYY-MM or YYYY-MM-DD");
    }
    pricesPerGpuHour = ordered(pricesPerGpuHour);
    reservedPerGpuHour = ordered(reservedPerGpuHour);
    for (var e : pricesPerGpuHour.entrySet()) {
      if (e.getValue() == null || !(e.getValue() > 0)) {
        throw ConfigException.invalid(
            "price book " + name + ".prices_per_gpu_hour." + e.getKey(),
            e.getValue(),
            "a positive price (leave an unknown price out)");
      }
    }
  }

  /** A book of on-demand prices only. */
  public PriceBook(String name, String date, String source, Map<String, Double> pricesPerGpuHour) {
    this(name, date, source, pricesPerGpuHour, null);
  }

  private static Map<String, Double> ordered(Map<String, Double> m) {
    // keep the file's order for display
    return m == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }

  public OptionalDouble price(String sku) {
    Double p = pricesPerGpuHour.get(sku);
    return p == null ? OptionalDouble.empty() : OptionalDouble.of(p);
  }

  public OptionalDouble reservedPrice(String sku) {
    Double p = reservedPerGpuHour.get(sku);
    return p == null ? OptionalDouble.empty() : OptionalDouble.of(p);
  }
}
