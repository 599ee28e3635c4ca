package io.llmcap.timing;

/**
 * Predicted time of one batch on one pipeline stage, per operator. Operator times are milliseconds
 * per layer (as profiles state them), except {@code pipelineComm} and {@code cpuOverhead}, which
 * are per stage. Composition follows the reference: two tensor-parallel all-reduces per layer, the
 * block time times the layers of the stage, plus one send/recv on non-last stages.
 */
public record ExecutionTime(
    int layers,
    double attnPreProj,
    double attnPostProj,
    double attnRope,
    double attnKvCacheSave,
    double attnDecode,
    double attnPrefill,
    double attnNorm,
    double mlpUpProj,
    double mlpDownProj,
    double mlpAct,
    double mlpNorm,
    double add,
    double tensorParallelComm,
    double pipelineComm,
    double cpuOverhead) {

  public double attentionLayerMs() {
    return attnPreProj
        + attnPostProj
        + attnRope
        + attnKvCacheSave
        + attnDecode
        + attnPrefill
        + tensorParallelComm
        + attnNorm;
  }

  public double mlpLayerMs() {
    return mlpUpProj + mlpDownProj + mlpAct + tensorParallelComm + mlpNorm;
  }

  public double blockMs() {
    return attentionLayerMs() + mlpLayerMs() + add;
  }

  /** GPU time of the stage in seconds. */
  public double modelSeconds() {
    return (blockMs() * layers + pipelineComm) * 1e-3;
  }

  /** Wall time of the stage in seconds, CPU overheads included. */
  public double totalSeconds() {
    return modelSeconds() + cpuOverhead * 1e-3;
  }
}
