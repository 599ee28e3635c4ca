package io.llmcap.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.llmcap.catalog.Catalog;
import io.llmcap.search.ResultColumns.Column;
import java.io.Serializable;
import java.util.List;

/**
 * One axis of a search space (models, clusters, TP, a scheduler's chunk sizes, workloads, ...):
 * where its values come from, the result columns it fills, what it adds to the deployment id and
 * what it sets on a probe's run config. {@link Expansion} takes the cartesian product of the
 * dimensions {@link Dimensions} registers, in their order; nothing else in the search knows a
 * dimension by name. Implementations are stateless and serializable (Spark ships deployments, which
 * name their dimensions).
 *
 * <p>A new dimension reads its own search-config key: {@link #parse} reads and validates the values
 * (errors name the field), and the values are kept in {@link SearchSpace#dimensions()}. The
 * built-in dimensions read the typed fields of {@link SearchSpace} instead (validated by {@link
 * SearchSpaces}), so that search configs and {@code search.yml} keep their shape.
 *
 * @param <V> the type of one value
 */
public interface Dimension<V> extends Serializable {

  /** The search-config key the values come from, e.g. {@code tensor_parallel}. */
  String key();

  /**
   * The values to try, given the values of the dimensions before this one in {@code outer} (the
   * later ones are unset), so that a value list may depend on an outer choice (a scheduler's chunk
   * sizes, the replicas a cluster's budget holds). A null value is allowed: "not set".
   */
  @SuppressWarnings("unchecked")
  default List<V> values(SearchSpace space, DeploymentSpec outer) {
    Object parsed = space.dimensions() == null ? null : space.dimensions().get(key());
    return parsed == null ? parse(MissingNode.getInstance(), key()) : (List<V>) parsed;
  }

  /**
   * Reads and validates the values written under {@link #key()} ({@code node} is missing when the
   * key is absent: return the default values, e.g. a single null that changes nothing); {@code
   * field} is the key as errors name it. Only a dimension that owns its key implements this.
   */
  default List<V> parse(JsonNode node, String field) {
    throw new UnsupportedOperationException(key() + " is a field of SearchSpace");
  }

  /**
   * Checks the parsed values against the catalog (names of SKUs, node types, ...), once per search
   * before it expands; {@code field} is the key as errors name it. Only for a dimension that owns
   * its key.
   */
  default void check(List<V> values, Catalog catalog, String field) {}

  /** Whether {@link #parse} reads this dimension's key (false: a {@link SearchSpace} field). */
  default boolean ownsKey() {
    return true;
  }

  /** The result columns this dimension fills, in order: name, type, nullability. */
  List<Column> columns();

  /** The column this dimension's columns follow; null: after the previous dimension's. */
  default String columnsAfter() {
    return null;
  }

  /** One cell per column for {@code value} (null for an empty cell). */
  List<Object> cells(V value);

  /**
   * Adds this value's parts to the deployment id's key (joined with '|' and hashed). A new
   * dimension adds nothing for its default value, so that existing ids stay as they are.
   */
  void id(V value, List<String> key);

  /** Sets what {@code value} decides on a probe's run config; {@code d} gives the other values. */
  void configure(V value, DeploymentSpec d, ProbeConfig config);

  /** Text for the description of a skipped combination; null: nothing. */
  default String describe(V value) {
    return value == null ? null : key() + " " + value;
  }
}
