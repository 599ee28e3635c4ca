package io.llmcap.workload;

import io.llmcap.kv.PromptContent;
import java.util.PriorityQueue;
import java.util.function.LongFunction;

/**
 * A closed loop of {@code concurrency} clients, as benchmark load generators run one
 * (inference-perf's concurrency load, {@code vllm bench serve --max-concurrency}): every client
 * sends its first request at time 0 and its next one when its previous one completes, after an
 * optional think time, so at most {@code concurrency} requests are in flight. The run ends once the
 * request count is reached (or no client may send any more because the duration has passed) and
 * every request sent has completed.
 */
public final class ClosedLoopSource implements RequestSource {
  /** A client and the time it sends its next request. */
  private record Ready(double at, long client) {}

  private final LengthGenerator lengths;
  private final LongFunction<PromptContent> prompts;
  private final int maxTokens;
  private final long limit;
  private final double duration;
  private final double thinkTime;
  private final PriorityQueue<Ready> ready =
      new PriorityQueue<>(
          (a, b) ->
              a.at() != b.at() ? Double.compare(a.at(), b.at()) : Long.compare(a.client, b.client));
  private RequestSpec next;
  private long emitted;
  private long completed;

  /**
   * @param limit requests to send in all, or {@link Long#MAX_VALUE}
   * @param duration seconds after which no client sends, or +∞
   * @param prompts the prompt content of the request with a given id (null: unknown)
   */
  public ClosedLoopSource(
      int concurrency,
      double thinkTime,
      LengthGenerator lengths,
      LongFunction<PromptContent> prompts,
      int maxTokens,
      long limit,
      double duration) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be at least 1: " + concurrency);
    }
    this.lengths = lengths;
    this.prompts = prompts;
    this.maxTokens = maxTokens;
    this.limit = limit;
    this.duration = duration;
    this.thinkTime = thinkTime;
    for (long c = 0; c < concurrency; c++) {
      ready.add(new Ready(0, c));
    }
    advance();
  }

  private void advance() {
    next = null;
    Ready client = ready.peek();
    if (client == null || emitted >= limit || client.at() >= duration) {
      return;
    }
    ready.poll();
    Lengths l = lengths.next();
    Lengths clipped = LengthClip.proportional(l.prefill(), l.decode(), maxTokens);
    next =
        new RequestSpec(
            emitted,
            client.at(),
            clipped.prefill(),
            clipped.decode(),
            client.client(),
            RequestSpec.NONE,
            prompts.apply(emitted));
  }

  @Override
  public RequestSpec peek() {
    return next;
  }

  @Override
  public RequestSpec take() {
    RequestSpec r = next;
    emitted++;
    advance();
    return r;
  }

  @Override
  public void onCompleted(double t, RequestSpec request) {
    completed++;
    ready.add(new Ready(t + thinkTime, request.clientId()));
    if (next == null) {
      advance();
    }
  }

  @Override
  public boolean done() {
    return next == null && completed == emitted;
  }
}
