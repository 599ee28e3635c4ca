package io.llmcap.timing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OperatorTest {
  @Test
  void namesAreUniqueAndResolve() {
    Set<String> names = new HashSet<>();
    for (Operator op : Operator.values()) {
      assertTrue(names.add(op.profileName()), op.profileName());
      assertEquals(op, Operator.byName(op.profileName()));
    }
    assertThrows(IllegalArgumentException.class, () -> Operator.byName("moe_shuffle"));
  }

  @Test
  void moeOpsComeLastUnprofiledSoDenseSumsAndTablesAreUnchanged() {
    List<Operator> moe =
        List.of(
            Operator.MOE_GATE,
            Operator.MOE_UP_PROJ,
            Operator.MOE_ACT,
            Operator.MOE_DOWN_PROJ,
            Operator.MOE_ALL_TO_ALL);
    for (Operator op : moe) {
      assertTrue(op.ordinal() > Operator.ATTN_OUTPUT_RESHAPE.ordinal(), op.profileName());
      assertEquals(Operator.ProfileFile.NONE, op.file());
      assertEquals(Operator.Part.MLP, op.part());
    }
  }

  @Test
  void profileFilesHoldTheReferenceColumnsInTheReferenceOrder() {
    assertEquals(
        List.of(
            "emb",
            "input_layernorm",
            "attn_pre_proj",
            "attn_rope",
            "attn_post_proj",
            "post_attention_layernorm",
            "mlp_up_proj",
            "mlp_act",
            "mlp_down_proj",
            "add"),
        names(Operator.columnsOf(Operator.ProfileFile.MLP)));
    assertEquals(
        List.of(
            "attn_input_reshape",
            "attn_kv_cache_save",
            "attn_prefill",
            "attn_decode",
            "attn_output_reshape"),
        names(Operator.columnsOf(Operator.ProfileFile.ATTENTION)));
    assertEquals(
        List.of("all_reduce", "send_recv"),
        names(Operator.predictedIn(Operator.ProfileFile.NETWORK)));
    // emb and the reshapes are written for the format, never predicted.
    assertEquals(9, Operator.predictedIn(Operator.ProfileFile.MLP).size());
    assertEquals(3, Operator.predictedIn(Operator.ProfileFile.ATTENTION).size());
  }

  @Test
  void featuresFollowThePhase() {
    assertEquals(List.of("batch_size", "kv_cache_size"), Operator.ATTN_DECODE.features());
    assertEquals(
        List.of("kv_cache_size", "prefill_chunk_size_squared"), Operator.ATTN_PREFILL.features());
    assertEquals(List.of("num_tokens"), Operator.ALL_REDUCE.features());
    assertEquals(List.of("num_tokens"), Operator.ATTN_KV_CACHE_SAVE.features());
  }

  /** The composition as ExecutionTime wrote it out before operators had names. */
  private static double referenceTotalSeconds(double[] v, int layers) {
    double attnPreProj = v[0];
    double attnPostProj = v[1];
    double attnRope = v[2];
    double attnKvCacheSave = v[3];
    double attnDecode = v[4];
    double attnPrefill = v[5];
    double attnNorm = v[6];
    double mlpUpProj = v[7];
    double mlpDownProj = v[8];
    double mlpAct = v[9];
    double mlpNorm = v[10];
    double add = v[11];
    double tensorParallelComm = v[12];
    double pipelineComm = v[13];
    double cpuOverhead = v[14];
    double attention =
        attnPreProj
            + attnPostProj
            + attnRope
            + attnKvCacheSave
            + attnDecode
            + attnPrefill
            + tensorParallelComm
            + attnNorm;
    double mlp = mlpUpProj + mlpDownProj + mlpAct + tensorParallelComm + mlpNorm;
    double block = attention + mlp + add;
    double model = (block * layers + pipelineComm) * 1e-3;
    return model + cpuOverhead * 1e-3;
  }

  @Test
  void compositionAddsInTheReferenceOrderBitForBit() {
    Operator[] order = {
      Operator.ATTN_PRE_PROJ,
      Operator.ATTN_POST_PROJ,
      Operator.ATTN_ROPE,
      Operator.ATTN_KV_CACHE_SAVE,
      Operator.ATTN_DECODE,
      Operator.ATTN_PREFILL,
      Operator.INPUT_LAYERNORM,
      Operator.MLP_UP_PROJ,
      Operator.MLP_DOWN_PROJ,
      Operator.MLP_ACT,
      Operator.POST_ATTENTION_LAYERNORM,
      Operator.ADD,
      Operator.ALL_REDUCE,
      Operator.SEND_RECV,
      Operator.CPU_OVERHEAD
    };
    Random rnd = new Random(12);
    for (int trial = 0; trial < 10_000; trial++) {
      double[] v = new double[order.length];
      int layers = 1 + rnd.nextInt(80);
      ExecutionTime.Builder b = ExecutionTime.builder(layers);
      for (int i = 0; i < v.length; i++) {
        // Magnitudes from microseconds to seconds, so that rounding differs with the order.
        v[i] = rnd.nextInt(4) == 0 ? 0 : Math.pow(10, rnd.nextDouble() * 6 - 3);
        b.set(order[i], v[i]);
      }
      ExecutionTime t = b.build();
      assertEquals(referenceTotalSeconds(v, layers), t.totalSeconds(), 0.0, "trial " + trial);
    }
  }

  @Test
  void namedAccessorsReadTheirOperator() {
    ExecutionTime t =
        ExecutionTime.builder(2)
            .set(Operator.INPUT_LAYERNORM, 1)
            .set(Operator.POST_ATTENTION_LAYERNORM, 2)
            .set(Operator.ALL_REDUCE, 3)
            .set(Operator.SEND_RECV, 4)
            .set(Operator.CPU_OVERHEAD, 5)
            .build();
    assertEquals(1, t.attnNorm());
    assertEquals(2, t.mlpNorm());
    assertEquals(3, t.tensorParallelComm());
    assertEquals(4, t.pipelineComm());
    assertEquals(5, t.cpuOverhead());
    assertEquals(1 + 3, t.attentionLayerMs());
    assertEquals(3 + 2, t.mlpLayerMs());
    assertEquals(((4 + 5) * 2 + 4) * 1e-3, t.modelSeconds(), 1e-15);
    assertEquals(t.modelSeconds() + 5e-3, t.totalSeconds(), 1e-15);
  }

  private static List<String> names(List<Operator> ops) {
    return ops.stream().map(Operator::profileName).toList();
  }
}
