package io.llmcap.search;

import java.io.Serializable;

/**
 * One simulation of a deployment at one QPS, as written to the {@code probes} dataset. {@code
 * stoppedEarly}: the simulation ended once {@code failingSlo} was certainly missed, so its
 * quantiles and {@code requests} cover the requests completed by then. {@code seed}: the seed the
 * probe ran with (the search's seed, or one of the K − 1 after it with {@code search.seeds} K).
 */
public record ProbeResult(
    String deploymentId,
    int probe,
    long seed,
    double qps,
    boolean passed,
    String failingSlo,
    double ttftP90,
    double tbtP99,
    double batchTimeP99,
    double schedulingDelayP99,
    long requests,
    double makespanS,
    boolean stoppedEarly)
    implements Serializable {}
