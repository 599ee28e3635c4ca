package io.llmcap.timing;

/**
 * Predicts how long a batch takes on one pipeline stage of one replica: the simulator's only view
 * of the hardware. One instance serves one deployment (model, SKU, node, TP, PP) and must be a pure
 * function of its arguments, so that simulations are deterministic; a capacity search calls one
 * instance from several threads at once, so it must also be thread-safe.
 *
 * <p>The simulator calls {@link #predict} once per batch and stage when the batch starts on that
 * stage; the stage takes {@link ExecutionTime#totalSeconds()} seconds. Plug-in predictors come from
 * a {@link PredictorProvider}.
 */
public interface ExecutionTimePredictor {
  /**
   * The time breakdown of {@code batch} on pipeline stage {@code stage} (0-based; every stage holds
   * the same number of layers).
   */
  ExecutionTime predict(BatchView batch, int stage);

  /** A short description of where predictions come from, for run summaries. */
  String describe();

  /**
   * Seconds the serving engine's front end adds to every request outside the steps predicted here,
   * in and out (vLLM: the API server's HTTP handling and tokenisation, the IPC to the engine
   * process, detokenisation and the streamed response). The simulator adds it once to each
   * request's TTFT and E2E, and delays a closed-loop client's next request by it; a constant delay
   * shifts open-loop arrivals rigidly, so TBT and TPOT are unchanged. 0 by default: the reference's
   * engines are timed from the request's arrival at the scheduler.
   */
  default double clientPathSeconds() {
    return 0;
  }
}
