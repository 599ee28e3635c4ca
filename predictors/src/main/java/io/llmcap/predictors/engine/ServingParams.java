package io.llmcap.predictors.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.llmcap.base.ConfigException;
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
 * @param clientPathMs time the front end adds once to each request, in and out, outside the engine
 *     steps: HTTP parsing, the chat template and tokenisation in the API server, the ZMQ/msgpack
 *     hop to the engine-core process and back, detokenisation and the streamed (SSE) response
 */
public record ServingParams(double allReduceLatencyUs, double stepOverheadMs, double clientPathMs) {
  /** The file shipped in the catalog, beside the op-level calibration. */
  public static final String RESOURCE = "llmcap/catalog/serving.yaml";

  /** The keys of the file's {@code params} section, in the components' order. */
  static final String[] KEYS = {"allreduce_latency_us", "step_overhead_ms", "client_path_ms"};

  public ServingParams {
    check("params.", allReduceLatencyUs, stepOverheadMs, clientPathMs);
  }

  /** Each value finite and ≥ 0, else an error naming its key after {@code prefix}. */
  private static void check(String prefix, double... v) {
    for (int i = 0; i < v.length; i++) {
      if (!(v[i] >= 0) || Double.isInfinite(v[i])) {
        throw new ConfigException(
            prefix + KEYS[i], "value '" + v[i] + "' is not allowed; allowed: a finite number ≥ 0");
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
        p = parse(new ObjectMapper(new YAMLFactory()).readTree(in), RESOURCE);
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
      return parse(new ObjectMapper(new YAMLFactory()).readTree(in), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The {@code params} section of {@code root}; every key is required, so a typo cannot pass. */
  static ServingParams parse(JsonNode root, String file) {
    JsonNode p = root == null ? null : root.path("params");
    double[] v = new double[KEYS.length];
    for (int i = 0; i < KEYS.length; i++) {
      JsonNode n = p == null ? null : p.get(KEYS[i]);
      if (n == null || !n.isNumber()) {
        throw new ConfigException(
            file + ": params." + KEYS[i],
            (n == null ? "missing" : "value '" + n.asText() + "' is not a number")
                + "; allowed: a finite number ≥ 0");
      }
      v[i] = n.asDouble();
    }
    check(file + ": params.", v);
    return new ServingParams(v[0], v[1], v[2]);
  }
}
