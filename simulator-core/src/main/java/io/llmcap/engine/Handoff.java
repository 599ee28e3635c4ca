package io.llmcap.engine;

import io.llmcap.kv.BlockTable;
import io.llmcap.kv.KvLayout;
import io.llmcap.metrics.MetricsCollector;
import io.llmcap.request.Request;
import io.llmcap.scheduler.ReplicaScheduler;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Disaggregated serving's hand-off from a prefill replica to a decode replica, as vLLM's KV
 * connectors (NixlConnector) and SGLang's PD disaggregation sequence it:
 *
 * <ol>
 *   <li>the prefill replica runs the request with one output token (vLLM's proxy sends it {@code
 *       max_tokens=1}); when that iteration ends, the request leaves its scheduler, but its KV
 *       blocks stay held on the prefill replica (vLLM delays freeing them until the decode side has
 *       read them);
 *   <li>the decode router picks a decode replica; the transfer starts only once that replica has
 *       free blocks for the request's whole prompt (vLLM allocates them before the load, SGLang
 *       pre-allocates before the prefill runs); until then the request waits, first come first
 *       served, per decode replica ({@code decode_kv_wait_s});
 *   <li>the transfer takes the {@link KvTransfer} cost, after waiting for the links (the two
 *       replicas' NICs or NVLink ports) that earlier transfers hold; then the prefill replica's
 *       blocks are freed and the request joins the decode replica's waiting queue, holding its
 *       blocks there.
 * </ol>
 *
 * With {@code first_token: decode} (the default) the decode replica produces the first token: it
 * recomputes the last prompt token, as vLLM does, so TTFT includes the transfer and that step. With
 * {@code first_token: prefill} the prefill iteration's token reaches the client at once.
 */
final class Handoff {
  private final Pool prefill;
  private final Pool decode;
  private final boolean prefillFirst;
  private final KvTransfer transfer;
  private final MetricsCollector metrics;
  private final KvLayout decodeLayout;
  private final ArrayDeque<Pending>[] waiting;
  private final Map<Request, Pending> moving = new IdentityHashMap<>();
  private int pending;

  /** A request whose prefill ended: its prefill-side KV and where it goes. */
  private record Pending(
      Request prefillSide,
      BlockTable held,
      int from,
      int to,
      double readyAt,
      double prefillSeconds) {}

  @SuppressWarnings("unchecked")
  Handoff(
      Pool prefill,
      Pool decode,
      boolean prefillFirst,
      KvTransfer transfer,
      MetricsCollector metrics) {
    this.prefill = prefill;
    this.decode = decode;
    this.prefillFirst = prefillFirst;
    this.transfer = transfer;
    this.metrics = metrics;
    this.decodeLayout = decode.memory().layout();
    this.waiting = new ArrayDeque[decode.replicas().size()];
    for (int i = 0; i < waiting.length; i++) {
      waiting[i] = new ArrayDeque<>();
    }
  }

  /** True when {@code replica} is a prefill replica. */
  boolean isPrefill(int replica) {
    return replica < prefill.firstReplica() + prefill.replicas().size();
  }

  /** True when the prefill replica streams the first token. */
  boolean prefillFirst() {
    return prefillFirst;
  }

  /**
   * True when {@code r}, just completed on a prefill replica, still has to decode (it moves); false
   * when its prefill was all of it (one output token, streamed by the prefill side).
   */
  boolean moves(Request r) {
    return !(prefillFirst && r.spec().decodeTokens() <= 1);
  }

  /**
   * Takes the KV blocks of {@code r}, whose prefill just completed on replica {@code from}, off the
   * request before its scheduler frees it, and picks its decode replica.
   *
   * @return the decode replica (global id)
   */
  int prefillDone(Request r, int from, double t, double prefillSeconds) {
    BlockTable held = new BlockTable();
    r.kvBlocks().moveTo(held);
    int to = decode.firstReplica() + decode.router().route(r, decode.replicas());
    waiting[to - decode.firstReplica()].addLast(new Pending(r, held, from, to, t, prefillSeconds));
    pending++;
    return to;
  }

  /**
   * Starts the transfers waiting for decode replica {@code to} while it has room, in order.
   *
   * @param sink schedules each transfer's arrival
   */
  void start(int to, double now, Arrivals sink) {
    ArrayDeque<Pending> q = waiting[to - decode.firstReplica()];
    ReplicaScheduler rs = decode.replicas().get(to - decode.firstReplica());
    while (!q.isEmpty()) {
      Pending p = q.peekFirst();
      Request r = p.prefillSide();
      int prompt = r.prefillTokens();
      int blocks = decodeLayout.blocksFor(prefillFirst ? prompt : prompt - 1, prompt);
      if (!rs.kv().canAllocate(blocks)) {
        return;
      }
      q.pollFirst();
      double alone = transfer.seconds(r, prefill, p.from(), decode, to, p.prefillSeconds());
      double seconds = transfer.start(r, prefill, p.from(), decode, to, p.prefillSeconds(), now);
      Request d = Request.decodePart(r.spec(), r, prefillFirst, now + seconds);
      d.assignReplica(to);
      rs.kv().allocate(d.kvBlocks(), blocks);
      metrics.onKvSample(to, now, rs.kv().allocated());
      metrics.onKvTransfer(
          r.id(),
          p.from(),
          to,
          now,
          now - p.readyAt(),
          seconds,
          seconds - alone,
          transfer.bytes(r, prefill));
      moving.put(d, p);
      sink.arrive(now + seconds, to, d);
    }
  }

  /**
   * The KV of {@code d} is on its decode replica: frees the prefill side's blocks.
   *
   * @return the prefill replica that held them
   */
  int arrived(Request d) {
    Pending p = moving.remove(d);
    pending--;
    ReplicaScheduler rs = prefill.replicas().get(p.from() - prefill.firstReplica());
    rs.kv().free(p.held());
    return p.from();
  }

  /** Requests between the end of their prefill and their arrival on a decode replica. */
  int inFlight() {
    return pending;
  }

  /** Where a started transfer's arrival goes. */
  interface Arrivals {
    void arrive(double t, int to, Request decodeSide);
  }
}
