package io.llmcap.search;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.NodeSku;
import io.llmcap.config.SimulationConfig;
import io.llmcap.config.SimulationConfig.PredictorConfig;
import io.llmcap.engine.Simulation;
import io.llmcap.predictors.Predictors;
import io.llmcap.predictors.profile.ProfileFolder;
import io.llmcap.search.SearchSpace.ClusterEntry;
import io.llmcap.setup.ConfigLoader;
import io.llmcap.workload.Workloads;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The cartesian product of a search space, split into deployments to search and combinations that
 * cannot run, each with the reason (checked by the same validation a simulation runs).
 */
public record Expansion(List<DeploymentSpec> deployments, List<Skipped> skipped) {

  /** A combination left out, and why. */
  public record Skipped(String description, String reason) {}

  /**
   * Expands the space over the {@link Dimensions#DEFAULT} dimensions. Mistakes that concern every
   * deployment (an unknown name, a broken workload or trace file) throw a {@link ConfigException}
   * whose field is the search config's path; combinations that cannot run are skipped with the
   * reason.
   */
  public static Expansion of(SearchSpace s, Catalog catalog, Path baseDir) {
    return of(s, catalog, baseDir, Dimensions.DEFAULT);
  }

  /**
   * Expands the space over {@code dimensions}: their cartesian product, in their order (the first
   * outermost), each combination either a deployment to search or skipped with the reason.
   */
  public static Expansion of(SearchSpace s, Catalog catalog, Path baseDir, Dimensions dimensions) {
    validate(s, catalog, baseDir, dimensions);
    List<DeploymentSpec> out = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    Set<String> workloadsRead = new HashSet<>();
    Set<String> ids = new HashSet<>();
    product(
        s,
        dimensions,
        0,
        new Object[dimensions.all().size()],
        d -> {
          // a reason that holds for every scheduler, cap and workload of this shape: still one
          // skipped row per combination, so the counts add up to the product
          String shapeReason = shapeReason(d, s);
          String reason =
              shapeReason != null
                  ? shapeReason
                  : !ids.add(d.id())
                      ? "the same deployment as an earlier combination"
                      : check(d, s, catalog, baseDir, workloadsRead);
          if (reason == null) {
            out.add(d);
          } else {
            skipped.add(new Skipped(describe(d), reason));
          }
        });
    return new Expansion(List.copyOf(out), List.copyOf(skipped));
  }

  /**
   * Every combination of the dimensions' values, in expansion order, before any check: what {@link
   * #of} sorts into deployments and skips.
   */
  static List<DeploymentSpec> points(SearchSpace s, Dimensions dimensions) {
    List<DeploymentSpec> out = new ArrayList<>();
    product(s, dimensions, 0, new Object[dimensions.all().size()], out::add);
    return out;
  }

  /** Calls {@code each} for every combination of the values of dimensions {@code at} onwards. */
  private static void product(
      SearchSpace s,
      Dimensions dimensions,
      int at,
      Object[] values,
      Consumer<DeploymentSpec> each) {
    if (at == values.length) {
      each.accept(DeploymentSpec.of(dimensions, Arrays.asList(values.clone())));
      return;
    }
    Dimension<?> dim = dimensions.all().get(at);
    for (Object v : dim.values(s, DeploymentSpec.partial(dimensions, values))) {
      values[at] = v;
      product(s, dimensions, at + 1, values, each);
    }
    values[at] = null;
  }

  /**
   * Why a deployment's shape cannot run whatever its other settings: a TP the model excludes, or
   * replicas that need more GPUs than the cluster's budget.
   */
  static String shapeReason(DeploymentSpec d, SearchSpace s) {
    DisaggregationDimension.Layout l = d.layout();
    if (l != null) {
      for (var p : List.of(l.prefill(), l.decode())) {
        if (d.modelEntry().excludeTp().contains(p.tp())) {
          return "TP" + p.tp() + " excluded for this model";
        }
      }
      return l.overBudget();
    }
    if (d.modelEntry().excludeTp().contains(d.tp())) {
      return "TP" + d.tp() + " excluded for this model";
    }
    ClusterEntry c = d.cluster();
    if (d.gpus() > c.gpus()) {
      return (s.replicas() == null ? "a replica needs " : d.replicas() + " replicas need ")
          + d.gpus()
          + " GPUs, more than the cluster's budget of "
          + c.gpus();
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  private static <V> void check(Dimension<V> d, List<Object> values, Catalog catalog) {
    d.check((List<V>) (List<?>) values, catalog, d.key());
  }

  /** The names and files every deployment uses, checked once with the search config's paths. */
  private static void validate(
      SearchSpace s, Catalog catalog, Path baseDir, Dimensions dimensions) {
    for (Dimension<?> d : dimensions.all()) {
      if (d.ownsKey() && s.dimensions() != null && s.dimensions().containsKey(d.key())) {
        check(d, s.dimensions().get(d.key()), catalog);
      }
    }
    for (int i = 0; i < s.models().size(); i++) {
      catalog.model(s.models().get(i).name(), "models[" + i + "].name");
    }
    for (int i = 0; i < s.clusters().size(); i++) {
      ClusterEntry c = s.clusters().get(i);
      String f = "clusters[" + i + "]";
      catalog.sku(c.sku(), f + ".sku");
      NodeSku node = catalog.node(c.node(), f + ".node");
      if (!node.sku().equals(c.sku())) {
        throw ConfigException.invalid(
            f + ".node",
            c.node(),
            "a node type with "
                + c.sku()
                + " GPUs: "
                + String.join(
                    ", ",
                    catalog.nodes().values().stream()
                        .filter(n -> n.sku().equals(c.sku()))
                        .map(NodeSku::name)
                        .toList()));
      }
    }
    catalog.priceBook(s.priceBook(), "price_book");
    Predictors.check(new PredictorConfig(s.predictor().type(), s.predictor().profiles()));
    if (s.predictor().profiles() != null) {
      List<Path> roots = new ArrayList<>();
      for (String r : s.predictor().profiles().split(File.pathSeparator)) {
        roots.add(baseDir.resolve(r));
      }
      ProfileFolder.overlay(roots);
    }
    for (int i = 0; i < s.workloads().size(); i++) {
      String trace = s.workloads().get(i).traceFile();
      if (trace != null && !Files.isRegularFile(baseDir.resolve(trace))) {
        throw new ConfigException(
            "workloads[" + i + "].trace_file",
            "file '"
                + baseDir.resolve(trace)
                + "' does not exist; allowed: a CSV with num_prefill_tokens,num_decode_tokens"
                + " columns, relative to the search config's folder");
      }
      var sessions = s.workloads().get(i).sessions();
      if (sessions != null
          && sessions.file() != null
          && !Files.isRegularFile(baseDir.resolve(sessions.file()))) {
        throw new ConfigException(
            "workloads[" + i + "].sessions.file",
            "file '"
                + baseDir.resolve(sessions.file())
                + "' does not exist; allowed: an llmcap session file (docs/sessions.md), relative"
                + " to the search config's folder");
      }
    }
  }

  /**
   * Null when the deployment can run, else why not. Only a cluster or scheduler setting makes one
   * deployment impossible; any other mistake (workload, trace file, predictor) is the user's for
   * every deployment and is thrown, naming the workload. Each workload's rows are read once.
   */
  private static String check(
      DeploymentSpec d, SearchSpace s, Catalog catalog, Path baseDir, Set<String> workloadsRead) {
    try {
      SimulationConfig c =
          ConfigLoader.bind(d.toConfig(d.workload().startQps(), s.seed(), s.predictor(), baseDir));
      Simulation.prepare(c, catalog, baseDir);
      if (workloadsRead.add(d.workload().name())) {
        Workloads.source(c.workload(), s.seed(), baseDir);
      }
      return null;
    } catch (ConfigException e) {
      if (e.field().startsWith("cluster.") || e.field().startsWith("scheduler.")) {
        return e.getMessage();
      }
      if (e.field().startsWith("predictor")
          || e.field().startsWith("price_book")
          || e.field().startsWith("speculative")) {
        throw e;
      }
      throw new ConfigException(
          "workloads[" + s.workloads().indexOf(d.workload()) + "] (" + d.workload().name() + ")",
          e.getMessage(),
          e);
    }
  }

  public static String describe(DeploymentSpec d) {
    DisaggregationDimension.Layout l = d.layout();
    return d.model()
        + " on "
        + (l != null
            ? Dimensions.DISAGGREGATION.describe(l)
            : d.replicas() + "x " + d.sku() + " TP" + d.tp() + " PP" + d.pp())
        + " "
        + d.scheduler()
        + (d.chunkSize() == null ? "" : " chunk " + d.chunkSize())
        + " cap "
        + d.batchSizeCap()
        + " / "
        + d.workload().name()
        + (d.speculative() == null
            ? ""
            : " / "
                + d.speculative().method()
                + " k "
                + d.speculative().numSpeculativeTokens()
                + " a "
                + d.speculative().acceptanceRate())
        + more(d);
  }

  /** The values of the dimensions that {@link #describe} does not spell out. */
  private static String more(DeploymentSpec d) {
    StringBuilder sb = new StringBuilder();
    List<Dimension<?>> all = d.dimensions().all();
    boolean disaggregated = d.layout() != null;
    for (int i = 0; i < all.size(); i++) {
      if (disaggregated
          && (all.get(i) == Dimensions.DISAGGREGATION
              || all.get(i) == Dimensions.EXPERT_PARALLEL)) {
        continue; // in the layout's own description
      }
      String text = DeploymentSpec.describe(all.get(i), d.value(i));
      if (text != null) {
        sb.append(" / ").append(text);
      }
    }
    return sb.toString();
  }

  /** Skip counts by the config field at fault, for the report. */
  public Map<String, Integer> skipReasons() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Skipped k : skipped) {
      int colon = k.reason().indexOf(':');
      String field =
          colon > 0 && !k.reason().substring(0, colon).contains(" ")
              ? k.reason().substring(0, colon)
              : k.reason();
      counts.merge(field, 1, Integer::sum);
    }
    return counts;
  }
}
