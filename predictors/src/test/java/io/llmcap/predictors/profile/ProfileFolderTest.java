package io.llmcap.predictors.profile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.ModelSpec;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Row selection and errors on small hand-made profiles, then every real profile when present. */
class ProfileFolderTest {
  /** The shape the synthetic profiles under {@code profiles/} were written for. */
  static final ModelSpec TINY =
      new ModelSpec(
          "test-org/tiny",
          2,
          4,
          2,
          64,
          128,
          1000,
          true,
          4096,
          "rms_norm",
          "silu",
          true,
          false,
          "t");

  static Path resources(String name) {
    try {
      return Path.of(ProfileFolderTest.class.getResource("/profiles/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, OpSamples> byOp(List<OpSamples> samples) {
    return samples.stream().collect(Collectors.toMap(OpSamples::op, Function.identity()));
  }

  @Test
  void mlpSelectsShapeAndTpDropsDuplicatesAndEmptyCellsAndZeroFillsMissingOps() {
    ProfileFolder folder = ProfileFolder.open(resources("good"));
    Map<String, OpSamples> ops = byOp(folder.mlp(TINY, "a100", 1));
    assertEquals(ProfileFolder.MLP_OPS.size(), ops.size());
    OpSamples up = ops.get("mlp_up_proj");
    // 5 token counts at TP1; the duplicated line and the other shape are not selected.
    assertEquals(5, up.size());
    assertArrayEquals(new String[] {"num_tokens"}, up.featureNames());
    assertEquals(8, up.features()[1][0]);
    assertTrue(up.source().contains("num_tensor_parallel_workers=1"), up.source());
    // tokens 16 has an empty attn_pre_proj cell: dropped for that op only.
    assertEquals(4, ops.get("attn_pre_proj").size());
    // add and post_attention_layernorm are absent from the file: 0 ms.
    for (String op : List.of("add", "post_attention_layernorm")) {
      assertEquals(5, ops.get(op).size());
      for (double y : ops.get(op).targetMs()) {
        assertEquals(0, y);
      }
    }
    assertEquals(5, byOp(folder.mlp(TINY, "a100", 2)).get("mlp_act").size());
  }

  @Test
  void mlpIgnoresVocabSize() {
    ModelSpec otherVocab =
        new ModelSpec(
            "test-org/tiny",
            2,
            4,
            2,
            64,
            128,
            32000,
            true,
            4096,
            "rms_norm",
            "silu",
            true,
            false,
            "t");
    assertEquals(
        5,
        byOp(ProfileFolder.open(resources("good")).mlp(otherVocab, "a100", 1))
            .get("mlp_up_proj")
            .size());
  }

  @Test
  void attentionSplitsPrefillDecodeAndSaveAndKeepsTheCommonBlockSize() {
    Map<String, OpSamples> ops =
        byOp(ProfileFolder.open(resources("good")).attention(TINY, "a100", 1));
    OpSamples prefill = ops.get(ProfileFolder.ATTN_PREFILL);
    OpSamples decode = ops.get(ProfileFolder.ATTN_DECODE);
    OpSamples save = ops.get(ProfileFolder.ATTN_KV_CACHE_SAVE);
    // The block-32 row and the other shape's row are left out.
    assertEquals(4, prefill.size());
    assertEquals(4, decode.size());
    assertEquals(8, save.size());
    assertArrayEquals(
        new String[] {"kv_cache_size", "prefill_chunk_size_squared"}, prefill.featureNames());
    assertArrayEquals(new double[] {64, 64 * 64}, prefill.features()[3]);
    assertArrayEquals(new String[] {"batch_size", "kv_cache_size"}, decode.featureNames());
    assertArrayEquals(new double[] {8, 256}, decode.features()[3]);
    // num_tokens = max(prefill_chunk_size, batch_size)
    assertEquals(16, save.features()[0][0]);
    assertEquals(8, save.features()[7][0]);
    assertTrue(save.targetMs()[0] > 0);
    assertTrue(prefill.source().contains("block_size=16"), prefill.source());
  }

  @Test
  void legacyAttentionFileReadsDirectlyWithZeroKvSave() {
    Path file = resources("legacy/attention_n_embd64_q4_kv2_tp2.csv");
    Map<String, OpSamples> ops = byOp(ProfileFolder.attentionFile(file, TINY, 2));
    assertEquals(3, ops.get(ProfileFolder.ATTN_PREFILL).size());
    assertEquals(3, ops.get(ProfileFolder.ATTN_DECODE).size());
    assertEquals(6, ops.get(ProfileFolder.ATTN_KV_CACHE_SAVE).size());
    for (double y : ops.get(ProfileFolder.ATTN_KV_CACHE_SAVE).targetMs()) {
      assertEquals(0, y);
    }
    ConfigException e =
        assertThrows(ConfigException.class, () -> ProfileFolder.attentionFile(file, TINY, 1));
    assertTrue(e.getMessage().contains("TP 2 only"), e.getMessage());
  }

  @Test
  void networkSelectsWorkersAndDevicesPerNode() {
    ProfileFolder folder = ProfileFolder.open(resources("good"));
    OpSamples ar = folder.allReduce("node_x", 2, 64);
    assertEquals(3, ar.size());
    // 1024 bytes of fp16 over a 64-wide hidden state: 8 tokens.
    assertEquals(8, ar.features()[1][0]);
    assertEquals(0.021, ar.targetMs()[1], 1e-12);
    assertEquals(3, folder.allReduce("node_x", 4, 64).size());
    OpSamples intra = folder.sendRecv("node_x", false, 64);
    OpSamples inter = folder.sendRecv("node_x", true, 64);
    assertEquals(3, intra.size());
    assertTrue(inter.targetMs()[0] > intra.targetMs()[0]);
    ConfigException e =
        assertThrows(ConfigException.class, () -> folder.allReduce("node_x", 8, 64));
    assertTrue(e.getMessage().contains("num_workers=8"), e.getMessage());
    assertTrue(e.getMessage().contains("num_workers=4 devices_per_node=4"), e.getMessage());
  }

  @Test
  void overlayTakesEachFileFromTheFirstRootThatHasIt(@TempDir Path tmp) throws IOException {
    Path attentionOnly = tmp.resolve("attn/compute/a100/test-org/tiny");
    Files.createDirectories(attentionOnly);
    Path legacy = resources("legacy/attention_n_embd64_q4_kv2_tp2.csv");
    Files.copy(legacy, attentionOnly.resolve("attention.csv"));
    ProfileFolder folder = ProfileFolder.overlay(List.of(tmp.resolve("attn"), resources("good")));
    assertTrue(folder.attentionPath(TINY, "a100").startsWith(tmp));
    assertTrue(folder.mlpPath(TINY, "a100").startsWith(resources("good")));
    // The legacy file has TP2 only, so TP1 attention fails rather than falling through.
    assertThrows(ConfigException.class, () -> folder.attention(TINY, "a100", 1));
  }

  @Test
  void errorsNameTheFileTheColumnTheLineAndTheValue() {
    ConfigException notDir =
        assertThrows(ConfigException.class, () -> ProfileFolder.open(Path.of("/no/such/folder")));
    assertTrue(notDir.getMessage().contains("/no/such/folder"), notDir.getMessage());

    ConfigException missingFile =
        assertThrows(
            ConfigException.class,
            () -> ProfileFolder.open(resources("good")).mlp(TINY, "h100", 1));
    assertTrue(
        missingFile.getMessage().contains("compute/h100/test-org/tiny/mlp.csv"),
        missingFile.getMessage());

    ConfigException column =
        assertThrows(
            ConfigException.class,
            () -> ProfileFolder.open(resources("missing-column")).mlp(TINY, "a100", 1));
    assertTrue(column.getMessage().contains("mlp.csv"), column.getMessage());
    assertTrue(column.getMessage().contains("time_stats.mlp_up_proj.median"), column.getMessage());

    ConfigException cell =
        assertThrows(
            ConfigException.class,
            () -> ProfileFolder.open(resources("non-numeric")).mlp(TINY, "a100", 1));
    assertTrue(cell.getMessage().contains("mlp.csv:3"), cell.getMessage());
    assertTrue(cell.getMessage().contains("time_stats.mlp_act.median"), cell.getMessage());
    assertTrue(cell.getMessage().contains("'fast'"), cell.getMessage());

    ConfigException negative =
        assertThrows(
            ConfigException.class,
            () -> ProfileFolder.open(resources("negative-time")).mlp(TINY, "a100", 1));
    assertTrue(negative.getMessage().contains("mlp.csv:3"), negative.getMessage());
    assertTrue(negative.getMessage().contains("negative"), negative.getMessage());

    ConfigException tp =
        assertThrows(
            ConfigException.class,
            () -> ProfileFolder.open(resources("good")).mlp(TINY, "a100", 4));
    assertTrue(tp.getMessage().contains("num_tensor_parallel_workers=4"), tp.getMessage());
    assertTrue(tp.getMessage().contains("TP 1, 2 only"), tp.getMessage());

    ModelSpec wide =
        new ModelSpec(
            "test-org/tiny",
            2,
            16,
            16,
            256,
            512,
            1000,
            true,
            4096,
            "rms_norm",
            "silu",
            true,
            false,
            "t");
    ConfigException shape =
        assertThrows(
            ConfigException.class,
            () -> ProfileFolder.open(resources("good")).mlp(wide, "a100", 1));
    assertTrue(shape.getMessage().contains("n_head=16"), shape.getMessage());
    assertTrue(shape.getMessage().contains("n_head=4 n_kv_head=2 n_embd=64"), shape.getMessage());
  }

  // ---- every real profile, when the shared data is present ----

  private static Path sharedProfiles() {
    String shared = System.getProperty("llmcap.shared");
    Path dir = shared == null ? null : Path.of(shared, "data", "profiles");
    Assumptions.assumeTrue(
        dir != null && Files.isDirectory(dir), "no shared profiles (llmcap.shared=" + shared + ")");
    return dir;
  }

  @Test
  void readsEveryRealMlpProfile() throws IOException {
    Path root = sharedProfiles();
    ProfileFolder folder = ProfileFolder.open(root);
    Catalog catalog = Catalog.builtin();
    List<Path> files;
    try (Stream<Path> s = Files.walk(root.resolve("compute"))) {
      files = s.filter(p -> p.getFileName().toString().equals("mlp.csv")).sorted().toList();
    }
    assertTrue(files.size() >= 20, "mlp files: " + files.size());
    for (Path f : files) {
      Path rel = root.resolve("compute").relativize(f);
      String sku = rel.getName(0).toString();
      ModelSpec model = catalog.model(rel.getName(1) + "/" + rel.getName(2), "model");
      for (OpSamples s : folder.mlp(model, sku, 1)) {
        assertTrue(s.size() > 100, f + " " + s.op() + ": " + s.size());
      }
    }
    // The A30 Qwen profile has empty attn_pre_proj cells: those rows are dropped.
    ModelSpec qwen = catalog.model("Qwen/Qwen-2-7B", "model");
    Map<String, OpSamples> a30 = byOp(folder.mlp(qwen, "a30", 1));
    assertTrue(a30.get("attn_pre_proj").size() < a30.get("mlp_up_proj").size());
  }

  @Test
  void readsEveryRealAttentionAndNetworkProfile() {
    Path root = sharedProfiles();
    Catalog catalog = Catalog.builtin();
    ProfileFolder measured = ProfileFolder.open(root);
    ProfileFolder synthetic = ProfileFolder.open(root.resolve("synthetic-attention"));
    Map<String, OpSamples> a30 =
        byOp(measured.attention(catalog.model("Qwen/Qwen-2-7B", "model"), "a30", 1));
    assertTrue(a30.get(ProfileFolder.ATTN_PREFILL).size() > 100);
    assertTrue(a30.get(ProfileFolder.ATTN_DECODE).size() > 100);
    assertTrue(a30.get(ProfileFolder.ATTN_KV_CACHE_SAVE).targetMs()[0] > 0);
    for (String m :
        List.of(
            "meta-llama/Llama-2-7b-hf",
            "meta-llama/Llama-2-70b-hf",
            "meta-llama/Meta-Llama-3-8B")) {
      for (int tp : new int[] {1, 2, 4, 8}) {
        for (OpSamples s : synthetic.attention(catalog.model(m, "model"), "a100", tp)) {
          assertTrue(s.size() > 10, m + " TP" + tp + " " + s.op());
        }
      }
    }
    Map<String, OpSamples> legacy =
        byOp(
            ProfileFolder.attentionFile(
                root.resolve("compute-legacy/a100/attention_n_embd8192_q64_kv8_tp2.csv"),
                catalog.model("meta-llama/Llama-2-70b-hf", "model"),
                2));
    // 4418 prefill and 10240 decode rows, 22 and 6 of them exact duplicates.
    assertEquals(4396, legacy.get(ProfileFolder.ATTN_PREFILL).size());
    assertEquals(10234, legacy.get(ProfileFolder.ATTN_DECODE).size());

    Map<String, int[]> tps =
        Map.of(
            "a100_dgx", new int[] {2, 4, 8},
            "h100_dgx", new int[] {2, 4, 8},
            "a100_pairwise_nvlink", new int[] {2, 4},
            "h100_pairwise_nvlink", new int[] {2, 4});
    for (var e : tps.entrySet()) {
      for (int tp : e.getValue()) {
        assertTrue(measured.allReduce(e.getKey(), tp, 4096).size() > 100, e.getKey() + tp);
      }
    }
    for (String node :
        List.of("a100_dgx", "h100_dgx", "a100_pairwise_nvlink", "a40_pairwise_nvlink")) {
      assertTrue(measured.sendRecv(node, false, 4096).size() > 100, node);
      assertTrue(measured.sendRecv(node, true, 4096).size() > 100, node);
    }
    assertTrue(measured.sendRecv("a30_single_gpu", true, 3584).size() > 100);
    ConfigException a30Tp2 =
        assertThrows(ConfigException.class, () -> measured.allReduce("a30_single_gpu", 2, 3584));
    assertTrue(
        a30Tp2.getMessage().contains("num_workers=2 devices_per_node=1"), a30Tp2.getMessage());
    assertThrows(ConfigException.class, () -> measured.allReduce("a40_pairwise_nvlink", 2, 4096));
  }
}
