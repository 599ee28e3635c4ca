package io.llmcap.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.base.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small synthetic config.json files, one per supported family, and every refusal. */
class HfConfigImportTest {
  @TempDir Path dir;

  private ModelSpec load(String json) throws IOException {
    Path f = dir.resolve("config.json");
    Files.writeString(f, json);
    return HfConfigImport.read(f, "test/model");
  }

  private String error(String json) {
    ConfigException e = assertThrows(ConfigException.class, () -> load(json));
    assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
    return e.getMessage();
  }

  /** A dense Llama-style body with the given architecture and extra keys. */
  private static String dense(String arch, String extra) {
    return """
        {"architectures": ["%s"], "num_hidden_layers": 4, "hidden_size": 512,
         "num_attention_heads": 8, "num_key_value_heads": 2, "intermediate_size": 1024,
         "vocab_size": 1000, "max_position_embeddings": 8192, "rms_norm_eps": 1e-5,
         "hidden_act": "silu", "tie_word_embeddings": false, "torch_dtype": "bfloat16"%s}
        """
        .formatted(arch, extra);
  }

  @Test
  void llamaReadsTheDenseShape() throws IOException {
    ModelSpec m = load(dense("LlamaForCausalLM", ""));
    assertEquals(4, m.numLayers());
    assertEquals(8, m.numQHeads());
    assertEquals(2, m.numKvHeads());
    assertEquals(512, m.embeddingDim());
    assertEquals(1024, m.mlpHiddenDim());
    assertEquals(1000, m.vocabSize());
    assertEquals(8192, m.maxPositionEmbeddings());
    assertEquals(512 / 8, m.headDim()); // no head_dim: hidden / heads
    assertEquals("rms_norm", m.norm());
    assertEquals("silu", m.activation());
    assertEquals("bf16", m.dtype());
    assertEquals(false, m.tiedEmbeddings());
    assertNull(m.moe());
    assertNull(m.slidingWindow());
    assertTrue(m.source().contains("LlamaForCausalLM"), m.source());
  }

  @Test
  void noRmsNormEpsMeansLayerNormAndTiedEmbeddingsAreRead() throws IOException {
    String json =
        dense("LlamaForCausalLM", ", \"layer_norm_eps\": 1e-5")
            .replace("\"rms_norm_eps\": 1e-5,", "")
            .replace("\"tie_word_embeddings\": false", "\"tie_word_embeddings\": true");
    ModelSpec m = load(json);
    assertEquals("layer_norm", m.norm());
    assertTrue(m.tiedEmbeddings());
  }

  @Test
  void mistralWindowCoversEveryLayerUnlessItSpansTheContext() throws IOException {
    ModelSpec m =
        load(dense("MistralForCausalLM", ", \"sliding_window\": 4096, \"head_dim\": 128"));
    assertEquals(new SlidingWindow(4096, 4), m.slidingWindow());
    assertEquals(128, m.headDim()); // Mistral-Nemo style: head_dim * heads != hidden
    assertNull(load(dense("MistralForCausalLM", ", \"sliding_window\": 8192")).slidingWindow());
    assertNull(load(dense("MistralForCausalLM", ", \"sliding_window\": null")).slidingWindow());
  }

  @Test
  void qwen2WindowOnlyWhenUsedAndFromMaxWindowLayersOn() throws IOException {
    String off =
        ", \"sliding_window\": 4096, \"use_sliding_window\": false, \"max_window_layers\": 2";
    assertNull(load(dense("Qwen2ForCausalLM", off)).slidingWindow());
    String on =
        ", \"sliding_window\": 4096, \"use_sliding_window\": true, \"max_window_layers\": 1";
    // layers 1..3 (three of four) use the window
    assertEquals(new SlidingWindow(4096, 3), load(dense("Qwen2ForCausalLM", on)).slidingWindow());
  }

  @Test
  void qwen3ReadsHeadDim() throws IOException {
    ModelSpec m = load(dense("Qwen3ForCausalLM", ", \"head_dim\": 128"));
    assertEquals(128, m.headDim());
  }

  @Test
  void qwen3MoeReadsExpertsTopKWidthAndDenseLeadingLayers() throws IOException {
    ModelSpec m =
        load(
            dense(
                "Qwen3MoeForCausalLM",
                ", \"head_dim\": 64, \"num_experts\": 16, \"num_experts_per_tok\": 4,"
                    + " \"moe_intermediate_size\": 128, \"decoder_sparse_step\": 1,"
                    + " \"mlp_only_layers\": [0]"));
    assertEquals(new MoeSpec(16, 4, 128, 0, 0, 1, 1), m.moe());
    assertEquals(1024, m.mlpHiddenDim()); // the dense layer keeps intermediate_size
    assertEquals(3, m.moe().moeLayers(0, 4));
  }

  @Test
  void mixtralExpertsUseIntermediateSize() throws IOException {
    ModelSpec m =
        load(
            dense(
                "MixtralForCausalLM",
                ", \"num_local_experts\": 8, \"num_experts_per_tok\": 2, \"sliding_window\": null"));
    assertEquals(new MoeSpec(8, 2, 1024, 0, 0, 0, 1), m.moe());
  }

  @Test
  void deepseekV3ReadsMlaSharedExpertsDenseLayersAndFp8() throws IOException {
    ModelSpec m =
        load(
            dense(
                "DeepseekV3ForCausalLM",
                ", \"n_routed_experts\": 32, \"num_experts_per_tok\": 4, \"n_shared_experts\": 1,"
                    + " \"moe_intermediate_size\": 256, \"first_k_dense_replace\": 1,"
                    + " \"moe_layer_freq\": 1, \"kv_lora_rank\": 64, \"q_lora_rank\": 96,"
                    + " \"qk_nope_head_dim\": 32, \"qk_rope_head_dim\": 16, \"v_head_dim\": 32,"
                    + " \"quantization_config\": {\"quant_method\": \"fp8\","
                    + " \"fmt\": \"e4m3\", \"weight_block_size\": [128, 128]}"));
    assertEquals(new MoeSpec(32, 4, 256, 1, 256, 1, 1), m.moe());
    assertEquals(new MlaSpec(64, 96, 32, 16, 32), m.mla());
    assertEquals(32 + 16, m.headDim()); // query/key width of one head
    assertEquals("fp8", m.dtype()); // quantization_config wins over torch_dtype
    assertEquals(64 + 16, m.mla().cachedElementsPerToken());
  }

  @Test
  void gptOssReadsLayerTypesSinksAndMxfp4() throws IOException {
    ModelSpec m =
        load(
            dense(
                "GptOssForCausalLM",
                ", \"head_dim\": 64, \"num_local_experts\": 8, \"num_experts_per_tok\": 2,"
                    + " \"experts_per_token\": 2, \"sliding_window\": 128, \"layer_types\":"
                    + " [\"sliding_attention\", \"full_attention\", \"sliding_attention\","
                    + " \"full_attention\"], \"quantization_config\": {\"quant_method\": \"mxfp4\"}"));
    assertEquals(new SlidingWindow(128, 2), m.slidingWindow());
    assertTrue(m.attentionSinks());
    assertEquals("mxfp4", m.dtype());
    assertEquals(new MoeSpec(8, 2, 1024, 0, 0, 0, 1), m.moe());
  }

  @Test
  void llama4ReadsTextConfigSharedExpertAndChunkedLayers() throws IOException {
    String json =
        """
        {"architectures": ["Llama4ForConditionalGeneration"], "tie_word_embeddings": false,
         "text_config": {"num_hidden_layers": 8, "hidden_size": 512, "num_attention_heads": 8,
           "num_key_value_heads": 2, "head_dim": 64, "intermediate_size": 256,
           "intermediate_size_mlp": 1024, "num_local_experts": 4, "num_experts_per_tok": 1,
           "interleave_moe_layer_step": 1, "vocab_size": 1000, "max_position_embeddings": 65536,
           "rms_norm_eps": 1e-5, "hidden_act": "silu", "attention_chunk_size": 2048,
           "torch_dtype": "bfloat16"},
         "vision_config": {"hidden_size": 64}}
        """;
    ModelSpec m = load(json);
    assertEquals(8, m.numLayers());
    assertEquals(1024, m.mlpHiddenDim());
    assertEquals(new MoeSpec(4, 1, 256, 1, 256, 0, 1), m.moe());
    // every 4th layer (3 and 7) is global: 6 of 8 layers are chunked
    assertEquals(new SlidingWindow(2048, 6), m.slidingWindow());
  }

  @Test
  void quantisedFormatsMapToPrecisions() throws IOException {
    String awq = ", \"quantization_config\": {\"quant_method\": \"awq\", \"bits\": 4}";
    assertEquals("int4", load(dense("LlamaForCausalLM", awq)).dtype());
    String ct =
        ", \"quantization_config\": {\"quant_method\": \"compressed-tensors\", \"config_groups\":"
            + " {\"group_0\": {\"weights\": {\"num_bits\": 8, \"type\": \"float\"}}}}";
    assertEquals("fp8", load(dense("LlamaForCausalLM", ct)).dtype());
    String fp16 = dense("LlamaForCausalLM", "").replace("bfloat16", "float16");
    assertEquals("fp16", load(fp16).dtype());
  }

  @Test
  void unknownArchitectureListsTheSupportedOnes() {
    String msg = error(dense("GPT2LMHeadModel", ""));
    assertTrue(msg.contains("architectures[0]") && msg.contains("GPT2LMHeadModel"), msg);
    for (String a : HfConfigImport.ARCHITECTURES) {
      assertTrue(msg.contains(a), msg);
    }
  }

  @Test
  void missingHeadsNamesTheField() {
    String msg = error(dense("LlamaForCausalLM", "").replace("\"num_attention_heads\": 8,", ""));
    assertTrue(msg.contains("config.json: num_attention_heads: missing"), msg);
  }

  @Test
  void moeFieldsWithoutAnExpertCountAreRefused() {
    String msg =
        error(
            dense(
                "Qwen3MoeForCausalLM",
                ", \"num_experts_per_tok\": 4, \"moe_intermediate_size\": 64"));
    assertTrue(msg.contains("num_experts_per_tok") && msg.contains("without an expert count"), msg);
    String arch = error(dense("MixtralForCausalLM", ""));
    assertTrue(arch.contains("num_local_experts: missing"), arch);
  }

  @Test
  void otherMalformedConfigsNameTheirField() {
    assertTrue(
        error(
                dense("LlamaForCausalLM", "")
                    .replace("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 3"))
            .contains("num_key_value_heads: value '3'"));
    assertTrue(
        error(dense("MixtralForCausalLM", ", \"num_local_experts\": 2, \"num_experts_per_tok\": 4"))
            .contains("num_experts_per_tok: value '4'"));
    assertTrue(
        error(dense("LlamaForCausalLM", ", \"quantization_config\": {\"quant_method\": \"bnb\"}"))
            .contains("quantization_config.quant_method: value 'bnb'"));
    assertTrue(
        error(dense("LlamaForCausalLM", ", \"num_local_experts\": 8"))
            .contains("num_local_experts: value '8'"));
    assertTrue(
        error(
                dense(
                    "GptOssForCausalLM",
                    ", \"num_local_experts\": 8, \"num_experts_per_tok\": 2,"
                        + " \"sliding_window\": 128, \"layer_types\": [\"sliding_attention\"]"))
            .contains("layer_types"));
    assertTrue(
        error(
                dense("LlamaForCausalLM", "")
                    .replace("\"hidden_size\": 512", "\"hidden_size\": \"x\""))
            .contains("hidden_size: value 'x'"));
    assertTrue(error("[1, 2]").contains("not a JSON object"));
  }
}
