package io.llmcap.search;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmcap.search.SearchSpace.ClusterEntry;
import io.llmcap.search.SearchSpace.ModelEntry;
import io.llmcap.search.SearchSpace.PredictorEntry;
import io.llmcap.search.SearchSpace.SpeculativeEntry;
import io.llmcap.search.SearchSpace.WorkloadEntry;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * One point of a search space: a value for each of the search's {@link Dimensions}, and the id
 * derived from them. The accessors of the built-in dimensions ({@link #tp()}, {@link #workload()},
 * ...) are shortcuts for {@link #get}. {@code batchSizeCap} is per micro-batch, as in the reference
 * search (the replica's cap is that times PP). {@code speculative} is null for plain decoding.
 */
public final class DeploymentSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String id;
  private final Dimensions dimensions;
  private final Object[] values;

  private DeploymentSpec(String id, Dimensions dimensions, Object[] values) {
    this.id = id;
    this.dimensions = dimensions;
    this.values = values;
  }

  /**
   * The deployment with these values (one per dimension, in the dimensions' order). Its id is the
   * first 12 hex digits of the SHA-1 of the dimensions' key parts joined with '|'.
   */
  public static DeploymentSpec of(Dimensions dimensions, List<?> values) {
    if (values.size() != dimensions.all().size()) {
      throw new IllegalArgumentException(
          values.size() + " values for " + dimensions.all().size() + " dimensions");
    }
    Object[] v = values.toArray();
    List<String> key = new ArrayList<>();
    for (int i = 0; i < v.length; i++) {
      id(dimensions.all().get(i), v[i], key);
    }
    return new DeploymentSpec(sha1(String.join("|", key)).substring(0, 12), dimensions, v);
  }

  /** The outer values of an expansion in progress (no id; the later values unset). */
  static DeploymentSpec partial(Dimensions dimensions, Object[] values) {
    return new DeploymentSpec(null, dimensions, values);
  }

  public String id() {
    return id;
  }

  public Dimensions dimensions() {
    return dimensions;
  }

  /** The value of dimension {@code d}. */
  @SuppressWarnings("unchecked")
  public <V> V get(Dimension<V> d) {
    int i = dimensions.indexOf(d);
    if (i < 0) {
      throw new IllegalArgumentException("no dimension " + d.key() + " in this search");
    }
    return (V) values[i];
  }

  public ModelEntry modelEntry() {
    return get(Dimensions.MODEL);
  }

  public String model() {
    return modelEntry().name();
  }

  public ClusterEntry cluster() {
    return get(Dimensions.CLUSTER);
  }

  public String sku() {
    return cluster().sku();
  }

  public String node() {
    return cluster().node();
  }

  public int tp() {
    return get(Dimensions.TP);
  }

  public int pp() {
    return get(Dimensions.PP);
  }

  public int replicas() {
    return get(Dimensions.REPLICAS);
  }

  public String scheduler() {
    return get(Dimensions.SCHEDULER).type();
  }

  public Integer chunkSize() {
    return get(Dimensions.CHUNK_SIZE);
  }

  public Integer maxTokensInBatch() {
    return get(Dimensions.MAX_TOKENS_IN_BATCH);
  }

  public int batchSizeCap() {
    return get(Dimensions.BATCH_SIZE_CAP);
  }

  public WorkloadEntry workload() {
    return get(Dimensions.WORKLOAD);
  }

  public SpeculativeEntry speculative() {
    return get(Dimensions.SPECULATIVE);
  }

  /** The disaggregated layout, or null for an aggregated deployment. */
  public DisaggregationDimension.Layout layout() {
    return DisaggregationDimension.of(this);
  }

  /** All GPUs: replicas × TP × PP, or both pools' of a disaggregated layout. */
  public int gpus() {
    DisaggregationDimension.Layout l = layout();
    return l != null ? l.totalGpus() : replicas() * tp() * pp();
  }

  /** Requests simulated by a probe at {@code qps}: at least {@code min_duration} of arrivals. */
  public long requests(double qps) {
    WorkloadEntry w = workload();
    return Math.max(w.requests(), (long) Math.ceil(qps * w.minDuration()));
  }

  /** The dimensions' result cells, in {@link Dimensions#columns()} order. */
  public List<Object> cells() {
    List<Object> out = new ArrayList<>();
    for (Dimension<?> d : dimensions.columnOrder()) {
      out.addAll(cells(d, values[dimensions.indexOf(d)]));
    }
    return out;
  }

  /**
   * The simulation config of one probe at {@code qps}: what every probe sets (name, seed, the
   * request count and Poisson rate, predictor, round-robin routing, no per-batch outputs), then
   * what each dimension's value sets.
   */
  public ObjectNode toConfig(double qps, long seed, PredictorEntry predictor, Path baseDir) {
    ProbeConfig c =
        new ProbeConfig(baseDir)
            .name(id)
            .seed(seed)
            .router("round_robin")
            .numRequests(requests(qps))
            .poisson(qps)
            .predictor(predictor.type())
            .batchMetrics(false, false);
    if (predictor.profiles() != null) {
      c.predictorProfiles(baseDir.resolve(predictor.profiles()).toAbsolutePath());
    }
    for (int i = 0; i < values.length; i++) {
      configure(dimensions.all().get(i), values[i], c);
    }
    return c.tree();
  }

  @SuppressWarnings("unchecked")
  private static <V> void id(Dimension<V> d, Object value, List<String> key) {
    d.id((V) value, key);
  }

  @SuppressWarnings("unchecked")
  private static <V> List<Object> cells(Dimension<V> d, Object value) {
    return d.cells((V) value);
  }

  @SuppressWarnings("unchecked")
  private <V> void configure(Dimension<V> d, Object value, ProbeConfig c) {
    d.configure((V) value, this, c);
  }

  @SuppressWarnings("unchecked")
  static <V> String describe(Dimension<V> d, Object value) {
    return d.describe((V) value);
  }

  /** The number of values (of a partial point too). */
  int size() {
    return values.length;
  }

  /** The value of the dimension at {@code index}. */
  Object value(int index) {
    return values[index];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeploymentSpec d
        && Objects.equals(id, d.id)
        && Arrays.equals(values, d.values);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, Arrays.hashCode(values));
  }

  @Override
  public String toString() {
    return "DeploymentSpec[" + id + ", " + Arrays.toString(values) + "]";
  }

  private static String sha1(String s) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
