package io.llmcap.timing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StageComposerTest {
  /** Requests as (tokens, processed, prefill). */
  record Batch(int[] tokens, int[] processed, boolean[] prefill) implements BatchView {
    @Override
    public int size() {
      return tokens.length;
    }

    @Override
    public int numTokens(int i) {
      return tokens[i];
    }

    @Override
    public int processedBefore(int i) {
      return processed[i];
    }

    @Override
    public boolean isPrefill(int i) {
      return prefill[i];
    }

    @Override
    public int totalTokens() {
      int t = 0;
      for (int x : tokens) {
        t += x;
      }
      return t;
    }
  }

  /** Records what the composer tells it; every op costs its ordinal + 1 ms. */
  static class Recorder implements StageComposer.BatchCosts {
    final List<String> requests = new ArrayList<>();
    final Set<Operator> asked = EnumSet.noneOf(Operator.class);
    int total = -1;
    StageComposer.BatchSums sums;

    @Override
    public double prefillTerm(int chunk, int processed) {
      requests.add("prefill " + chunk + "@" + processed);
      return chunk + processed;
    }

    @Override
    public double ms(Operator op, StageComposer.BatchSums b) {
      asked.add(op);
      total = b.totalTokens();
      sums = b;
      return op.ordinal() + 1;
    }
  }

  private static final Set<Operator> ALWAYS =
      EnumSet.of(
          Operator.ATTN_PRE_PROJ,
          Operator.ATTN_POST_PROJ,
          Operator.ATTN_ROPE,
          Operator.ATTN_KV_CACHE_SAVE,
          Operator.MLP_UP_PROJ,
          Operator.MLP_DOWN_PROJ,
          Operator.MLP_ACT,
          Operator.INPUT_LAYERNORM,
          Operator.ADD,
          Operator.CPU_OVERHEAD);

  private static Set<Operator> plus(Operator... ops) {
    Set<Operator> s = EnumSet.copyOf(ALWAYS);
    s.addAll(List.of(ops));
    return s;
  }

  @Test
  void splitsPrefillVerifyAndDecodeInBatchOrder() {
    StageComposer c = new StageComposer(4, 1, false, false);
    // a prefill chunk, a decode, a verify pass of 1 + 3 tokens
    Batch b =
        new Batch(
            new int[] {30, 1, 4}, new int[] {70, 100, 200}, new boolean[] {true, false, false});
    Recorder r = new Recorder();
    ExecutionTime t = c.compose(b, 0, r);
    assertEquals(List.of("prefill 30@70", "prefill 4@200"), r.requests);
    assertEquals(
        new StageComposer.BatchSums(35, 2, 34, 270, 30 * 30 + 4 * 4, 100 + 204, 1, 100), r.sums);
    assertEquals(35, r.total);
    assertEquals(plus(Operator.ATTN_PREFILL, Operator.ATTN_DECODE), r.asked);
    assertEquals(4, t.layers());
    assertEquals(Operator.ATTN_PREFILL.ordinal() + 1, t.attnPrefill());
    assertEquals(0, t.mlpNorm(), "no post-attention norm in this model");
  }

  @Test
  void attentionOfAPhaseOnlyWhenTheBatchHasIt() {
    StageComposer c = new StageComposer(1, 1, false, true);
    Recorder prefills = new Recorder();
    c.compose(new Batch(new int[] {8}, new int[] {0}, new boolean[] {true}), 0, prefills);
    assertEquals(plus(Operator.ATTN_PREFILL, Operator.POST_ATTENTION_LAYERNORM), prefills.asked);
    Recorder decodes = new Recorder();
    c.compose(
        new Batch(new int[] {1, 1}, new int[] {5, 9}, new boolean[] {false, false}), 0, decodes);
    assertEquals(plus(Operator.ATTN_DECODE, Operator.POST_ATTENTION_LAYERNORM), decodes.asked);
  }

  @Test
  void tensorAndPipelineParallelCommunication() {
    StageComposer c = new StageComposer(2, 3, true, false);
    Batch b = new Batch(new int[] {1}, new int[] {5}, new boolean[] {false});
    for (int stage = 0; stage < 3; stage++) {
      Recorder r = new Recorder();
      ExecutionTime t = c.compose(b, stage, r);
      Set<Operator> expected =
          stage < 2
              ? plus(Operator.ATTN_DECODE, Operator.ALL_REDUCE, Operator.SEND_RECV)
              : plus(Operator.ATTN_DECODE, Operator.ALL_REDUCE);
      assertEquals(expected, r.asked, "stage " + stage);
      assertEquals(stage < 2 ? Operator.SEND_RECV.ordinal() + 1 : 0, t.pipelineComm());
      // the all-reduce counts once in each sublayer
      double ar = Operator.ALL_REDUCE.ordinal() + 1;
      assertEquals(
          t.attnPreProj()
              + t.attnPostProj()
              + t.attnRope()
              + t.attnKvCacheSave()
              + t.attnDecode()
              + ar
              + t.attnNorm(),
          t.attentionLayerMs());
      assertEquals(t.mlpUpProj() + t.mlpDownProj() + t.mlpAct() + ar, t.mlpLayerMs());
    }
    assertThrows(IllegalArgumentException.class, () -> c.compose(b, 3, new Recorder()));
  }

  @Test
  void moeOpsOnMoeLayersEachTimedAsItsShareOfTheStage() {
    // Two stages of 4 layers: stage 0 has 1 dense and 3 MoE layers, stage 1 only MoE layers.
    StageComposer c = new StageComposer(4, 2, false, false, false, new int[] {3, 4}, 0, 0);
    Batch b = new Batch(new int[] {1}, new int[] {5}, new boolean[] {false});
    Recorder r0 = new Recorder();
    ExecutionTime t0 = c.compose(b, 0, r0);
    Set<Operator> moe =
        EnumSet.of(
            Operator.MOE_GATE, Operator.MOE_UP_PROJ, Operator.MOE_ACT, Operator.MOE_DOWN_PROJ);
    assertEquals(true, r0.asked.containsAll(moe));
    assertEquals(false, r0.asked.contains(Operator.MOE_ALL_TO_ALL), "no data parallelism");
    assertEquals(0.25 * (Operator.MLP_UP_PROJ.ordinal() + 1), t0.mlpUpProj());
    assertEquals(0.75 * (Operator.MOE_UP_PROJ.ordinal() + 1), t0.ms(Operator.MOE_UP_PROJ));
    Recorder r1 = new Recorder();
    ExecutionTime t1 = c.compose(b, 1, r1);
    assertEquals(false, r1.asked.contains(Operator.MLP_UP_PROJ), "no dense layer on stage 1");
    assertEquals(0, t1.mlpUpProj());
    assertEquals(Operator.MOE_DOWN_PROJ.ordinal() + 1, t1.ms(Operator.MOE_DOWN_PROJ));
  }

  @Test
  void dispatchAndCombineOnlyUnderDataParallelism() {
    StageComposer c = new StageComposer(2, 1, false, false, true, new int[] {2}, 0, 0);
    Recorder r = new Recorder();
    ExecutionTime t =
        c.compose(new Batch(new int[] {1}, new int[] {5}, new boolean[] {false}), 0, r);
    assertEquals(true, r.asked.contains(Operator.MOE_ALL_TO_ALL));
    assertEquals(Operator.MOE_ALL_TO_ALL.ordinal() + 1, t.ms(Operator.MOE_ALL_TO_ALL));
    assertEquals(true, t.mlpLayerMs() >= t.ms(Operator.MOE_ALL_TO_ALL), "part of the MoE sublayer");
  }

  /** A recorder whose attention costs {@code scale} times its ordinal + 1. */
  static final class Scaled extends Recorder {
    final double scale;

    Scaled(double scale) {
      this.scale = scale;
    }

    @Override
    public double ms(Operator op, StageComposer.BatchSums b) {
      return op.phase() == Operator.Phase.TOKENS ? super.ms(op, b) : scale * super.ms(op, b);
    }
  }

  @Test
  void slidingLayersAttendOverTheWindowOnly() {
    // 4 layers, 2 of them with a 128-token window (gpt-oss alternates)
    StageComposer c = new StageComposer(4, 1, false, false, false, null, 2, 128);
    Batch b =
        new Batch(
            new int[] {300, 1, 1, 50},
            new int[] {0, 1000, 20, 100},
            new boolean[] {true, false, false, true});
    Recorder full = new Recorder();
    Recorder windowed = new Scaled(0.5);
    ExecutionTime t = c.compose(b, 0, full, windowed);
    assertEquals(List.of("prefill 300@0", "prefill 50@100"), full.requests);
    // the 300-token prompt: its first 128 queries see every earlier token; the other 172 each
    // see 128 keys, as causal pieces of 128 after 128 − 64 = 64 and of 44 after 128 − 22 = 106
    // (pairs: 128 · 64 + 128 · 129 / 2 = 128 · 128; 44 · 106 + 44 · 45 / 2 = 44 · 128).
    // Decodes attend over min(processed + 1, 128) tokens. The last chunk: 28 queries inside the
    // window, then 22 after 128 − 11 = 117.
    assertEquals(
        List.of(
            "prefill 128@0",
            "prefill 128@64",
            "prefill 44@106",
            "prefill 28@100",
            "prefill 22@117"),
        windowed.requests);
    assertEquals(1000 + 20, full.sums.decodeCached());
    assertEquals(127 + 20, windowed.sums.decodeCached());
    assertEquals(2, windowed.sums.decodes());
    assertEquals(5, windowed.sums.prefills());
    assertEquals(350, windowed.sums.prefillTokens());
    // attention per layer: the mean of 2 full and 2 windowed layers (windowed costs half here)
    double prefill = Operator.ATTN_PREFILL.ordinal() + 1;
    assertEquals((2 * prefill + 2 * 0.5 * prefill) / 4, t.ms(Operator.ATTN_PREFILL));
    double decode = Operator.ATTN_DECODE.ordinal() + 1;
    assertEquals((2 * decode + 2 * 0.5 * decode) / 4, t.ms(Operator.ATTN_DECODE));
    // token-level ops come from the full costs alone
    assertEquals(Operator.MLP_UP_PROJ.ordinal() + 1, t.ms(Operator.MLP_UP_PROJ));
    assertEquals(EnumSet.of(Operator.ATTN_PREFILL, Operator.ATTN_DECODE), windowed.asked);
  }

  @Test
  void everyLayerSlidingUsesOnlyTheWindowedCosts() {
    StageComposer c = new StageComposer(2, 1, false, false, false, null, 2, 4096);
    Recorder full = new Recorder();
    Recorder windowed = new Scaled(0.25);
    ExecutionTime t =
        c.compose(
            new Batch(new int[] {1}, new int[] {9000}, new boolean[] {false}), 0, full, windowed);
    assertEquals(4095, windowed.sums.decodeCached());
    assertEquals(0.25 * (Operator.ATTN_DECODE.ordinal() + 1), t.ms(Operator.ATTN_DECODE));
    assertEquals(false, full.asked.contains(Operator.ATTN_DECODE));
  }
}
