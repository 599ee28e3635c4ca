package io.llmcap.timing;

/**
 * Predicts how long a batch takes on one pipeline stage of one replica. One instance serves one
 * deployment (model, SKU, node, TP, PP) and must be a pure function of its arguments, so that
 * simulations are deterministic.
 */
public interface ExecutionTimePredictor {
  ExecutionTime predict(BatchView batch, int stage);

  /** A short description of where predictions come from, for run summaries. */
  String describe();
}
