package io.llmcap.search;

import io.llmcap.catalog.Catalog;
import io.llmcap.config.ConfigException;
import io.llmcap.config.ConfigLoader;
import io.llmcap.engine.Simulation;
import io.llmcap.search.SearchSpace.ClusterEntry;
import io.llmcap.search.SearchSpace.ModelEntry;
import io.llmcap.search.SearchSpace.SchedulerEntry;
import io.llmcap.search.SearchSpace.SpeculativeEntry;
import io.llmcap.search.SearchSpace.WorkloadEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cartesian product of a search space, split into deployments to search and combinations that
 * cannot run, each with the reason (checked by the same validation a simulation runs).
 */
public record Expansion(List<DeploymentSpec> deployments, List<Skipped> skipped) {

  /** A combination left out, and why. */
  public record Skipped(String description, String reason) {}

  public static Expansion of(SearchSpace s, Catalog catalog, Path baseDir) {
    List<DeploymentSpec> out = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    for (int mi = 0; mi < s.models().size(); mi++) {
      ModelEntry m = s.models().get(mi);
      catalog.model(m.name(), "models[" + mi + "].name");
      for (ClusterEntry c : s.clusters()) {
        for (int tp : s.tensorParallel()) {
          for (int pp : s.pipelineParallel()) {
            for (Replicas rc : replicaCounts(s, c, tp * pp)) {
              int replicas = rc.count();
              // a reason that holds for every scheduler, cap and workload of this shape; still
              // one skipped row per combination, so the counts add up to the product
              String shapeReason =
                  m.excludeTp().contains(tp)
                      ? "TP" + tp + " excluded for this model"
                      : rc.gpus() > c.gpus()
                          ? (s.replicas() == null
                                  ? "a replica needs "
                                  : replicas + " replicas need ")
                              + rc.gpus()
                              + " GPUs, more than the cluster's budget of "
                              + c.gpus()
                          : null;
              for (SchedulerEntry se : s.schedulers()) {
                for (Integer chunk : orNull(se.chunkSizes())) {
                  for (Integer budget : orNull(se.maxTokensInBatch())) {
                    for (int cap : s.batchSizeCaps()) {
                      for (WorkloadEntry w : s.workloads()) {
                        for (SpeculativeEntry sp : orNull(s.speculative())) {
                          DeploymentSpec d =
                              DeploymentSpec.of(
                                  m.name(),
                                  c.sku(),
                                  c.node(),
                                  tp,
                                  pp,
                                  replicas,
                                  se.type(),
                                  chunk,
                                  budget,
                                  cap,
                                  w,
                                  sp != null && sp.speculates() ? sp : null);
                          String reason =
                              shapeReason != null ? shapeReason : check(d, s, catalog, baseDir);
                          if (reason == null) {
                            out.add(d);
                          } else {
                            skipped.add(new Skipped(describe(d), reason));
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    return new Expansion(List.copyOf(out), List.copyOf(skipped));
  }

  /**
   * The replica counts to try with the GPUs they need: the most the budget holds (at least 1, so
   * that a replica too big for the budget is reported as such), or each explicit count.
   */
  private record Replicas(int count, int gpus) {}

  private static List<Replicas> replicaCounts(SearchSpace s, ClusterEntry c, int perReplica) {
    if (s.replicas() == null) {
      int r = Math.max(1, c.gpus() / perReplica);
      return List.of(new Replicas(r, r * perReplica));
    }
    List<Replicas> out = new ArrayList<>();
    for (int r : s.replicas()) {
      out.add(new Replicas(r, r * perReplica));
    }
    return out;
  }

  private static <T> List<T> orNull(List<T> values) {
    return values == null ? Collections.singletonList(null) : values;
  }

  /** Null when the deployment can run, else why not. */
  private static String check(DeploymentSpec d, SearchSpace s, Catalog catalog, Path baseDir) {
    try {
      Simulation.prepare(
          ConfigLoader.bind(d.toConfig(d.workload().startQps(), s.seed(), s.predictor(), baseDir)),
          catalog,
          baseDir);
      return null;
    } catch (ConfigException e) {
      if (e.field().startsWith("workload") || e.field().startsWith("speculative")) {
        // a broken workload or speculative entry is the user's mistake for every deployment, not
        // a reason to skip one
        throw e;
      }
      return e.getMessage();
    }
  }

  public static String describe(DeploymentSpec d) {
    return d.model()
        + " on "
        + d.replicas()
        + "x "
        + d.sku()
        + " TP"
        + d.tp()
        + " PP"
        + d.pp()
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
                + d.speculative().acceptanceRate());
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
