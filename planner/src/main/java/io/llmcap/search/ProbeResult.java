package io.llmcap.search;

import java.io.Serializable;

/**
 * One simulation of a deployment at one QPS, as written to the {@code probes} dataset. {@code
 * stoppedEarly}: the simulation ended once {@code failingSlo} was certainly missed, so its
 * quantiles and {@code requests} cover the requests completed by then.
 */
public record ProbeResult(
    String deploymentId,
    int probe,
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
