package io.llmcap.report;

import java.math.BigDecimal;
import java.util.Locale;

/** Formatting shared by the HTML reports: escaping, numbers, and one style sheet. */
public final class Html {
  private Html() {}

  /** Inline CSS, so a report needs no other file than its images. */
  public static final String STYLE =
      "body{font-family:sans-serif;margin:2em;max-width:1400px}"
          + "table{border-collapse:collapse;font-size:13px;margin:0.5em 0 1.5em}"
          + "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
          + "td:first-child,th:first-child{text-align:left}"
          + "tr.best{background:#fff3b0}tr.front{background:#e8f4ff}"
          + "figure{display:inline-block;width:49%;margin:0 0 1em}"
          + "figure img{width:100%;border:1px solid #eee}"
          + "figcaption{font-size:13px;color:#444}";

  /** The document up to and including the opening body tag. */
  public static StringBuilder page(String title) {
    return new StringBuilder()
        .append("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>")
        .append(esc(title))
        .append("</title>\n<style>\n")
        .append(STYLE)
        .append("\n</style>\n</head>\n<body>\n");
  }

  public static String esc(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  /** Four significant digits, whole numbers from 1000 up, "-" for NaN. */
  public static String num(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    return Math.abs(v) >= 1000
        ? String.format(Locale.ROOT, "%.0f", v)
        : String.format(Locale.ROOT, "%.4g", v);
  }

  /** A threshold as written in a config: 2, 0.2. */
  public static String plain(double v) {
    return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
  }

  /** A fraction as a percentage with one decimal, "-" for NaN. */
  public static String pct(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
  }

  /** A name safe in a file name. */
  public static String slug(String s) {
    return s.replaceAll("[^A-Za-z0-9._-]+", "_");
  }
}
