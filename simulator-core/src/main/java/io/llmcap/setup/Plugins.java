package io.llmcap.setup;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmcap.cluster.Routers;
import io.llmcap.plugin.Registry;
import io.llmcap.scheduler.Schedulers;
import io.llmcap.timing.PredictorRegistry;
import io.llmcap.workload.Workloads;
import java.util.List;

/** Every extension seam's registry, for the config loader and for listing what is installed. */
public final class Plugins {
  private Plugins() {}

  /** The registries of schedulers, routers, predictors, length and interval generators. */
  public static List<Registry<?>> registries() {
    return List.of(
        Schedulers.registry(),
        Routers.registry(),
        PredictorRegistry.registry(),
        Workloads.lengthRegistry(),
        Workloads.intervalRegistry());
  }

  /** Adds every plug-in's default block to a config tree that has every built-in key. */
  public static void addDefaults(ObjectNode tree) {
    for (Registry<?> r : registries()) {
      ObjectNode section = tree;
      for (String part : r.blockPath().split("\\.")) {
        section = (ObjectNode) section.get(part);
      }
      r.addDefaults(section);
    }
  }
}
