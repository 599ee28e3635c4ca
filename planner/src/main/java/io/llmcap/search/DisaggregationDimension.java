package io.llmcap.search;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmcap.base.ConfigException;
import io.llmcap.base.Yaml;
import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.NodeSku;
import io.llmcap.search.ResultColumns.Column;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Disaggregated prefill/decode layouts beside the aggregated deployments: the search config's
 * {@code disaggregation} block lists prefill and decode pool options (SKU and node, TP and PP
 * lists, expert parallelism on/off), ratios {@code xPyD} and a GPU budget (in total or per pool).
 * Its values are null (an aggregated deployment, unless {@code aggregated: false}) and one {@link
 * Layout} per prefill shape × decode shape × ratio, in that order (ratios innermost). With a
 * budget, a ratio is scaled up to the most replicas that fit ({@code k·x} prefill and {@code k·y}
 * decode replicas for the largest k); without one, it is x and y replicas.
 *
 * <p>Registered right after the model (not last): the shape dimensions (cluster, TP, PP, replicas,
 * expert parallelism) take a single value from a layout's prefill pool, so they must come after it.
 * Null adds nothing to the id, so aggregated deployments keep their ids and order. No columns of
 * its own: what ran (layout, the pools, the transfer metrics) is appended to every row by {@link
 * DeploymentMetrics}.
 */
final class DisaggregationDimension implements Dimension<DisaggregationDimension.Layout> {
  private static final long serialVersionUID = 1L;

  /** The routers of the run config's contract, per pool. */
  static final List<String> PREFILL_ROUTERS = List.of("round_robin", "random", "lor");

  static final List<String> DECODE_ROUTERS = List.of("round_robin", "lor", "free_kv");

  private static final Pattern RATIO = Pattern.compile("([1-9][0-9]*)P([1-9][0-9]*)D");

  /** One pool's shape: SKU, node type, TP, PP, expert parallelism (EP = TP when on), replicas. */
  public record Pool(String sku, String node, int tp, int pp, boolean ep, int replicas)
      implements Serializable {

    public int gpus() {
      return replicas * tp * pp;
    }

    /** The expert-parallel degree: TP × DP (DP is 1 in a search) when on, else 1. */
    public int epDegree() {
      return ep ? tp : 1;
    }

    /** "h100 TP4 PP1" (and " EP4"): the shape of one replica. */
    String shape() {
      return sku + " TP" + tp + (ep ? " EP" + tp : "") + " PP" + pp;
    }

    String key() {
      return sku + "/" + node + "/tp" + tp + "/pp" + pp + (ep ? "/ep" : "") + "/r" + replicas;
    }
  }

  /**
   * A disaggregated deployment: its pools, the ratio it came from ({@code 1P2D}), the routers, and
   * the GPU budgets it was sized against (null: none).
   */
  public record Layout(
      String ratio,
      Pool prefill,
      Pool decode,
      String prefillRouter,
      String decodeRouter,
      Integer gpus,
      Integer prefillGpus,
      Integer decodeGpus)
      implements Serializable {

    public int totalGpus() {
      return prefill.gpus() + decode.gpus();
    }

    /** "2P4D": the replicas that run. */
    public String xPyD() {
      return prefill.replicas() + "P" + decode.replicas() + "D";
    }

    /** Why the layout does not fit its budgets, or null; led by the budget's key. */
    String overBudget() {
      String shapes = xPyD() + " of " + prefill.shape() + " and " + decode.shape() + " needs ";
      if (gpus != null && totalGpus() > gpus) {
        return "disaggregation.gpus: "
            + shapes
            + totalGpus()
            + " GPUs, more than the budget of "
            + gpus;
      }
      if (prefillGpus != null && prefill.gpus() > prefillGpus) {
        return "disaggregation.prefill_gpus: "
            + shapes
            + prefill.gpus()
            + " prefill GPUs, more than the prefill budget of "
            + prefillGpus;
      }
      if (decodeGpus != null && decode.gpus() > decodeGpus) {
        return "disaggregation.decode_gpus: "
            + shapes
            + decode.gpus()
            + " decode GPUs, more than the decode budget of "
            + decodeGpus;
      }
      return null;
    }
  }

  /** One pool option as written: lists multiply. */
  record PoolOption(
      String sku,
      String node,
      List<Integer> tensorParallel,
      List<Integer> pipelineParallel,
      List<Boolean> expertParallel) {}

  /** The block as written. */
  record Block(
      Boolean aggregated,
      List<PoolOption> prefill,
      List<PoolOption> decode,
      List<String> ratios,
      Integer gpus,
      Integer prefillGpus,
      Integer decodeGpus,
      String prefillRouter,
      String decodeRouter) {}

  @Override
  public String key() {
    return "disaggregation";
  }

  @Override
  public List<Layout> parse(JsonNode node, String field) {
    if (node.isMissingNode() || node.isNull()) {
      return Collections.singletonList(null);
    }
    if (!node.isObject()) {
      throw new ConfigException(
          field,
          "expected a mapping with prefill, decode, ratios and optionally gpus, prefill_gpus,"
              + " decode_gpus, prefill_router, decode_router, aggregated");
    }
    Block b = Yaml.bind(node, Block.class, field);
    List<PoolOption> prefill = options(b.prefill(), field + ".prefill");
    List<PoolOption> decode = options(b.decode(), field + ".decode");
    if (b.ratios() == null || b.ratios().isEmpty()) {
      throw new ConfigException(
          field + ".ratios", "must be a non-empty list of xPyD ratios, e.g. [1P1D, 1P2D, 2P1D]");
    }
    List<int[]> ratios = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < b.ratios().size(); i++) {
      String r = b.ratios().get(i);
      Matcher m = r == null ? null : RATIO.matcher(r);
      if (m == null || !m.matches()) {
        throw ConfigException.invalid(
            field + ".ratios[" + i + "]",
            r,
            "xPyD: x prefill and y decode replicas (≥ 1), e.g. 1P1D, 1P2D, 2P1D");
      }
      if (!seen.add(r)) {
        throw new ConfigException(field + ".ratios", "lists " + r + " twice");
      }
      ratios.add(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
    }
    budget(b.gpus(), field + ".gpus");
    budget(b.prefillGpus(), field + ".prefill_gpus");
    budget(b.decodeGpus(), field + ".decode_gpus");
    String pr = b.prefillRouter() == null ? "round_robin" : b.prefillRouter();
    String dr = b.decodeRouter() == null ? "free_kv" : b.decodeRouter();
    if (!PREFILL_ROUTERS.contains(pr)) {
      throw ConfigException.unknown(field + ".prefill_router", "router", pr, PREFILL_ROUTERS);
    }
    if (!DECODE_ROUTERS.contains(dr)) {
      throw ConfigException.unknown(field + ".decode_router", "router", dr, DECODE_ROUTERS);
    }
    List<Layout> out = new ArrayList<>();
    if (b.aggregated() == null || b.aggregated()) {
      out.add(null);
    }
    for (Pool p : shapes(prefill)) {
      for (Pool d : shapes(decode)) {
        for (int i = 0; i < ratios.size(); i++) {
          out.add(layout(b, b.ratios().get(i), ratios.get(i), p, d, pr, dr));
        }
      }
    }
    return out;
  }

  /**
   * The layout of ratio xPyD: x and y replicas, or with a budget the largest multiple k·x, k·y that
   * fits every budget (k = 1 when none fits: then the expansion skips it, saying why).
   */
  private static Layout layout(
      Block b, String name, int[] xy, Pool p, Pool d, String pr, String dr) {
    int k = Integer.MAX_VALUE;
    if (b.gpus() != null) {
      k = Math.min(k, b.gpus() / (xy[0] * p.gpus() + xy[1] * d.gpus()));
    }
    if (b.prefillGpus() != null) {
      k = Math.min(k, b.prefillGpus() / (xy[0] * p.gpus()));
    }
    if (b.decodeGpus() != null) {
      k = Math.min(k, b.decodeGpus() / (xy[1] * d.gpus()));
    }
    k = k == Integer.MAX_VALUE ? 1 : Math.max(1, k);
    return new Layout(
        name,
        withReplicas(p, k * xy[0]),
        withReplicas(d, k * xy[1]),
        pr,
        dr,
        b.gpus(),
        b.prefillGpus(),
        b.decodeGpus());
  }

  private static Pool withReplicas(Pool p, int replicas) {
    return new Pool(p.sku(), p.node(), p.tp(), p.pp(), p.ep(), replicas);
  }

  /** The one-replica shapes of the options: each option × TP × PP × EP, EP on only when TP > 1. */
  private static List<Pool> shapes(List<PoolOption> options) {
    List<Pool> out = new ArrayList<>();
    for (PoolOption o : options) {
      for (int tp : o.tensorParallel()) {
        for (int pp : o.pipelineParallel()) {
          for (boolean ep : o.expertParallel()) {
            Pool s = new Pool(o.sku(), o.node(), tp, pp, ep && tp > 1, 1);
            if (!out.contains(s)) {
              out.add(s);
            }
          }
        }
      }
    }
    return out;
  }

  private static List<PoolOption> options(List<PoolOption> raw, String field) {
    if (raw == null || raw.isEmpty()) {
      throw new ConfigException(
          field,
          "must be a non-empty list of pool options {sku, node, tensor_parallel: [..],"
              + " pipeline_parallel: [..], expert_parallel: [false, true]}");
    }
    List<PoolOption> out = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      PoolOption o = raw.get(i);
      String f = field + "[" + i + "]";
      if (o == null || o.sku() == null || o.node() == null) {
        throw new ConfigException(f, "needs sku and node (and optionally tensor_parallel lists)");
      }
      out.add(
          new PoolOption(
              o.sku(),
              o.node(),
              positives(o.tensorParallel(), f + ".tensor_parallel"),
              positives(o.pipelineParallel(), f + ".pipeline_parallel"),
              booleans(o.expertParallel(), f + ".expert_parallel")));
    }
    return out;
  }

  private static List<Integer> positives(List<Integer> list, String field) {
    if (list == null) {
      return List.of(1);
    }
    if (list.isEmpty()) {
      throw new ConfigException(field, "must be a non-empty list");
    }
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      Integer v = list.get(i);
      if (v == null || v < 1) {
        throw ConfigException.invalid(field + "[" + i + "]", v, "an integer ≥ 1");
      }
      if (!seen.add(v)) {
        throw new ConfigException(field, "lists " + v + " twice");
      }
    }
    return List.copyOf(list);
  }

  private static List<Boolean> booleans(List<Boolean> list, String field) {
    if (list == null) {
      return List.of(false);
    }
    if (list.isEmpty() || list.contains(null)) {
      throw new ConfigException(field, "must be a non-empty list of true/false");
    }
    if (new HashSet<>(list).size() < list.size()) {
      throw new ConfigException(field, "lists " + list.get(0) + " twice");
    }
    return List.copyOf(list);
  }

  private static void budget(Integer gpus, String field) {
    if (gpus != null && gpus < 1) {
      throw ConfigException.invalid(field, gpus, "a GPU budget ≥ 1");
    }
  }

  /** Pool SKUs and node types are catalog names, and each node type holds its SKU. */
  @Override
  public void check(List<Layout> values, Catalog catalog, String field) {
    for (Layout l : values) {
      if (l == null) {
        continue;
      }
      for (Pool p : List.of(l.prefill(), l.decode())) {
        String f = field + "." + (p == l.prefill() ? "prefill" : "decode");
        catalog.sku(p.sku(), f + ".sku");
        NodeSku node = catalog.node(p.node(), f + ".node");
        if (!node.sku().equals(p.sku())) {
          throw ConfigException.invalid(
              f + ".node",
              p.node(),
              "a node type with "
                  + p.sku()
                  + " GPUs: "
                  + String.join(
                      ", ",
                      catalog.nodes().values().stream()
                          .filter(n -> n.sku().equals(p.sku()))
                          .map(NodeSku::name)
                          .toList()));
        }
      }
    }
  }

  @Override
  public List<Column> columns() {
    return List.of();
  }

  @Override
  public List<Object> cells(Layout l) {
    return List.of();
  }

  /** Null (aggregated) adds nothing; a layout adds its pools' shapes, replicas and routers. */
  @Override
  public void id(Layout l, List<String> key) {
    if (l != null) {
      key.add("disagg");
      key.add("P=" + l.prefill().key());
      key.add("D=" + l.decode().key());
      key.add(l.prefillRouter() + "/" + l.decodeRouter());
    }
  }

  /**
   * The run config's {@code cluster.disaggregation} block: both pools (each pool's batch cap is the
   * search's per-micro-batch cap times its PP, as for an aggregated replica), and the routers. The
   * cluster's own shape keys stay at their defaults.
   */
  @Override
  public void configure(Layout l, DeploymentSpec d, ProbeConfig config) {
    if (l != null) {
      config.disaggregation(
          pool(l.prefill(), d), pool(l.decode(), d), l.prefillRouter(), l.decodeRouter());
    }
  }

  private static ProbeConfig.PoolSettings pool(Pool p, DeploymentSpec d) {
    return new ProbeConfig.PoolSettings(
        p.sku(),
        p.node(),
        p.tp(),
        p.pp(),
        p.epDegree(),
        p.replicas(),
        (long) d.batchSizeCap() * p.pp());
  }

  @Override
  public String describe(Layout l) {
    return l == null
        ? null
        : "disaggregated "
            + l.xPyD()
            + " prefill "
            + l.prefill().replicas()
            + "x "
            + l.prefill().shape()
            + ", decode "
            + l.decode().replicas()
            + "x "
            + l.decode().shape()
            + " ("
            + l.prefillRouter()
            + "/"
            + l.decodeRouter()
            + ")";
  }

  /** The layout of {@code d}, or null (aggregated, or a search without this dimension). */
  static Layout of(DeploymentSpec d) {
    int i = d.dimensions().indexOf(Dimensions.DISAGGREGATION);
    return i < 0 || i >= d.size() ? null : (Layout) d.value(i);
  }
}
