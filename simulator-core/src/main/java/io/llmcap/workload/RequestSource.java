package io.llmcap.workload;

/**
 * Where a run's requests come from, and what ends the run. The engine pulls arrivals one at a time
 * and tells the source when each request completes, so arrivals may depend on completions (closed
 * loops, multi-turn sessions).
 *
 * <p>The engine's contract:
 *
 * <ul>
 *   <li>It calls {@link #peek} at the start and again after each {@link #take} and each {@link
 *       #onCompleted}; between those calls the answer must not change. It simulates the peeked
 *       arrival when no other event comes before it (arrivals win ties), then calls {@link #take}.
 *   <li>An arrival must not be earlier than the last arrival taken or the last completion notified.
 *   <li>After each completion it asks {@link #done}; once true, the run ends after the events at
 *       that time. When nothing is left to simulate and the source is not done, the run stalled.
 * </ul>
 *
 * <p>Ids must be unique within a run. A source that draws random numbers draws them from its own
 * seeded generator, so runs stay reproducible. {@link OpenLoopSource} is today's open-loop
 * workload; a new kind of source is one class implementing this interface.
 */
public interface RequestSource {
  /** The next arrival, or null when none is known now (a completion may bring one). */
  RequestSpec peek();

  /** Removes and returns the arrival {@link #peek} returned. */
  RequestSpec take();

  /**
   * A request this source emitted completed at {@code t}: when its client received the response
   * (the engine's completion plus the front end's client path). The source may now have new
   * arrivals, at {@code t} or later.
   */
  void onCompleted(double t, RequestSpec request);

  /** The run's end rule: true once the run is over (checked after each completion). */
  boolean done();
}
