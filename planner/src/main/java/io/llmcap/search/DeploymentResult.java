package io.llmcap.search;

import java.io.Serializable;

/**
 * One row of the {@code deployments} dataset: the deployment, its cost, the highest QPS meeting the
 * SLOs and the metrics measured there. Metrics are NaN when no QPS met the SLOs. {@code wallS} is
 * host time, the only column that differs between identical searches.
 */
public record DeploymentResult(
    String deploymentId,
    String model,
    String workload,
    String sku,
    String node,
    int tp,
    int pp,
    int replicas,
    String scheduler,
    Integer chunkSize,
    Integer maxTokensInBatch,
    int batchSizeCap,
    String speculativeMethod,
    Integer numSpeculativeTokens,
    Double acceptanceRate,
    int gpus,
    Double dollarsPerHour,
    double maxQps,
    Double capacityPerDollar,
    String failingSlo,
    boolean nonMonotone,
    boolean bracketClosed,
    double ttftP50,
    double ttftP90,
    double ttftP99,
    double tbtP50,
    double tbtP99,
    double batchTimeP99,
    double tpotP50,
    double e2eP50,
    double e2eP90,
    double e2eP99,
    double schedulingDelayP99,
    double outputTokensPerS,
    double mfu,
    double kvUsageMean,
    double batchSizeMean,
    int probes,
    long simulatedRequests,
    double wallS)
    implements Serializable {}
