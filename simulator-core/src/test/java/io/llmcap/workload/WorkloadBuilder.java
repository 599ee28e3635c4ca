package io.llmcap.workload;

import io.llmcap.config.SimulationConfig.IntervalConfig;
import io.llmcap.config.SimulationConfig.LengthConfig;
import io.llmcap.config.SimulationConfig.SessionConfig;
import io.llmcap.config.SimulationConfig.SharedPrefixConfig;
import io.llmcap.config.SimulationConfig.TraceConfig;
import io.llmcap.config.SimulationConfig.WorkloadConfig;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Mutable stand-in for the workload section of defaults.yaml, so tests change one key at a time.
 */
final class WorkloadBuilder {
  String preset;
  Integer numRequests = 100;
  Double duration;
  int maxTokens = 16384;
  String lengthType = "fixed";
  int prefillTokens = 2048;
  int decodeTokens = 512;
  int minTokens = 1024;
  double ratio = 20.0;
  double theta = 0.6;
  String lengthFile;
  double lengthPrefillScale = 1.0;
  double lengthDecodeScale = 1.0;
  String intervalType = "poisson";
  double qps = 6.45;
  double cv = 0.5;
  String intervalFile;
  double intervalTimeScale = 1.0;
  String traceFile;
  String traceFormat = "auto";
  double traceTimeScale = 1.0;
  double tracePrefillScale = 1.0;
  double traceDecodeScale = 1.0;
  Integer concurrency;
  double thinkTime;
  int groups;
  int usersPerGroup = 1;
  int prefixTokens;
  String sessionType = "none";
  String sessionPreset;
  String sessionFile;
  int systemPrompts = 1;
  int systemPromptTokens;
  double turns = 4;
  double firstInputTokens = 200;
  double inputTokens = 100;
  double outputTokens = 200;
  double lengthCv = 1;
  double sessionThinkTime = 10;

  static WorkloadConfig config(Consumer<WorkloadBuilder> changes) {
    WorkloadBuilder b = new WorkloadBuilder();
    changes.accept(b);
    return b.build();
  }

  WorkloadConfig build() {
    return new WorkloadConfig(
        preset,
        numRequests,
        duration,
        maxTokens,
        new LengthConfig(
            lengthType,
            prefillTokens,
            decodeTokens,
            minTokens,
            ratio,
            theta,
            lengthFile,
            lengthPrefillScale,
            lengthDecodeScale),
        new IntervalConfig(intervalType, qps, cv, intervalFile, intervalTimeScale),
        new TraceConfig(
            traceFile, traceFormat, traceTimeScale, tracePrefillScale, traceDecodeScale),
        concurrency,
        thinkTime,
        new SharedPrefixConfig(groups, usersPerGroup, prefixTokens),
        new SessionConfig(
            sessionType,
            sessionPreset,
            sessionFile,
            systemPrompts,
            systemPromptTokens,
            turns,
            firstInputTokens,
            inputTokens,
            outputTokens,
            lengthCv,
            sessionThinkTime));
  }

  /** The folder of this package's test CSVs. */
  static Path resources() {
    try {
      return Path.of(WorkloadBuilder.class.getResource("/workload").toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
