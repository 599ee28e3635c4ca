package io.llmcap.engine;

import io.llmcap.request.Batch;
import io.llmcap.request.Request;
import io.llmcap.timing.ExecutionTime;
import java.util.Comparator;

/** One scheduled event of the loop; ordered by (time, creation sequence). */
final class Event {
  static final int GLOBAL_SCHEDULE = 1;
  static final int REPLICA_SCHEDULE = 2;
  static final int STAGE_ARRIVAL = 3;
  static final int STAGE_SCHEDULE = 4;
  static final int STAGE_END = 5;
  static final int BATCH_END = 6;
  static final int MOVE_ARRIVAL = 7;

  static final Comparator<Event> ORDER =
      (a, b) -> a.time != b.time ? Double.compare(a.time, b.time) : Long.compare(a.seq, b.seq);

  final double time;
  final long seq;
  final int type;
  final int replica;
  final int stage;
  final Batch batch;
  final Request request;
  final ExecutionTime execution;
  final double draftSeconds;

  Event(
      double time,
      long seq,
      int type,
      int replica,
      int stage,
      Batch batch,
      Request request,
      ExecutionTime execution,
      double draftSeconds) {
    this.draftSeconds = draftSeconds;
    this.time = time;
    this.seq = seq;
    this.type = type;
    this.replica = replica;
    this.stage = stage;
    this.batch = batch;
    this.request = request;
    this.execution = execution;
  }
}
