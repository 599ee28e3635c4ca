package io.llmcap.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.config.SimulationConfig;
import io.llmcap.setup.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A search space expands over its speculative-decoding entries; plain entries keep their ids. */
class SpeculativeSearchTest {
  private static final String SPACE =
      """
      name: spec
      models: [{name: meta-llama/Llama-2-7b-hf}]
      clusters: [{sku: a100, node: a100_pairwise_nvlink, gpus: 1}]
      schedulers: [{type: sarathi, chunk_sizes: [512]}]
      workloads:
        - {name: chat, preset: chat, requests: 50, min_duration: 5, start_qps: 2}
      search: {max_probes: 4}
      predictor: {type: roofline}
      """;

  private static Path write(Path dir, String extra) throws IOException {
    return Files.writeString(dir.resolve("space.yml"), SPACE + extra);
  }

  @Test
  void expandsOverEntriesAndKeepsPlainIds(@TempDir Path tmp) throws IOException {
    Catalog catalog = Catalog.builtin();
    List<DeploymentSpec> plain =
        Expansion.of(SearchSpaces.load(write(tmp, "")), catalog, tmp).deployments();
    SearchSpace space =
        SearchSpaces.load(
            write(
                tmp,
                """
                speculative:
                  - {method: none}
                  - {method: ngram, num_speculative_tokens: 2, acceptance_rate: 0.8}
                  - {method: draft_model, draft_model: meta-llama/Llama-2-7b-hf,
                     num_speculative_tokens: 3}
                """));
    List<DeploymentSpec> spec = Expansion.of(space, catalog, tmp).deployments();
    assertEquals(1, plain.size());
    assertEquals(3, spec.size());
    assertEquals(plain.get(0).id(), spec.get(0).id(), "plain decoding keeps its id");
    assertNull(spec.get(0).speculative());
    assertNotEquals(spec.get(1).id(), spec.get(2).id());
    SimulationConfig cfg = ConfigLoader.bind(spec.get(2).toConfig(2.0, 42, space.predictor(), tmp));
    assertEquals("draft_model", cfg.speculative().method());
    assertEquals(3, cfg.speculative().numSpeculativeTokens());
    assertEquals(0.7, cfg.speculative().acceptanceRate(), "defaults.yaml's rate");
    DeploymentSearch.Result r = DeploymentSearch.run(spec.get(2), space, catalog, tmp);
    assertEquals("draft_model", r.deployment().speculativeMethod());
    assertEquals(3, r.deployment().numSpeculativeTokens());
    assertTrue(r.deployment().maxQps() >= 0);
  }

  @Test
  void badEntriesAreRejected(@TempDir Path tmp) throws IOException {
    for (String[] bad :
        new String[][] {
          {"speculative: [{method: medusa}]", "speculative[0].method"},
          {"speculative: [{method: ngram, num_speculative_tokens: 20}]", "num_speculative_tokens"},
          {"speculative: [{method: ngram, acceptance_rate: 2}]", "acceptance_rate"},
          {"speculative: [{method: none}, {method: ngram, num_speculative_tokens: 0}]", "twice"},
        }) {
      ConfigException e =
          assertThrows(ConfigException.class, () -> SearchSpaces.load(write(tmp, bad[0])));
      assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
    }
    SearchSpace unknownDraft =
        SearchSpaces.load(
            write(
                tmp,
                "speculative: [{method: draft_model, draft_model: no/such, "
                    + "num_speculative_tokens: 2}]"));
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> Expansion.of(unknownDraft, Catalog.builtin(), tmp));
    assertTrue(e.getMessage().contains("speculative.draft_model"), e.getMessage());
  }
}
