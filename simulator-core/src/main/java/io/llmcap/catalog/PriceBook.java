package io.llmcap.catalog;

import java.util.Map;
import java.util.OptionalDouble;

/** Dated GPU prices in US dollars per GPU-hour. A SKU missing from a book has no price. */
public record PriceBook(
    String name, String date, String source, Map<String, Double> pricesPerGpuHour) {

  public OptionalDouble price(String sku) {
    Double p = pricesPerGpuHour.get(sku);
    return p == null ? OptionalDouble.empty() : OptionalDouble.of(p);
  }
}
