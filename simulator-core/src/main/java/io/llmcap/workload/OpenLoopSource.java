package io.llmcap.workload;

import java.util.Iterator;

/**
 * Requests whose arrival times are fixed in advance (synthetic or replayed traces), read lazily one
 * ahead so memory does not grow with the request count. The run ends when every request was emitted
 * and completed.
 */
public final class OpenLoopSource implements RequestSource {
  private final Iterator<RequestSpec> requests;
  private RequestSpec next;
  private long emitted;
  private long completed;

  public OpenLoopSource(Iterator<RequestSpec> requests) {
    this.requests = requests;
    this.next = requests.hasNext() ? requests.next() : null;
  }

  @Override
  public RequestSpec peek() {
    return next;
  }

  @Override
  public RequestSpec take() {
    RequestSpec r = next;
    emitted++;
    next = requests.hasNext() ? requests.next() : null;
    return r;
  }

  @Override
  public void onCompleted(double t, RequestSpec request) {
    completed++;
  }

  @Override
  public boolean done() {
    return next == null && completed == emitted;
  }
}
