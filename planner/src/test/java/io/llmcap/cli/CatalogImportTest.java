package io.llmcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code llmcap catalog import} and {@code --models}: a config.json becomes a model runs can use.
 */
class CatalogImportTest {
  @TempDir Path dir;

  static final String MIXTRAL_LIKE =
      """
      {"architectures": ["MixtralForCausalLM"], "num_hidden_layers": 2, "hidden_size": 256,
       "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 512,
       "num_local_experts": 4, "num_experts_per_tok": 2, "vocab_size": 1000,
       "max_position_embeddings": 4096, "rms_norm_eps": 1e-5, "hidden_act": "silu",
       "sliding_window": null, "torch_dtype": "bfloat16"}
      """;

  @Test
  void importPrintsAModelsEntryAndOutAddsItToAFileThatModelsLoads() throws Exception {
    Path cfg = dir.resolve("config.json");
    Files.writeString(cfg, MIXTRAL_LIKE);
    Cli.Result printed = Cli.run("catalog", "import", cfg.toString(), "--name", "me/mini").ok();
    assertTrue(printed.out().startsWith("models:"), printed.out());
    assertTrue(printed.out().contains("num_experts: 4"), printed.out());

    Path models = dir.resolve("my-models.yaml");
    Cli.run("catalog", "import", cfg.toString(), "--name", "me/mini", "--out", models.toString())
        .ok();
    Cli.run("catalog", "import", cfg.toString(), "--name", "me/mini2", "--out", models.toString())
        .ok();
    assertEquals(2, Cli.yaml(models).get("models").size());

    Cli.Result again =
        Cli.run(
            "catalog", "import", cfg.toString(), "--name", "me/mini", "--out", models.toString());
    assertEquals(Main.USER_ERROR, again.status());
    assertTrue(again.err().startsWith("error: ") && again.err().contains("me/mini"), again.err());

    // --models before or after the subcommand adds the models for that command only
    String listed = Cli.run("--models", models.toString(), "catalog").ok().out();
    assertTrue(listed.contains("me/mini ") && listed.contains("me/mini2"), listed);
    assertTrue(Cli.run("catalog", "--models", models.toString()).ok().out().contains("me/mini2"));
    assertTrue(!Cli.run("catalog").ok().out().contains("me/mini"));
  }

  @Test
  void aShippedNameIsRefusedAndABadConfigGetsOneErrorLine() throws Exception {
    Path cfg = dir.resolve("config.json");
    Files.writeString(cfg, MIXTRAL_LIKE);
    Cli.Result taken =
        Cli.run("catalog", "import", cfg.toString(), "--name", "deepseek-ai/DeepSeek-R1");
    assertEquals(Main.USER_ERROR, taken.status());
    assertTrue(taken.err().contains("already in the catalog"), taken.err());

    Files.writeString(cfg, MIXTRAL_LIKE.replace("MixtralForCausalLM", "FalconForCausalLM"));
    Cli.Result bad = Cli.run("catalog", "import", cfg.toString(), "--name", "me/x");
    assertEquals(Main.USER_ERROR, bad.status());
    assertEquals(1, bad.err().lines().count(), bad.err());
    assertTrue(bad.err().contains("architectures[0]") && bad.err().contains("LlamaForCausalLM"));

    Path models = dir.resolve("bad.yaml");
    Files.writeString(models, "models:\n  - name: me/x\n    hf_config: config.json\n");
    Cli.Result viaModels = Cli.run("--models", models.toString(), "catalog");
    assertEquals(Main.USER_ERROR, viaModels.status());
    assertTrue(
        viaModels.err().startsWith("error: ") && viaModels.err().contains("FalconForCausalLM"));
  }
}
