package io.llmcap.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.base.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped catalog's models, aliases and price books; user models files. */
class CatalogTest {
  @TempDir Path dir;

  static final List<String> ISSUE_14_MODELS =
      List.of(
          "meta-llama/Llama-3.1-8B-Instruct",
          "meta-llama/Llama-3.1-70B-Instruct",
          "meta-llama/Llama-3.1-405B-Instruct",
          "meta-llama/Llama-3.3-70B-Instruct",
          "meta-llama/Llama-4-Scout-17B-16E-Instruct",
          "Qwen/Qwen2.5-7B-Instruct",
          "Qwen/Qwen2.5-14B-Instruct",
          "Qwen/Qwen2.5-32B-Instruct",
          "Qwen/Qwen2.5-72B-Instruct",
          "Qwen/Qwen3-8B",
          "Qwen/Qwen3-14B",
          "Qwen/Qwen3-32B",
          "Qwen/Qwen3-30B-A3B",
          "Qwen/Qwen3-235B-A22B",
          "mistralai/Mistral-Nemo-Instruct-2407",
          "01-ai/Yi-34B",
          "mistralai/Mixtral-8x7B-v0.1",
          "mistralai/Mixtral-8x22B-Instruct-v0.1",
          "deepseek-ai/DeepSeek-V3",
          "deepseek-ai/DeepSeek-R1",
          "openai/gpt-oss-20b",
          "openai/gpt-oss-120b");

  @Test
  void everyModelTheIssueNamesIsFoundAndInternallyConsistent() {
    Catalog c = Catalog.shipped();
    for (String name : ISSUE_14_MODELS) {
      c.model(name, "model");
    }
    for (ModelSpec m : c.models().values()) {
      String at = m.name();
      assertEquals(0, m.numQHeads() % m.numKvHeads(), at + ": kv heads divide q heads");
      assertTrue(m.headDim() > 0, at);
      if (m.mla() == null && m.headDim() * m.numQHeads() != m.embeddingDim()) {
        // only models whose config gives head_dim explicitly may differ (Mistral-Nemo, Qwen3-8B...)
        assertTrue(
            m.source().contains("head_dim"), at + ": head_dim differs from hidden/heads unsourced");
      }
      if (m.moe() != null) {
        assertTrue(m.moe().topK() <= m.moe().numExperts(), at + ": top-k within experts");
        assertTrue(m.moe().moeLayers(0, m.numLayers()) > 0, at + ": has MoE layers");
      }
      if (m.slidingWindow() != null) {
        assertTrue(m.slidingWindow().layers() <= m.numLayers(), at);
      }
      m.weightPrecision();
      assertTrue(m.source() != null && m.source().startsWith("HF config.json"), at);
    }
  }

  @Test
  void hiddenEqualsHeadsTimesHeadDimWhereTheConfigSaysSo() {
    Catalog c = Catalog.shipped();
    // hand-checked shapes: 5120 = 40 x 128 (Qwen3-14B); Nemo's 32 x 128 = 4096 != 5120
    assertEquals(5120, 40 * c.model("Qwen/Qwen3-14B", "m").headDim());
    assertEquals(128, c.model("mistralai/Mistral-Nemo-Instruct-2407", "m").headDim());
    assertEquals(64, c.model("openai/gpt-oss-120b", "m").headDim());
    // gpt-oss alternates sliding and full layers: half of 36
    assertEquals(new SlidingWindow(128, 18), c.model("openai/gpt-oss-120b", "m").slidingWindow());
  }

  @Test
  void aliasesFindTheirModel() {
    Catalog c = Catalog.shipped();
    assertSame(
        c.model("meta-llama/Llama-3.1-8B-Instruct", "m"),
        c.model("meta-llama/Meta-Llama-3.1-8B-Instruct", "m"));
    assertSame(c.model("deepseek-ai/DeepSeek-V3", "m"), c.model("deepseek-ai/DeepSeek-R1", "m"));
    assertSame(
        c.model("Qwen/Qwen2.5-7B-Instruct", "m"), c.findModel("Qwen/Qwen2.5-7B").orElseThrow());
    for (var a : c.aliases().entrySet()) {
      assertTrue(!c.models().containsKey(a.getKey()), a.getKey() + " is also a model name");
      assertEquals(a.getValue(), c.model(a.getKey(), "m").name());
    }
    ConfigException e =
        assertThrows(ConfigException.class, () -> c.model("meta-llama/Llama-9", "cluster.model"));
    assertTrue(e.getMessage().startsWith("cluster.model: unknown model"), e.getMessage());
  }

  @Test
  void anAliasMayNotBeAnotherModelsNameOrAlias() throws IOException {
    Catalog c = Catalog.shipped();
    Path f = dir.resolve("mine.yaml");
    Files.writeString(f, userModel("me/a", "[meta-llama/Llama-2-7b-hf]"));
    ConfigException name =
        assertThrows(ConfigException.class, () -> c.withModels(UserModels.read(f), f.toString()));
    assertTrue(name.getMessage().contains("meta-llama/Llama-2-7b-hf"), name.getMessage());
    Files.writeString(f, userModel("me/b", "[deepseek-ai/DeepSeek-R1]"));
    ConfigException alias =
        assertThrows(ConfigException.class, () -> c.withModels(UserModels.read(f), f.toString()));
    assertTrue(
        alias.getMessage().contains("already an alias of deepseek-ai/DeepSeek-V3"),
        alias.getMessage());
    Files.writeString(f, userModel("deepseek-ai/DeepSeek-R1", "[]"));
    assertThrows(ConfigException.class, () -> c.withModels(UserModels.read(f), f.toString()));
  }

  private static String userModel(String name, String aliases) {
    return """
        models:
          - name: %s
            num_layers: 2
            num_q_heads: 4
            num_kv_heads: 2
            embedding_dim: 256
            mlp_hidden_dim: 512
            vocab_size: 1000
            use_gated_mlp: true
            max_position_embeddings: 4096
            norm: rms_norm
            activation: silu
            post_attn_norm: true
            no_tensor_parallel: false
            aliases: %s
            source: "test"
        """
        .formatted(name, aliases);
  }

  @Test
  void aUserModelsFileMayPointAtAConfigJson() throws IOException {
    Files.createDirectories(dir.resolve("cfg"));
    Files.writeString(
        dir.resolve("cfg/config.json"),
        """
        {"architectures": ["Qwen3ForCausalLM"], "num_hidden_layers": 2, "hidden_size": 256,
         "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 64,
         "intermediate_size": 512, "vocab_size": 1000, "max_position_embeddings": 4096,
         "rms_norm_eps": 1e-6, "torch_dtype": "bfloat16"}
        """);
    Path f = dir.resolve("models.yaml");
    Files.writeString(
        f,
        "models:\n  - name: me/tiny\n    hf_config: cfg/config.json\n    aliases: [me/tiny-chat]\n");
    Catalog c = Catalog.shipped().withModels(UserModels.read(f), f.toString());
    assertEquals(2, c.model("me/tiny-chat", "m").numLayers());
    assertEquals(Catalog.shipped().models().size() + 1, c.models().size());

    try (Catalog.Scope s = Catalog.useModels(List.of(f))) {
      assertEquals(256, Catalog.builtin().model("me/tiny", "m").embeddingDim());
    }
    assertTrue(Catalog.builtin().findModel("me/tiny").isEmpty(), "the scope ended");

    Files.writeString(f, "models:\n  - name: me/tiny\n    hf_config: cfg/nothere.json\n");
    ConfigException e = assertThrows(ConfigException.class, () -> UserModels.read(f));
    assertTrue(e.getMessage().contains("nothere.json"), e.getMessage());
    Files.writeString(
        f, "models:\n  - name: me/tiny\n    hf_config: cfg/config.json\n    sauce: x\n");
    e = assertThrows(ConfigException.class, () -> UserModels.read(f));
    assertTrue(e.getMessage().contains("unknown key 'sauce'"), e.getMessage());
  }

  @Test
  void theDefaultPriceBookIsTheNewest() {
    Catalog c = Catalog.shipped();
    PriceBook def = c.defaultPriceBook();
    for (PriceBook b : c.priceBooks().values()) {
      assertTrue(def.date().compareTo(b.date()) >= 0, def.name() + " older than " + b.name());
      for (String sku : b.pricesPerGpuHour().keySet()) {
        c.sku(sku, "price book " + b.name());
      }
    }
    assertEquals("aws-2026-11", def.name());
    // books named by existing search configs are still there, unchanged
    assertEquals(4.25, c.priceBook("coreweave-2024-02", "price_book").price("h100").getAsDouble());
  }

  @Test
  void aDateTieGoesToTheBookWithMorePrices() throws IOException {
    Files.writeString(dir.resolve("catalog.yaml"), "price_books: [a.yaml, b.yaml, c.yaml]\n");
    Files.writeString(
        dir.resolve("a.yaml"),
        "name: a\ndate: \"2025-06\"\nsource: s\nprices_per_gpu_hour: {x: 1.0}\n");
    Files.writeString(
        dir.resolve("b.yaml"),
        "name: b\ndate: \"2025-06\"\nsource: s\nprices_per_gpu_hour: {x: 1.0, y: 2.0}\n");
    Files.writeString(
        dir.resolve("c.yaml"),
        "name: c\ndate: \"2025\"\nsource: s\nprices_per_gpu_hour: {x: 1.0, y: 2.0, z: 3.0}\n");
    Files.writeString(dir.resolve("models.yaml"), userModel("me/m", "[]"));
    Files.writeString(
        dir.resolve("skus.yaml"),
        "skus:\n  - {name: x, description: d, fp16_tflops: 1.0, memory_gb: 1.0,"
            + " memory_bandwidth_gbps: 1.0, link_bandwidth_gbps: 1.0, source: s}\n");
    Files.writeString(dir.resolve("nodes.yaml"), "nodes: []\n");
    assertEquals("b", Catalog.fromDirectory(dir).defaultPriceBook().name());

    Files.writeString(
        dir.resolve("a.yaml"),
        "name: a\ndate: \"June 2025\"\nsource: s\nprices_per_gpu_hour: {}\n");
    ConfigException e = assertThrows(ConfigException.class, () -> Catalog.fromDirectory(dir));
    assertTrue(e.getMessage().contains("June 2025"), e.getMessage());
  }
}
