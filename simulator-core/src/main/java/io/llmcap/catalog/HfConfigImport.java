package io.llmcap.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmcap.base.ConfigException;
import io.llmcap.base.Yaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a model's shape from its Hugging Face {@code config.json} for the architectures llmcap can
 * cost ({@link #ARCHITECTURES}); anything else is refused with one error naming the field.
 *
 * <p>What is read: layers, hidden size, heads, KV heads, head dim, MLP width, vocabulary, tied
 * embeddings, activation, norm ({@code rms_norm_eps} present: RMSNorm, else LayerNorm), max
 * positions, sliding windows (per-layer {@code layer_types}, or Qwen's {@code use_sliding_window}
 * with {@code max_window_layers}, or one window for every layer), Llama 4's chunked local attention
 * (kept as a window of the chunk size on its RoPE layers: the span and the KV it keeps are at most
 * one chunk), MoE fields, MLA fields, {@code torch_dtype} and {@code quantization_config}. Other
 * keys (rope scaling, biases, token ids) do not change serving cost as llmcap models it and are
 * ignored.
 */
public final class HfConfigImport {
  /** The {@code architectures[0]} values llmcap reads. */
  public static final List<String> ARCHITECTURES =
      List.of(
          "LlamaForCausalLM",
          "MistralForCausalLM",
          "Qwen2ForCausalLM",
          "Qwen3ForCausalLM",
          "Qwen3MoeForCausalLM",
          "MixtralForCausalLM",
          "DeepseekV3ForCausalLM",
          "GptOssForCausalLM",
          "Llama4ForConditionalGeneration");

  private HfConfigImport() {}

  /** Reads {@code file} (a config.json) as the model called {@code name}. */
  public static ModelSpec read(Path file, String name) {
    JsonNode root;
    try {
      root = Yaml.json().readTree(Files.readString(file));
    } catch (IOException e) {
      throw new ConfigException(file.toString(), "cannot read config.json: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new ConfigException(file.toString(), "not a JSON object; expected a config.json");
    }
    return of(
        root,
        name,
        file.toString(),
        "HF config.json of " + name + " (imported from " + file.getFileName() + ")");
  }

  /**
   * The model called {@code name} described by the parsed config {@code root}; errors name fields
   * as {@code file: key}; {@code source} is recorded on the spec.
   */
  public static ModelSpec of(JsonNode root, String name, String file, String source) {
    Reader r = new Reader(root, file);
    String arch = r.architecture();
    Reader t = r;
    if (arch.equals("Llama4ForConditionalGeneration")) {
      t = r.child("text_config");
    }
    int layers = t.positive("num_hidden_layers");
    int hidden = t.positive("hidden_size");
    int heads = t.positive("num_attention_heads");
    int kvHeads = t.has("num_key_value_heads") ? t.positive("num_key_value_heads") : heads;
    if (heads % kvHeads != 0) {
      throw t.error(
          "num_key_value_heads",
          kvHeads,
          "a divisor of num_attention_heads (" + heads + ") for grouped-query attention");
    }
    int vocab = t.positive("vocab_size");
    int maxPos = t.positive("max_position_embeddings");
    String activation = activation(t);
    String norm = t.has("rms_norm_eps") || t.has("rms_norm_epsilon") ? "rms_norm" : "layer_norm";
    boolean tied = t.bool("tie_word_embeddings", r.bool("tie_word_embeddings", false));

    MlaSpec mla = null;
    int headDim;
    if (arch.equals("DeepseekV3ForCausalLM")) {
      int nope = t.positive("qk_nope_head_dim");
      int rope = t.positive("qk_rope_head_dim");
      int qLora =
          t.has("q_lora_rank") && !t.node("q_lora_rank").isNull()
              ? t.nonNegative("q_lora_rank")
              : 0;
      mla = new MlaSpec(t.positive("kv_lora_rank"), qLora, nope, rope, t.positive("v_head_dim"));
      // The query/key width of one head, the convention models.yaml documents for MLA models.
      headDim = nope + rope;
    } else {
      headDim = t.has("head_dim") && !t.node("head_dim").isNull() ? t.positive("head_dim") : 0;
      if (headDim == 0 && hidden % heads != 0) {
        throw t.error(
            "num_attention_heads",
            heads,
            "a divisor of hidden_size (" + hidden + "), or give head_dim");
      }
    }

    MoeSpec moe = moe(arch, t, layers);
    int mlp = mlpWidth(arch, t, moe);
    SlidingWindow window = slidingWindow(arch, t, layers);
    boolean sinks = arch.equals("GptOssForCausalLM");
    String dtype = dtype(r, t);
    return new ModelSpec(
        name,
        layers,
        heads,
        kvHeads,
        hidden,
        mlp,
        vocab,
        true,
        maxPos,
        norm,
        activation,
        true,
        false,
        source + " (" + arch + ")",
        headDim,
        tied,
        dtype,
        moe,
        mla,
        window,
        sinks,
        null);
  }

  private static String activation(Reader t) {
    String act = t.text("hidden_act", "silu").toLowerCase(Locale.ROOT);
    if (act.equals("silu") || act.equals("swish") || act.equals("swiglu")) {
      return "silu";
    }
    if (act.startsWith("gelu")) {
      return "gelu";
    }
    throw t.error("hidden_act", act, "silu, swish or gelu (every supported architecture is gated)");
  }

  /** The dense MLP width: the dense layers' width for MoE models that have them. */
  private static int mlpWidth(String arch, Reader t, MoeSpec moe) {
    if (arch.equals("Llama4ForConditionalGeneration")) {
      // intermediate_size is the experts' width; dense layers use intermediate_size_mlp
      return t.has("intermediate_size_mlp")
          ? t.positive("intermediate_size_mlp")
          : t.positive("intermediate_size");
    }
    if (moe != null && !t.has("intermediate_size")) {
      // every layer is MoE (gpt-oss names only the expert width): the dense width is unused
      return moe.expertHiddenDim();
    }
    return t.positive("intermediate_size");
  }

  private static MoeSpec moe(String arch, Reader t, int layers) {
    String countKey = null;
    for (String k : List.of("num_local_experts", "num_experts", "n_routed_experts")) {
      if (t.has(k) && !t.node(k).isNull()) {
        countKey = k;
        break;
      }
    }
    boolean moeArch =
        Map.of(
                "Qwen3MoeForCausalLM", true,
                "MixtralForCausalLM", true,
                "DeepseekV3ForCausalLM", true,
                "GptOssForCausalLM", true,
                "Llama4ForConditionalGeneration", true)
            .getOrDefault(arch, false);
    if (countKey == null) {
      for (String k :
          List.of(
              "num_experts_per_tok",
              "experts_per_token",
              "moe_intermediate_size",
              "n_shared_experts",
              "first_k_dense_replace",
              "decoder_sparse_step",
              "interleave_moe_layer_step")) {
        if (t.has(k) && !t.node(k).isNull()) {
          throw new ConfigException(
              t.field(k),
              "a mixture-of-experts field without an expert count; give num_local_experts,"
                  + " num_experts or n_routed_experts");
        }
      }
      if (moeArch) {
        throw t.missing(
            "num_local_experts",
            "the expert count of this mixture-of-experts architecture ("
                + arch
                + "): num_local_experts, num_experts or n_routed_experts");
      }
      return null;
    }
    if (!moeArch) {
      throw t.error(
          countKey,
          t.node(countKey).asText(),
          "no expert count: "
              + arch
              + " is dense (mixture-of-experts architectures: "
              + "Qwen3MoeForCausalLM, MixtralForCausalLM, DeepseekV3ForCausalLM, GptOssForCausalLM,"
              + " Llama4ForConditionalGeneration)");
    }
    int experts = t.positive(countKey);
    String topKey = t.has("num_experts_per_tok") ? "num_experts_per_tok" : "experts_per_token";
    int topK = t.positive(topKey);
    if (topK > experts) {
      throw t.error(topKey, topK, "at most the expert count " + countKey + " (" + experts + ")");
    }
    int width;
    if (arch.equals("Qwen3MoeForCausalLM") || arch.equals("DeepseekV3ForCausalLM")) {
      width = t.positive("moe_intermediate_size");
    } else {
      width = t.positive("intermediate_size");
    }
    int shared = 0;
    int sharedWidth = 0;
    int dense = 0;
    int step = 1;
    switch (arch) {
      case "DeepseekV3ForCausalLM" -> {
        shared = t.has("n_shared_experts") ? t.nonNegative("n_shared_experts") : 0;
        sharedWidth = shared > 0 ? width : 0;
        dense = t.has("first_k_dense_replace") ? t.nonNegative("first_k_dense_replace") : 0;
        step = t.has("moe_layer_freq") ? t.positive("moe_layer_freq") : 1;
      }
      case "Qwen3MoeForCausalLM" -> {
        step = t.has("decoder_sparse_step") ? t.positive("decoder_sparse_step") : 1;
        if (t.has("mlp_only_layers") && t.node("mlp_only_layers").size() > 0) {
          List<Integer> only = new ArrayList<>();
          t.node("mlp_only_layers").forEach(n -> only.add(n.asInt()));
          dense = leadingRun(only);
          if (dense != only.size()) {
            throw t.error(
                "mlp_only_layers",
                only,
                "the first layers in order from 0 (llmcap keeps dense layers at the start)");
          }
        }
      }
      case "Llama4ForConditionalGeneration" -> {
        // every Llama 4 MoE layer has one shared expert of the routed width
        shared = 1;
        sharedWidth = width;
        step = t.has("interleave_moe_layer_step") ? t.positive("interleave_moe_layer_step") : 1;
      }
      default -> {}
    }
    if (dense >= layers) {
      throw t.error(
          "first_k_dense_replace", dense, "fewer than num_hidden_layers (" + layers + ")");
    }
    return new MoeSpec(experts, topK, width, shared, sharedWidth, dense, step);
  }

  private static int leadingRun(List<Integer> layers) {
    int n = 0;
    while (n < layers.size() && layers.contains(n)) {
      n++;
    }
    return n;
  }

  private static SlidingWindow slidingWindow(String arch, Reader t, int layers) {
    if (arch.equals("Llama4ForConditionalGeneration")) {
      if (!t.has("attention_chunk_size") || t.node("attention_chunk_size").isNull()) {
        return null;
      }
      int chunk = t.positive("attention_chunk_size");
      // RoPE layers attend within their chunk; every no_rope_layer_interval-th layer (4) is global
      int interval = t.has("no_rope_layer_interval") ? t.positive("no_rope_layer_interval") : 4;
      int local = 0;
      if (t.has("no_rope_layers") && t.node("no_rope_layers").isArray()) {
        for (JsonNode n : t.node("no_rope_layers")) {
          local += n.asInt() != 0 ? 1 : 0;
        }
      } else {
        for (int l = 0; l < layers; l++) {
          local += (l + 1) % interval != 0 ? 1 : 0;
        }
      }
      return local == 0 ? null : new SlidingWindow(chunk, local);
    }
    JsonNode sw = t.has("sliding_window") ? t.node("sliding_window") : null;
    if (sw == null || sw.isNull()) {
      return null;
    }
    int window = t.positive("sliding_window");
    if (t.has("layer_types") && t.node("layer_types").isArray()) {
      int n = 0;
      for (JsonNode l : t.node("layer_types")) {
        String type = l.asText();
        if (type.equals("sliding_attention")) {
          n++;
        } else if (!type.equals("full_attention")) {
          throw t.error("layer_types", type, "sliding_attention or full_attention for every layer");
        }
      }
      if (t.node("layer_types").size() != layers) {
        throw t.error(
            "layer_types",
            t.node("layer_types").size() + " entries",
            "one entry per layer (num_hidden_layers " + layers + ")");
      }
      return n == 0 ? null : new SlidingWindow(window, n);
    }
    if (arch.startsWith("Qwen")) {
      // Qwen ships sliding_window with use_sliding_window false: no window
      if (!t.bool("use_sliding_window", false)) {
        return null;
      }
      // layers from max_window_layers on use the window (transformers' Qwen2 convention)
      int full = t.has("max_window_layers") ? t.nonNegative("max_window_layers") : 0;
      int n = Math.max(0, layers - full);
      return n == 0 ? null : new SlidingWindow(window, n);
    }
    // Mistral/Mixtral-style: one window on every layer, unless it spans the whole context
    if (t.has("max_position_embeddings") && window >= t.positive("max_position_embeddings")) {
      return null;
    }
    return new SlidingWindow(window, layers);
  }

  /** The checkpoint's weight format: the quantisation method if any, else torch_dtype. */
  private static String dtype(Reader r, Reader t) {
    Reader qSource = r.has("quantization_config") ? r : t.has("quantization_config") ? t : null;
    if (qSource != null) {
      Reader q = qSource.child("quantization_config");
      String method = q.text("quant_method", null);
      if (method == null) {
        throw q.missing("quant_method", "fp8, mxfp4, awq, gptq or compressed-tensors");
      }
      switch (method.toLowerCase(Locale.ROOT)) {
        case "fp8", "fbgemm_fp8" -> {
          return Precision.FP8.id();
        }
        case "mxfp4" -> {
          return Precision.MXFP4.id();
        }
        case "modelopt" -> {
          String algo = q.text("quant_algo", "").toLowerCase(Locale.ROOT);
          if (algo.equals("fp8")) {
            return Precision.FP8.id();
          }
          if (algo.equals("nvfp4")) {
            return Precision.NVFP4.id();
          }
          throw q.error("quant_algo", algo, "FP8 or NVFP4");
        }
        case "awq", "gptq" -> {
          int bits = q.has("bits") ? q.positive("bits") : 4;
          if (bits != 4) {
            throw q.error("bits", bits, "4 (int4 weight-only)");
          }
          return Precision.INT4.id();
        }
        case "compressed-tensors" -> {
          return compressedTensors(q);
        }
        default ->
            throw q.error(
                "quant_method",
                method,
                "fp8, fbgemm_fp8, modelopt, mxfp4, awq, gptq or compressed-tensors");
      }
    }
    String torch =
        t.text("torch_dtype", r.text("torch_dtype", t.text("dtype", r.text("dtype", null))));
    if (torch == null) {
      return Precision.BF16.id();
    }
    Precision p = Precision.parse(t.field("torch_dtype"), torch);
    if (!p.sixteenBit()) {
      throw t.error(
          "torch_dtype",
          torch,
          "float16 or bfloat16 (quantised formats come from quantization_config)");
    }
    return p.id();
  }

  /** compressed-tensors: the weights' bit width and type of the first config group. */
  private static String compressedTensors(Reader q) {
    Reader groups = q.child("config_groups");
    var it = groups.obj.fields();
    if (!it.hasNext()) {
      throw groups.missing("group_0", "at least one quantisation group");
    }
    var first = it.next();
    Reader g = groups.child(first.getKey());
    Reader w = g.child("weights");
    int bits = w.positive("num_bits");
    String type = w.text("type", "int").toLowerCase(Locale.ROOT);
    if (bits == 8 && type.equals("float")) {
      return Precision.FP8.id();
    }
    if (bits == 4 && type.equals("int")) {
      return Precision.INT4.id();
    }
    if (bits == 4 && type.equals("float")) {
      return Precision.NVFP4.id();
    }
    throw w.error(
        "num_bits", bits + " (" + type + ")", "8 (float: fp8), 4 (int: int4) or 4 (float: nvfp4)");
  }

  /**
   * The models.yaml entry for {@code m}, keys in the file's order; parts the model lacks (moe, mla,
   * sliding window, aliases) are left out.
   */
  public static com.fasterxml.jackson.databind.node.ObjectNode toYaml(ModelSpec m) {
    var y = Yaml.yaml();
    var n = y.createObjectNode();
    n.put("name", m.name());
    n.put("num_layers", m.numLayers());
    n.put("num_q_heads", m.numQHeads());
    n.put("num_kv_heads", m.numKvHeads());
    n.put("embedding_dim", m.embeddingDim());
    n.put("mlp_hidden_dim", m.mlpHiddenDim());
    n.put("vocab_size", m.vocabSize());
    n.put("use_gated_mlp", m.useGatedMlp());
    n.put("max_position_embeddings", m.maxPositionEmbeddings());
    n.put("norm", m.norm());
    n.put("activation", m.activation());
    n.put("post_attn_norm", m.postAttnNorm());
    n.put("no_tensor_parallel", m.noTensorParallel());
    n.put("head_dim", m.headDim());
    n.put("tied_embeddings", m.tiedEmbeddings());
    n.put("dtype", m.dtype());
    if (m.moe() != null) {
      MoeSpec e = m.moe();
      var o = n.putObject("moe");
      o.put("num_experts", e.numExperts());
      o.put("top_k", e.topK());
      o.put("expert_hidden_dim", e.expertHiddenDim());
      o.put("shared_experts", e.sharedExperts());
      o.put("shared_expert_hidden_dim", e.sharedExpertHiddenDim());
      o.put("dense_layers", e.denseLayers());
      o.put("layer_step", e.layerStep());
    }
    if (m.mla() != null) {
      MlaSpec a = m.mla();
      var o = n.putObject("mla");
      o.put("kv_lora_rank", a.kvLoraRank());
      o.put("q_lora_rank", a.qLoraRank());
      o.put("qk_nope_head_dim", a.qkNopeHeadDim());
      o.put("qk_rope_head_dim", a.qkRopeHeadDim());
      o.put("v_head_dim", a.vHeadDim());
    }
    if (m.slidingWindow() != null) {
      var o = n.putObject("sliding_window");
      o.put("window", m.slidingWindow().window());
      o.put("layers", m.slidingWindow().layers());
    }
    if (m.attentionSinks()) {
      n.put("attention_sinks", true);
    }
    if (!m.aliases().isEmpty()) {
      var a = n.putArray("aliases");
      m.aliases().forEach(a::add);
    }
    n.put("source", m.source());
    return n;
  }

  /** Field access that names {@code file: path.key} in every error. */
  private static final class Reader {
    final JsonNode obj;
    final String file;
    final String prefix;

    Reader(JsonNode obj, String file) {
      this(obj, file, "");
    }

    private Reader(JsonNode obj, String file, String prefix) {
      this.obj = obj;
      this.file = file;
      this.prefix = prefix;
    }

    String field(String key) {
      return file + ": " + prefix + key;
    }

    boolean has(String key) {
      return obj.has(key);
    }

    JsonNode node(String key) {
      return obj.get(key);
    }

    Reader child(String key) {
      JsonNode n = obj.get(key);
      if (n == null || !n.isObject()) {
        throw missing(key, "an object");
      }
      return new Reader(n, file, prefix + key + ".");
    }

    String architecture() {
      JsonNode a = obj.get("architectures");
      if (a == null || !a.isArray() || a.isEmpty()) {
        throw missing("architectures", "a list naming one of " + String.join(", ", ARCHITECTURES));
      }
      String arch = a.get(0).asText();
      if (!ARCHITECTURES.contains(arch)) {
        throw ConfigException.unknown(
            field("architectures[0]"), "architecture", arch, ARCHITECTURES);
      }
      return arch;
    }

    int positive(String key) {
      int v = integer(key);
      if (v <= 0) {
        throw error(key, v, "a positive integer");
      }
      return v;
    }

    int nonNegative(String key) {
      int v = integer(key);
      if (v < 0) {
        throw error(key, v, "an integer >= 0");
      }
      return v;
    }

    private int integer(String key) {
      JsonNode n = obj.get(key);
      if (n == null || n.isNull()) {
        throw missing(key, "an integer");
      }
      if (!n.isIntegralNumber() || !n.canConvertToInt()) {
        throw error(key, n.asText(), "an integer");
      }
      return n.intValue();
    }

    boolean bool(String key, boolean absent) {
      JsonNode n = obj.get(key);
      if (n == null || n.isNull()) {
        return absent;
      }
      if (!n.isBoolean()) {
        throw error(key, n.asText(), "true or false");
      }
      return n.booleanValue();
    }

    String text(String key, String absent) {
      JsonNode n = obj.get(key);
      return n == null || n.isNull() ? absent : n.asText();
    }

    ConfigException error(String key, Object value, String allowed) {
      return ConfigException.invalid(field(key), value, allowed);
    }

    ConfigException missing(String key, String allowed) {
      return new ConfigException(field(key), "missing; expected " + allowed);
    }
  }
}
