package io.llmcap.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.llmcap.base.Yaml;
import io.llmcap.engine.SimulationResult;
import io.llmcap.metrics.ChromeTraceWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the end-of-run files: resolved config and summary (per-request, per-batch and timeline
 * rows stream out during the run: {@link RequestMetricsWriter}, {@link BatchMetricsWriter}, {@link
 * TimelineWriter}).
 */
public final class RunWriter {
  public static final String CONFIG = "config.yaml";
  public static final String REQUESTS = "request_metrics.csv";
  public static final String SUMMARY = "summary.json";
  public static final String BATCHES = "batch_metrics.csv";
  public static final String TRACE = ChromeTraceWriter.FILE;
  public static final String TIMELINE = "replica_timeline.csv";
  // metrics.format: parquet (the default) writes these instead of the three CSV files above
  public static final String REQUESTS_PARQUET = "request_metrics.parquet";
  public static final String BATCHES_PARQUET = "batch_metrics.parquet";
  public static final String TIMELINE_PARQUET = "replica_timeline.parquet";

  private RunWriter() {}

  public static Map<String, Object> write(Path dir, SimulationResult r, JsonNode resolvedConfig)
      throws IOException {
    Yaml.yaml().writeValue(dir.resolve(CONFIG).toFile(), resolvedConfig);
    Map<String, Object> summary = Summary.of(r);
    Yaml.json()
        .writer()
        .with(SerializationFeature.INDENT_OUTPUT)
        .writeValue(dir.resolve(SUMMARY).toFile(), summary);
    return summary;
  }
}
