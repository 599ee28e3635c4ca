package io.llmcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.config.SimulationConfig;
import io.llmcap.engine.Simulation;
import io.llmcap.predictors.Predictors;
import io.llmcap.search.Expansion;
import io.llmcap.search.SearchSpace;
import io.llmcap.search.SearchSpaces;
import io.llmcap.setup.ConfigLoader;
import io.llmcap.workload.Workloads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A property test, seeded: random mutations of valid simulation and search configs (keys deleted,
 * renamed or given odd values, list entries duplicated, the text cut short) never escape the
 * loaders as anything but a {@link ConfigException} with a one-line message: no stack trace reaches
 * the user.
 */
class ConfigFuzzTest {
  static final String SIMULATION =
      """
      name: fuzz
      seed: 42
      cluster:
        model: meta-llama/Llama-2-7b-hf
        sku: a100
        node: a100_pairwise_nvlink
        tensor_parallel: 2
        pipeline_parallel: 1
        replicas: 2
      router: round_robin
      scheduler: {type: sarathi, chunk_size: 512, batch_size_cap: 64}
      workload:
        preset: chat
        num_requests: 50
        max_tokens: 4096
        interval: {type: gamma, qps: 2.5, cv: 0.5}
      predictor: {type: roofline}
      """;

  static final String SEARCH =
      """
      name: fuzz
      models:
        - name: meta-llama/Llama-2-7b-hf
          exclude_tp: [4]
      clusters:
        - {sku: a100, node: a100_pairwise_nvlink, gpus: 4}
      tensor_parallel: [1, 2]
      pipeline_parallel: [1]
      schedulers:
        - {type: vllm}
        - {type: sarathi, chunk_sizes: [256, 512]}
      batch_size_caps: [64]
      workloads:
        - {name: chat, preset: chat, requests: 100, min_duration: 10, start_qps: 4}
        - {name: fixed, length_type: fixed, prefill_tokens: 512, decode_tokens: 64}
      slos:
        - {metric: ttft, quantile: 0.9, max_s: 2}
      search: {granularity: 0.05, max_probes: 10, min_qps: 0.1}
      predictor: {type: roofline}
      """;

  /** Values that break configs in the ways users do: signs, zero, types, sizes, emptiness. */
  static final List<String> VALUES =
      List.of(
          "0",
          "-1",
          "1.5",
          "-0.0",
          "1e308",
          ".nan",
          ".inf",
          "99999999999",
          "''",
          "null",
          "[]",
          "{}",
          "[1, 1]",
          "[[1]]",
          "{a: 1}",
          "abc",
          "true",
          "a100",
          "vllm",
          "chat",
          "2");

  enum Kind {
    DELETE,
    REPLACE,
    RENAME,
    DUPLICATE,
    TRUNCATE
  }

  /** One edit: what, at which node (index modulo the node count), with which value. */
  record Mutation(Kind kind, int where, String value) {}

  /** Mutated configs per property; seeded, so a failure names a reproducible case. */
  static final int TRIES = 250;

  static final long SEED = 20261129L;

  /** One to three random edits. */
  static List<Mutation> mutations(Random r) {
    List<Mutation> ms = new ArrayList<>();
    for (int n = 1 + r.nextInt(3); n > 0; n--) {
      Kind[] kinds = Kind.values();
      ms.add(
          new Mutation(
              kinds[r.nextInt(kinds.length)],
              r.nextInt(10_000),
              VALUES.get(r.nextInt(VALUES.size()))));
    }
    return ms;
  }

  @Test
  void simulationConfigs() throws IOException {
    check(
        SIMULATION,
        file -> {
          Path dir = file.getParent();
          SimulationConfig c = ConfigLoader.bind(ConfigLoader.resolve(file, List.of()));
          Simulation.prepare(c, Catalog.builtin(), dir);
          Predictors.check(c.predictor());
          Workloads.validate(c.workload(), dir);
        });
  }

  @Test
  void searchConfigs() throws IOException {
    check(
        SEARCH,
        file -> {
          SearchSpace s = SearchSpaces.load(file);
          Expansion.of(s, Catalog.builtin(), file.getParent());
        });
  }

  @Test
  void unmutatedConfigsLoad() throws IOException {
    Path dir = Files.createTempDirectory("llmcap-fuzz-");
    try {
      SearchSpace s = SearchSpaces.load(Files.writeString(dir.resolve("s.yaml"), SEARCH));
      assertEquals(12, Expansion.of(s, Catalog.builtin(), dir).deployments().size());
      Simulation.prepare(
          ConfigLoader.bind(
              ConfigLoader.resolve(
                  Files.writeString(dir.resolve("c.yaml"), SIMULATION), List.of())),
          Catalog.builtin(),
          dir);
    } finally {
      Resilience.deleteTree(dir);
    }
  }

  /**
   * Loads {@link #TRIES} mutations of {@code valid}: each must load or fail with a one-line {@link
   * ConfigException}; both outcomes must occur, or the mutations test nothing.
   */
  private static void check(String valid, Consumer<Path> loader) throws IOException {
    Random random = new Random(SEED);
    int loads = 0;
    int userErrors = 0;
    Path dir = Files.createTempDirectory("llmcap-fuzz-");
    try {
      for (int i = 0; i < TRIES; i++) {
        List<Mutation> ms = mutations(random);
        String text = mutate(valid, ms);
        Path file = Files.writeString(dir.resolve("config.yaml"), text);
        String where = "try " + i + " " + ms + ", config:\n" + text;
        try {
          loader.accept(file);
          loads++;
        } catch (ConfigException e) {
          userErrors++;
          assertFalse(
              e.getMessage().contains("\n") || e.getMessage().isBlank(),
              () -> "a one-line message: '" + e.getMessage() + "' for " + where);
        } catch (RuntimeException | Error e) {
          fail("not a user error: " + e + " for " + where, e);
        }
      }
    } finally {
      Resilience.deleteTree(dir);
    }
    assertTrue(loads > 0 && userErrors > TRIES / 2, loads + " loaded, " + userErrors + " refused");
  }

  /** Applies the mutations to the YAML tree (or, for TRUNCATE, to its text). */
  static String mutate(String valid, List<Mutation> ms) {
    try {
      JsonNode root = Cli.YAML.readTree(valid);
      String text = null;
      for (Mutation m : ms) {
        if (m.kind() == Kind.TRUNCATE) {
          String t = text != null ? text : Cli.YAML.writeValueAsString(root);
          text = t.isEmpty() ? t : t.substring(0, m.where() % t.length());
          continue;
        }
        if (text != null) {
          continue; // the tree is gone once the text is cut
        }
        List<Slot> slots = new ArrayList<>();
        collect(root, slots);
        if (slots.isEmpty()) {
          continue; // everything deleted already
        }
        Slot s = slots.get(m.where() % slots.size());
        apply(m.kind(), s, value(m.value()));
      }
      return text != null ? text : Cli.YAML.writeValueAsString(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The value as YAML reads it; Jackson's reader has no YAML NaN or infinity, so build those. */
  private static JsonNode value(String yaml) throws IOException {
    return switch (yaml) {
      case ".nan" -> DoubleNode.valueOf(Double.NaN);
      case ".inf" -> DoubleNode.valueOf(Double.POSITIVE_INFINITY);
      default -> {
        JsonNode v = Cli.YAML.readTree(yaml);
        yield v == null || v.isMissingNode() ? NullNode.getInstance() : v;
      }
    };
  }

  /** A place in the tree: a key of a mapping or an index of a list. */
  record Slot(ContainerNode<?> parent, String key, int index) {}

  private static void collect(JsonNode node, List<Slot> out) {
    if (node instanceof ObjectNode o) {
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.add(new Slot(o, e.getKey(), -1));
        collect(e.getValue(), out);
      }
    } else if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        out.add(new Slot(a, null, i));
        collect(a.get(i), out);
      }
    }
  }

  private static void apply(Kind kind, Slot s, JsonNode value) {
    if (s.parent() instanceof ObjectNode o) {
      switch (kind) {
        case DELETE -> o.remove(s.key());
        case REPLACE -> o.set(s.key(), value);
        case RENAME -> o.set(s.key().substring(1) + s.key().charAt(0), o.remove(s.key()));
        default -> o.set(s.key() + "_2", o.get(s.key()).deepCopy());
      }
    } else if (s.parent() instanceof ArrayNode a) {
      switch (kind) {
        case DELETE -> a.remove(s.index());
        case REPLACE, RENAME -> a.set(s.index(), value);
        default -> a.add(a.get(s.index()).deepCopy());
      }
    }
  }
}
