package io.llmcap.search;

import io.llmcap.search.ResultColumns.Column;
import io.llmcap.search.SearchSpace.ClusterEntry;
import io.llmcap.search.SearchSpace.ModelEntry;
import io.llmcap.search.SearchSpace.SchedulerEntry;
import io.llmcap.search.SearchSpace.SpeculativeEntry;
import io.llmcap.search.SearchSpace.WorkloadEntry;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The search dimensions, in expansion order (outermost first; the deployment id's key follows the
 * same order). <b>The one place to register a dimension</b>: add it to {@link #DEFAULT}'s list,
 * after the existing ones so that existing deployment ids and orders stay as they are.
 *
 * <p>A disaggregated layout ({@link #DISAGGREGATION}) fixes the shape dimensions (cluster, TP, PP,
 * replicas, expert parallelism) to one value each, its prefill pool's, which fill their columns;
 * they leave the run config's cluster shape at its defaults, as the layout's pools replace it.
 */
public final class Dimensions implements Serializable {

  public static final Dimension<ModelEntry> MODEL = new Model();
  public static final Dimension<ClusterEntry> CLUSTER = new Cluster();
  public static final Dimension<Integer> TP = new Parallel("tensor_parallel", "tp");
  public static final Dimension<Integer> PP = new Parallel("pipeline_parallel", "pp");
  public static final Dimension<Integer> REPLICAS = new Replicas();
  public static final Dimension<SchedulerEntry> SCHEDULER = new Scheduler();
  public static final Dimension<Integer> CHUNK_SIZE = new SchedulerKnob("chunk_sizes", "cs");
  public static final Dimension<Integer> MAX_TOKENS_IN_BATCH =
      new SchedulerKnob("max_tokens_in_batch", "mt");
  public static final Dimension<Integer> BATCH_SIZE_CAP = new BatchSizeCap();
  public static final Dimension<WorkloadEntry> WORKLOAD = new Workload();
  public static final Dimension<SpeculativeEntry> SPECULATIVE = new Speculative();
  public static final Dimension<String> DTYPE = new DtypeDimension(false);
  public static final Dimension<String> KV_CACHE_DTYPE = new DtypeDimension(true);
  public static final Dimension<Boolean> EXPERT_PARALLEL = new ExpertParallelDimension();
  public static final Dimension<DisaggregationDimension.Layout> DISAGGREGATION =
      new DisaggregationDimension();
  public static final Dimension<RouterDimension.Choice> ROUTER = new RouterDimension();
  public static final Dimension<Double> CPU_OFFLOAD = new CpuOffloadDimension();

  /** The dimensions of every search. */
  public static final Dimensions DEFAULT =
      new Dimensions(
          List.of(
              MODEL,
              // before the shape dimensions, which take a disaggregated layout's prefill shape;
              // aggregated (null) adds nothing to the id, so ids and order stay as they were
              DISAGGREGATION,
              CLUSTER,
              TP,
              PP,
              REPLICAS,
              SCHEDULER,
              CHUNK_SIZE,
              MAX_TOKENS_IN_BATCH,
              BATCH_SIZE_CAP,
              WORKLOAD,
              SPECULATIVE,
              DTYPE,
              KV_CACHE_DTYPE,
              EXPERT_PARALLEL,
              // issue 16; their defaults (round_robin, no CPU tier) add nothing to an id
              ROUTER,
              CPU_OFFLOAD));

  private final List<Dimension<?>> all;
  private transient List<Dimension<?>> columnOrder;
  private transient List<Column> columns;

  public Dimensions(List<Dimension<?>> all) {
    this.all = List.copyOf(all);
  }

  /** These dimensions and then {@code more} (for a test or a plug-in). */
  public Dimensions with(Dimension<?>... more) {
    List<Dimension<?>> out = new ArrayList<>(all);
    out.addAll(List.of(more));
    return new Dimensions(out);
  }

  /** In expansion order. */
  public List<Dimension<?>> all() {
    return all;
  }

  /** The position of {@code d} (matched by key, so that a deserialized dimension is found). */
  public int indexOf(Dimension<?> d) {
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i) == d || all.get(i).key().equals(d.key())) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The dimensions in column order: expansion order, except that a dimension whose {@link
   * Dimension#columnsAfter()} names a column goes right after the dimension holding that column.
   */
  public List<Dimension<?>> columnOrder() {
    if (columnOrder == null) {
      columnOrder = List.copyOf(layout());
    }
    return columnOrder;
  }

  private List<Dimension<?>> layout() {
    List<Dimension<?>> out = new ArrayList<>();
    List<Dimension<?>> placed = new ArrayList<>();
    for (Dimension<?> d : all) {
      if (d.columnsAfter() == null) {
        out.add(d);
      } else {
        placed.add(d);
      }
    }
    for (Dimension<?> d : placed) {
      int at = -1;
      for (int i = 0; i < out.size(); i++) {
        if (out.get(i).columns().stream().anyMatch(c -> c.name().equals(d.columnsAfter()))) {
          at = i;
        }
      }
      if (at < 0) {
        throw new IllegalStateException(d.key() + ": no column " + d.columnsAfter());
      }
      out.add(at + 1, d);
    }
    return out;
  }

  /** The result columns of all dimensions, in column order. */
  public List<Column> columns() {
    if (columns == null) {
      List<Column> out = new ArrayList<>();
      for (Dimension<?> d : columnOrder()) {
        out.addAll(d.columns());
      }
      columns = List.copyOf(out);
    }
    return columns;
  }

  /** The disaggregated layout of an expansion's outer values or a deployment, or null. */
  static DisaggregationDimension.Layout layout(DeploymentSpec d) {
    return d == null ? null : DisaggregationDimension.of(d);
  }

  static <T> List<T> orNull(List<T> values) {
    return values == null ? Collections.singletonList(null) : values;
  }

  private static Column string(String name) {
    return new Column(name, String.class, true);
  }

  private static Column integer(String name, boolean nullable) {
    return new Column(name, Integer.class, nullable);
  }

  /** A dimension read from a typed {@link SearchSpace} field. */
  private abstract static class BuiltIn<V> implements Dimension<V> {
    private final String key;

    BuiltIn(String key) {
      this.key = key;
    }

    @Override
    public String key() {
      return key;
    }

    @Override
    public boolean ownsKey() {
      return false;
    }

    /** {@link Expansion#describe} writes the built-in dimensions' part itself. */
    @Override
    public String describe(V value) {
      return null;
    }
  }

  private static final class Model extends BuiltIn<ModelEntry> {
    Model() {
      super("models");
    }

    @Override
    public List<ModelEntry> values(SearchSpace s, DeploymentSpec outer) {
      return s.models();
    }

    @Override
    public List<Column> columns() {
      return List.of(string("model"));
    }

    @Override
    public List<Object> cells(ModelEntry m) {
      return List.of(m.name());
    }

    @Override
    public void id(ModelEntry m, List<String> key) {
      key.add(m.name());
    }

    @Override
    public void configure(ModelEntry m, DeploymentSpec d, ProbeConfig c) {
      c.model(m.name());
    }
  }

  private static final class Cluster extends BuiltIn<ClusterEntry> {
    Cluster() {
      super("clusters");
    }

    @Override
    public List<ClusterEntry> values(SearchSpace s, DeploymentSpec outer) {
      var l = layout(outer);
      if (l != null) {
        return List.of(
            new ClusterEntry(
                l.prefill().sku(),
                l.prefill().node(),
                l.gpus() == null ? l.totalGpus() : l.gpus()));
      }
      return s.clusters();
    }

    @Override
    public List<Column> columns() {
      return List.of(string("sku"), string("node"));
    }

    @Override
    public List<Object> cells(ClusterEntry c) {
      return List.of(c.sku(), c.node());
    }

    @Override
    public void id(ClusterEntry c, List<String> key) {
      key.add(c.sku());
      key.add(c.node());
    }

    @Override
    public void configure(ClusterEntry c, DeploymentSpec d, ProbeConfig config) {
      if (layout(d) != null) {
        return;
      }
      config.sku(c.sku()).node(c.node());
    }
  }

  /** Tensor or pipeline parallelism. */
  private static final class Parallel extends BuiltIn<Integer> {
    private final String column;

    Parallel(String key, String column) {
      super(key);
      this.column = column;
    }

    @Override
    public List<Integer> values(SearchSpace s, DeploymentSpec outer) {
      var l = layout(outer);
      if (l != null) {
        return List.of(column.equals("tp") ? l.prefill().tp() : l.prefill().pp());
      }
      return column.equals("tp") ? s.tensorParallel() : s.pipelineParallel();
    }

    @Override
    public List<Column> columns() {
      return List.of(integer(column, false));
    }

    @Override
    public List<Object> cells(Integer v) {
      return List.of(v);
    }

    @Override
    public void id(Integer v, List<String> key) {
      key.add(column + v);
    }

    @Override
    public void configure(Integer v, DeploymentSpec d, ProbeConfig c) {
      if (layout(d) != null) {
        return;
      }
      if (column.equals("tp")) {
        c.tensorParallel(v);
      } else {
        c.pipelineParallel(v);
      }
    }
  }

  /**
   * Replica counts: the most the cluster's GPU budget holds at this TP × PP (at least 1, so that a
   * replica too big for the budget is reported as such), or each explicit count.
   */
  private static final class Replicas extends BuiltIn<Integer> {
    Replicas() {
      super("replicas");
    }

    @Override
    public List<Integer> values(SearchSpace s, DeploymentSpec outer) {
      var l = layout(outer);
      if (l != null) {
        return List.of(l.prefill().replicas());
      }
      if (s.replicas() != null) {
        return s.replicas();
      }
      int perReplica = outer.tp() * outer.pp();
      return List.of(Math.max(1, outer.get(CLUSTER).gpus() / perReplica));
    }

    @Override
    public List<Column> columns() {
      return List.of(integer("replicas", false));
    }

    @Override
    public List<Object> cells(Integer v) {
      return List.of(v);
    }

    @Override
    public void id(Integer v, List<String> key) {
      key.add("r" + v);
    }

    @Override
    public void configure(Integer v, DeploymentSpec d, ProbeConfig c) {
      if (layout(d) == null) {
        c.replicas(v);
      }
    }
  }

  private static final class Scheduler extends BuiltIn<SchedulerEntry> {
    Scheduler() {
      super("schedulers");
    }

    @Override
    public List<SchedulerEntry> values(SearchSpace s, DeploymentSpec outer) {
      return s.schedulers();
    }

    @Override
    public List<Column> columns() {
      return List.of(string("scheduler"));
    }

    @Override
    public List<Object> cells(SchedulerEntry e) {
      return List.of(e.type());
    }

    @Override
    public void id(SchedulerEntry e, List<String> key) {
      key.add(e.type());
    }

    @Override
    public void configure(SchedulerEntry e, DeploymentSpec d, ProbeConfig c) {
      c.scheduler(e.type());
    }
  }

  /** A scheduler's chunk size or token budget: the scheduler entry's list, or null (default). */
  private static final class SchedulerKnob extends BuiltIn<Integer> {
    private final String prefix;

    SchedulerKnob(String key, String prefix) {
      super(key);
      this.prefix = prefix;
    }

    private boolean chunk() {
      return prefix.equals("cs");
    }

    @Override
    public List<Integer> values(SearchSpace s, DeploymentSpec outer) {
      SchedulerEntry e = outer.get(SCHEDULER);
      return orNull(chunk() ? e.chunkSizes() : e.maxTokensInBatch());
    }

    @Override
    public List<Column> columns() {
      return List.of(integer(chunk() ? "chunk_size" : "max_tokens_in_batch", true));
    }

    @Override
    public List<Object> cells(Integer v) {
      return Collections.singletonList(v);
    }

    /** Always in the key, "null" included (as the ids have always been). */
    @Override
    public void id(Integer v, List<String> key) {
      key.add(prefix + v);
    }

    @Override
    public void configure(Integer v, DeploymentSpec d, ProbeConfig c) {
      if (chunk()) {
        c.chunkSize(v == null ? 512 : v);
      } else {
        c.maxTokensInBatch(v == null ? d.workload().maxTokens() : v);
      }
    }
  }

  /** The cap per micro-batch, as in the reference search (the replica's cap is that times PP). */
  private static final class BatchSizeCap extends BuiltIn<Integer> {
    BatchSizeCap() {
      super("batch_size_caps");
    }

    @Override
    public List<Integer> values(SearchSpace s, DeploymentSpec outer) {
      return s.batchSizeCaps();
    }

    @Override
    public List<Column> columns() {
      return List.of(integer("batch_size_cap", false));
    }

    @Override
    public List<Object> cells(Integer v) {
      return List.of(v);
    }

    @Override
    public void id(Integer v, List<String> key) {
      key.add("bs" + v);
    }

    @Override
    public void configure(Integer v, DeploymentSpec d, ProbeConfig c) {
      c.batchSizeCap((long) v * d.pp());
    }
  }

  private static final class Workload extends BuiltIn<WorkloadEntry> {
    Workload() {
      super("workloads");
    }

    @Override
    public List<WorkloadEntry> values(SearchSpace s, DeploymentSpec outer) {
      return s.workloads();
    }

    @Override
    public List<Column> columns() {
      return List.of(string("workload"));
    }

    /** Next to the model, as the datasets are partitioned by model and workload. */
    @Override
    public String columnsAfter() {
      return "model";
    }

    @Override
    public List<Object> cells(WorkloadEntry w) {
      return List.of(w.name());
    }

    /** The whole entry (its record text), so that a changed length or count is a new id. */
    @Override
    public void id(WorkloadEntry w, List<String> key) {
      key.add(w.idText());
    }

    /** Lengths and max tokens; the request count and rate belong to the probe. */
    @Override
    public void configure(WorkloadEntry w, DeploymentSpec d, ProbeConfig c) {
      c.maxTokens(w.maxTokens());
      if (w.sessions() != null) {
        c.sessions(w.sessions());
      } else if (w.preset() != null) {
        c.preset(w.preset());
      } else if (w.traceFile() != null) {
        c.traceLengths(c.baseDir().resolve(w.traceFile()).toAbsolutePath());
      } else {
        c.fixedLengths(w.prefillTokens(), w.decodeTokens());
      }
    }
  }

  /** A speculative-decoding setting; null (plain decoding) adds nothing to the id. */
  private static final class Speculative extends BuiltIn<SpeculativeEntry> {
    Speculative() {
      super("speculative");
    }

    @Override
    public List<SpeculativeEntry> values(SearchSpace s, DeploymentSpec outer) {
      List<SpeculativeEntry> out = new ArrayList<>();
      for (SpeculativeEntry e : orNull(s.speculative())) {
        out.add(e != null && e.speculates() ? e : null);
      }
      return out;
    }

    @Override
    public List<Column> columns() {
      return List.of(
          string("speculative_method"),
          integer("num_speculative_tokens", true),
          new Column("acceptance_rate", Double.class, true));
    }

    @Override
    public List<Object> cells(SpeculativeEntry e) {
      return e == null
          ? Arrays.asList(null, null, null)
          : List.of(e.method(), e.numSpeculativeTokens(), e.acceptanceRate());
    }

    @Override
    public void id(SpeculativeEntry e, List<String> key) {
      if (e != null) {
        key.add(e.toString());
      }
    }

    @Override
    public void configure(SpeculativeEntry e, DeploymentSpec d, ProbeConfig c) {
      if (e != null) {
        c.speculative(e.method(), e.draftModel(), e.numSpeculativeTokens(), e.acceptanceRate());
      }
    }
  }
}
