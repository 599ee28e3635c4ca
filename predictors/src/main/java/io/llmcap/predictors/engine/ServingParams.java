package io.llmcap.predictors.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The engine-cost parameters fitted at serving level ({@code llmcap profile calibrate --serving}),
 * each with a physical meaning:
 *
 * @param allReduceLatencyUs fixed time of one custom (one- or two-shot) all-reduce over NVLink peer
 *     memory: kernel start, the flag barrier between ranks, and the reduction of a small message
 * @param stepOverheadMs host time per engine step that asynchronous scheduling does not hide (input
 *     preparation, sampling and output bookkeeping beyond the GPU step)
 */
public record ServingParams(double allReduceLatencyUs, double stepOverheadMs) {
  /** The file shipped in the catalog, beside the op-level calibration. */
  public static final String RESOURCE = "llmcap/catalog/serving.yaml";

  public ServingParams {
    for (double v : new double[] {allReduceLatencyUs, stepOverheadMs}) {
      if (!(v >= 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException("serving parameters must be finite and ≥ 0");
      }
    }
  }

  private static volatile ServingParams builtin;

  /** The shipped parameters. */
  public static ServingParams builtin() {
    ServingParams p = builtin;
    if (p == null) {
      try (InputStream in = ServingParams.class.getClassLoader().getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException("serving calibration missing from the jar: " + RESOURCE);
        }
        p = parse(new ObjectMapper(new YAMLFactory()).readTree(in));
        builtin = p;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return p;
  }

  /** Reads a serving calibration file ({@code params} section). */
  public static ServingParams read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return parse(new ObjectMapper(new YAMLFactory()).readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ServingParams parse(JsonNode root) {
    JsonNode p = root.path("params");
    return new ServingParams(
        p.path("allreduce_latency_us").asDouble(), p.path("step_overhead_ms").asDouble());
  }
}
