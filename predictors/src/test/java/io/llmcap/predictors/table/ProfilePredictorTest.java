package io.llmcap.predictors.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.DeviceSku;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.catalog.NodeSku;
import io.llmcap.predictors.profile.ProfileFolder;
import io.llmcap.timing.BatchView;
import io.llmcap.timing.ExecutionTime;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The reference's lookup keys and composition (vidur-behaviour §3.5, §5.6). */
class ProfilePredictorTest {
  static final DeviceSku SKU = new DeviceSku("a100", "A100 80GB", 312, 80, 2039, 300, "test");
  static final NodeSku NODE =
      new NodeSku("node_x", "a100", 8, 8, 300, 3, 32, 5, 25, 10, "nvswitch", "test");
  static final ModelSpec MHA =
      new ModelSpec(
          "test-org/mha",
          4,
          8,
          8,
          512,
          1024,
          1000,
          true,
          4096,
          "rms_norm",
          "silu",
          false,
          false,
          "t");

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
      return Arrays.stream(tokens).sum();
    }
  }

  /** The synthetic tables' time of a token-level op, by name. */
  private static double tokenMs(String op, int tokens) {
    return OpTablesTest.tokenMs(ProfileFolder.MLP_OPS.indexOf(op), tokens);
  }

  private static ProfilePredictor predictor(ModelSpec model, int tp, int pp) {
    return new ProfilePredictor(
        new Deployment(model, SKU, NODE, tp, pp), OpTablesTest.tables(true), "synthetic tables");
  }

  @Test
  void composesTheReferenceLookups() {
    ProfilePredictor p = predictor(OpTablesTest.GQA, 2, 2);
    // Two prefills (chunks 30 and 40, 70 and 0 tokens done) and three decodes (KV 100, 200, 301).
    Batch b =
        new Batch(
            new int[] {30, 40, 1, 1, 1},
            new int[] {70, 0, 100, 200, 301},
            new boolean[] {true, true, false, false, false});
    ExecutionTime et = p.predict(b, 0);
    int t = 80; // 73 tokens rounded up to 8
    assertEquals(tokenMs("attn_pre_proj", t), et.attnPreProj(), 1e-12);
    assertEquals(tokenMs("attn_post_proj", t), et.attnPostProj(), 1e-12);
    assertEquals(tokenMs("mlp_up_proj", t), et.mlpUpProj(), 1e-12);
    assertEquals(tokenMs("mlp_down_proj", t), et.mlpDownProj(), 1e-12);
    assertEquals(tokenMs("mlp_act", t), et.mlpAct(), 1e-12);
    assertEquals(tokenMs("input_layernorm", t), et.attnNorm(), 1e-12);
    assertEquals(tokenMs("post_attention_layernorm", t), et.mlpNorm(), 1e-12);
    assertEquals(tokenMs("attn_rope", t), et.attnRope(), 1e-12);
    assertEquals(tokenMs("add", t), et.add(), 1e-12);
    assertEquals(OpTablesTest.kvSaveMs(73), et.attnKvCacheSave(), 1e-12, "unrounded total");
    assertEquals(OpTablesTest.allReduceMs(t) + 0.02, et.tensorParallelComm(), 1e-12);
    assertEquals(OpTablesTest.sendRecvMs(t), et.pipelineComm(), 1e-12);
    // int(mean(100, 200, 301)) = 200, rounded up to 256; three decodes with GQA: +10%.
    assertEquals(OpTablesTest.decodeMs(3, 256) * 1.1, et.attnDecode(), 1e-12);
    // KV = roundup64(70) + roundup64(0) = 128; C = round(sqrt(900 + 1600)) = 50; two prefills.
    assertEquals(OpTablesTest.prefillMs(128, 2500) * 1.1, et.attnPrefill(), 1e-12);
    assertEquals(0, et.cpuOverhead());
    assertEquals(2, et.layers());
    assertEquals(0, p.predict(b, 1).pipelineComm(), "no send/recv on the last stage");
    assertEquals(0, p.extrapolatedLookups());
  }

  @Test
  void singleRequestsAndMhaGetNoBatchingOverheadAndNoPostAttentionNorm() {
    ProfilePredictor gqa = predictor(OpTablesTest.GQA, 1, 1);
    Batch one = new Batch(new int[] {1}, new int[] {65}, new boolean[] {false});
    assertEquals(OpTablesTest.decodeMs(1, 128), gqa.predict(one, 0).attnDecode(), 1e-12);
    assertEquals(0, gqa.predict(one, 0).tensorParallelComm());
    assertEquals(0, gqa.predict(one, 0).pipelineComm());

    ProfilePredictor mha = predictor(MHA, 1, 1);
    Batch two = new Batch(new int[] {1, 1}, new int[] {64, 64}, new boolean[] {false, false});
    ExecutionTime et = mha.predict(two, 0);
    assertEquals(OpTablesTest.decodeMs(2, 64), et.attnDecode(), 1e-12);
    assertEquals(0, et.mlpNorm(), "post_attn_norm false");
    assertEquals(0, et.attnPrefill());
    Batch prefills = new Batch(new int[] {3, 4}, new int[] {0, 0}, new boolean[] {true, true});
    assertEquals(OpTablesTest.prefillMs(0, 25), mha.predict(prefills, 0).attnPrefill(), 1e-12);
  }

  @Test
  void extrapolatedLookupsAreCountedAndReported() {
    ProfilePredictor p = predictor(OpTablesTest.GQA, 2, 1);
    Batch huge = new Batch(new int[] {3000}, new int[] {0}, new boolean[] {true});
    ExecutionTime et = p.predict(huge, 0);
    assertTrue(et.attnPrefill() > 0 && Double.isFinite(et.modelSeconds()));
    // Tokens, KV-save and prefill keys all lie beyond the 2048 limits.
    assertEquals(3, p.extrapolatedLookups());
    Batch manyDecodes = new Batch(new int[100], new int[100], new boolean[100]);
    Arrays.fill(manyDecodes.tokens(), 1);
    Arrays.fill(manyDecodes.processed(), 5000);
    p.predict(manyDecodes, 0);
    assertEquals(4, p.extrapolatedLookups());
    assertTrue(p.describe().contains("4 lookups extrapolated"), p.describe());
  }

  @Test
  void verifyPassIsLookedUpAsAPrefillChunk() {
    ProfilePredictor p = predictor(OpTablesTest.GQA, 1, 1);
    Batch verify = new Batch(new int[] {5}, new int[] {130}, new boolean[] {false});
    Batch chunk = new Batch(new int[] {5}, new int[] {130}, new boolean[] {true});
    assertEquals(p.predict(chunk, 0), p.predict(verify, 0));
    assertEquals(0, p.predict(verify, 0).attnDecode());
  }

  @Test
  void deterministic() {
    ProfilePredictor a = predictor(OpTablesTest.GQA, 2, 2);
    ProfilePredictor b = predictor(OpTablesTest.GQA, 2, 2);
    Batch batch =
        new Batch(new int[] {17, 1, 1}, new int[] {0, 999, 12}, new boolean[] {true, false, false});
    assertEquals(a.predict(batch, 0), b.predict(batch, 0));
  }

  @Test
  void missingCollectivesAreAConfigError() {
    OpTables noComm = OpTablesTest.tables(false);
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                new ProfilePredictor(
                    new Deployment(OpTablesTest.GQA, SKU, NODE, 2, 1), noComm, "no collectives"));
    assertTrue(e.getMessage().contains("all-reduce"), e.getMessage());
  }
}
