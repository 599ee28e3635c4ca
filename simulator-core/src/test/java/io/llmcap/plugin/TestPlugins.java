package io.llmcap.plugin;

import io.llmcap.base.ConfigException;
import io.llmcap.cluster.GlobalScheduler;
import io.llmcap.cluster.RouterContext;
import io.llmcap.cluster.RouterProvider;
import io.llmcap.request.Batch;
import io.llmcap.request.Request;
import io.llmcap.scheduler.BatchBuilder;
import io.llmcap.scheduler.PagedScheduler;
import io.llmcap.scheduler.ReplicaScheduler;
import io.llmcap.scheduler.SchedulerContext;
import io.llmcap.scheduler.SchedulerProvider;
import io.llmcap.workload.IntervalGenerator;
import io.llmcap.workload.IntervalProvider;
import io.llmcap.workload.LengthGenerator;
import io.llmcap.workload.LengthProvider;
import io.llmcap.workload.Lengths;
import io.llmcap.workload.WorkloadContext;
import java.util.List;

/**
 * Plug-ins that this module's tests find through {@code META-INF/services} (left out of the
 * test-jar, so other modules' tests do not see them), one per seam, each with options.
 */
public final class TestPlugins {
  private TestPlugins() {}

  /** Options of {@link CappedScheduler}. */
  public record CappedOptions(int maxRunning) {}

  /** FCFS prefill-or-decode batches of at most {@code max_running} requests. */
  public static final class CappedScheduler implements SchedulerProvider<CappedOptions> {
    @Override
    public String name() {
      return "test_capped";
    }

    @Override
    public CappedOptions defaultOptions() {
      return new CappedOptions(4);
    }

    @Override
    public void validate(CappedOptions o, String field) {
      if (o.maxRunning() < 1) {
        throw ConfigException.invalid(field + ".max_running", o.maxRunning(), "an integer ≥ 1");
      }
    }

    @Override
    public ReplicaScheduler create(SchedulerContext ctx, CappedOptions o) {
      return new Capped(ctx, o.maxRunning());
    }
  }

  static final class Capped extends PagedScheduler {
    private final int cap;

    Capped(SchedulerContext ctx, int cap) {
      super(ctx);
      this.cap = cap;
    }

    @Override
    protected Batch nextBatch() {
      BatchBuilder b = new BatchBuilder();
      sortRunning(List.of());
      while (!running.isEmpty() && b.size() < cap) {
        Request r = running.pollFirst();
        if (makeRoom(r)) {
          allocateRequest(r);
          b.add(r, wholeStepTokens(r));
        }
      }
      while (!waiting.isEmpty() && b.size() < cap && canAllocateRequest(waiting.peekFirst())) {
        Request r = waiting.pollFirst();
        allocateRequest(r);
        b.add(r, wholeStepTokens(r));
      }
      return build(b);
    }
  }

  /** Options of {@link PinnedRouter}. */
  public record PinnedOptions(int replica) {}

  /** Sends every request to one replica. */
  public static final class PinnedRouter implements RouterProvider<PinnedOptions> {
    @Override
    public String name() {
      return "test_pinned";
    }

    @Override
    public PinnedOptions defaultOptions() {
      return new PinnedOptions(0);
    }

    @Override
    public GlobalScheduler create(RouterContext ctx, PinnedOptions o) {
      if (o.replica() >= ctx.numReplicas()) {
        throw ConfigException.invalid(
            "router_options.test_pinned.replica", o.replica(), "below " + ctx.numReplicas());
      }
      return (request, replicas) -> o.replica();
    }
  }

  /** Options of {@link ConstantLengths}. */
  public record ConstantOptions(int prompt, int output) {}

  /** Every request has the same lengths. */
  public static final class ConstantLengths implements LengthProvider<ConstantOptions> {
    @Override
    public String name() {
      return "test_constant";
    }

    @Override
    public ConstantOptions defaultOptions() {
      return new ConstantOptions(100, 10);
    }

    @Override
    public LengthGenerator create(WorkloadContext ctx, ConstantOptions o) {
      return () -> new Lengths(o.prompt(), o.output());
    }
  }

  /** Options of {@link EvenIntervals}. */
  public record EvenOptions(double gap) {}

  /** Arrivals every {@code gap} seconds. */
  public static final class EvenIntervals implements IntervalProvider<EvenOptions> {
    @Override
    public String name() {
      return "test_even";
    }

    @Override
    public EvenOptions defaultOptions() {
      return new EvenOptions(0.5);
    }

    @Override
    public IntervalGenerator create(WorkloadContext ctx, EvenOptions o) {
      return () -> o.gap();
    }
  }
}
