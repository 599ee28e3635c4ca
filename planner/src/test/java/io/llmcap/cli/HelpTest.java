package io.llmcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Help and catalog listings: what a new user reads first. */
class HelpTest {
  private static final Path CATALOG = Cli.root().resolve("profiles/catalog");
  private static final Path DEFAULTS =
      Cli.root().resolve("simulator-core/src/main/resources/llmcap/defaults.yaml");

  @Test
  void simulateHelpListsEveryKeyWithItsDefault() {
    Cli.Result r = Cli.run("simulate", "--help").ok();
    String help = r.out();
    assertTrue(help.contains("--config"), help);
    assertTrue(help.contains("--reference-config"), help);
    assertTrue(help.contains("--set"), help);
    assertTrue(help.contains("scheduler.chunk_size = 2048"), help);
    assertTrue(help.contains("workload.interval.qps = 6.45"), help);
    assertTrue(help.contains("cluster.model = meta-llama/Meta-Llama-3-8B"), help);

    List<String> leaves = new ArrayList<>();
    flatten(Cli.yaml(DEFAULTS), "", leaves);
    assertTrue(leaves.size() > 40, "defaults.yaml keys: " + leaves.size());
    for (String kv : leaves) {
      assertTrue(help.contains(kv), "help lists '" + kv + "'");
    }
  }

  @Test
  void topLevelHelpAndVersion() {
    Cli.Result r = Cli.run("--help").ok();
    for (String sub : List.of("simulate", "search", "catalog", "bench")) {
      assertTrue(r.out().contains(sub), r.out());
    }
    assertTrue(Cli.run("--version").ok().out().contains("llmcap"));
    Cli.Result c = Cli.run("catalog", "--help").ok();
    assertTrue(c.out().contains("catalog"), c.out());
  }

  @Test
  void catalogListsModelsSkusNodesAndPriceBooks() throws Exception {
    Cli.Result r = Cli.run("catalog").ok();
    String out = r.out();
    List<String> models = names(CATALOG.resolve("models.yaml"), "models");
    List<String> skus = names(CATALOG.resolve("skus.yaml"), "skus");
    List<String> nodes = names(CATALOG.resolve("nodes.yaml"), "nodes");
    assertEquals(30, models.size(), "models in the catalog: " + models);
    assertEquals(8, skus.size(), "SKUs in the catalog: " + skus);
    assertTrue(nodes.size() >= 8, "node types: " + nodes);
    for (String m : models) {
      assertTrue(out.contains(m), "catalog lists model " + m);
    }
    for (String s : skus) {
      assertTrue(
          out.lines().anyMatch(l -> l.strip().startsWith(s + " ")), "catalog lists SKU " + s);
    }
    for (String n : nodes) {
      assertTrue(out.contains(n), "catalog lists node " + n);
    }
    List<String> books = new ArrayList<>();
    try (var files = Files.list(CATALOG.resolve("prices"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        books.add(Cli.yaml(f).get("name").asText());
      }
    }
    assertEquals(
        List.of(
            "aws-2026-11",
            "coreweave-2024-02",
            "coreweave-2024-later",
            "hyperstack-2026-08",
            "lambda-2026-09"),
        books);
    for (String b : books) {
      assertTrue(out.contains(b), "catalog lists price book " + b);
    }
    assertTrue(out.contains("a100=2.21") || out.contains("2.21"), "prices shown:\n" + out);
    // the default book (newest) is marked, with its date; reserved prices where published
    assertTrue(
        out.lines().anyMatch(l -> l.startsWith("* aws-2026-11") && l.contains("2026-11-09")), out);
    assertTrue(out.contains("reserved {a100=1.36"), out);
    // fp8 / fp4 peaks: B200 has both, A100 neither
    assertTrue(
        out.lines()
            .anyMatch(
                l -> l.strip().startsWith("b200 ") && l.contains("4500.0") && l.contains("9000.0")),
        out);
    assertTrue(out.lines().anyMatch(l -> l.strip().startsWith("a100 ") && l.contains(" - ")), out);
    // MoE experts/top-k, attention kind and checkpoint dtype per model
    assertTrue(
        out.lines()
            .anyMatch(
                l ->
                    l.contains("deepseek-ai/DeepSeek-V3 ")
                        && l.contains("256/8+1 d3")
                        && l.contains("mla")
                        && l.contains("fp8")),
        out);
    assertTrue(
        out.lines()
            .anyMatch(
                l ->
                    l.contains("openai/gpt-oss-120b")
                        && l.contains("128/4")
                        && l.contains("sw128x18")
                        && l.contains("mxfp4")),
        out);
    assertTrue(
        out.contains("deepseek-ai/DeepSeek-R1") && out.contains("-> deepseek-ai/DeepSeek-V3"), out);
  }

  private static List<String> names(Path file, String list) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : Cli.yaml(file).get(list)) {
      out.add(n.get("name").asText());
    }
    return out;
  }

  private static void flatten(JsonNode node, String prefix, List<String> out) {
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      if (e.getValue().isObject()) {
        flatten(e.getValue(), key, out);
      } else {
        out.add(key + " = " + (e.getValue().isNull() ? "null" : e.getValue().asText()));
      }
    }
  }
}
