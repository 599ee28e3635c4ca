package io.llmcap.engine;

import io.llmcap.request.Batch;
import io.llmcap.timing.BatchView;
import io.llmcap.timing.ExecutionTimePredictor;

/** Times the speculative draft model's passes for one iteration of the target. */
final class DraftTiming {
  private final ExecutionTimePredictor draftPredictor;

  DraftTiming(ExecutionTimePredictor draftPredictor) {
    this.draftPredictor = draftPredictor;
  }

  /**
   * The draft model's time for one iteration: a first pass that runs the batch's prefill chunks
   * (the draft keeps its own KV cache of the prompt) and each verifying request's last token, then
   * one decode step per further proposed token over the requests still proposing.
   */
  double seconds(Batch b) {
    int n = b.size();
    int steps = 0;
    int first = 0;
    for (int i = 0; i < n; i++) {
      if (b.isPrefill(i) || b.isVerify(i)) {
        first++;
      }
      if (b.isVerify(i)) {
        steps = Math.max(steps, b.numTokens(i) - 1);
      }
    }
    double seconds = 0;
    for (int step = 0; step < Math.max(steps, 1); step++) {
      DraftStep view = new DraftStep(step == 0 ? first : n);
      for (int i = 0; i < n; i++) {
        if (step == 0 && b.isPrefill(i)) {
          view.add(b.numTokens(i), b.processedBefore(i), true);
        } else if (b.isVerify(i) && b.numTokens(i) - 1 > step) {
          view.add(1, b.processedBefore(i) + step, false);
        }
      }
      if (view.size() > 0) {
        seconds += draftPredictor.predict(view, 0).totalSeconds();
      }
    }
    return seconds;
  }

  /** One pass of the draft model, shaped as a batch for its predictor. */
  private static final class DraftStep implements BatchView {
    private final int[] tokens;
    private final int[] before;
    private final boolean[] prefill;
    private int size;
    private int total;

    DraftStep(int capacity) {
      tokens = new int[capacity];
      before = new int[capacity];
      prefill = new boolean[capacity];
    }

    void add(int n, int processedBefore, boolean isPrefill) {
      tokens[size] = n;
      before[size] = processedBefore;
      prefill[size++] = isPrefill;
      total += n;
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public int numTokens(int i) {
      return tokens[i];
    }

    @Override
    public int processedBefore(int i) {
      return before[i];
    }

    @Override
    public boolean isPrefill(int i) {
      return prefill[i];
    }

    @Override
    public int totalTokens() {
      return total;
    }
  }
}
