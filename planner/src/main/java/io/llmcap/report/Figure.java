package io.llmcap.report;

import org.knowm.xchart.internal.chartpart.Chart;

/** One chart of a report: the PNG file it becomes, the chart, and the caption under it. */
public record Figure(String file, Chart<?, ?> chart, String caption) {}
