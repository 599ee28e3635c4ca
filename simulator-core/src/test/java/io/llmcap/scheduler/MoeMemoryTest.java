package io.llmcap.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.catalog.Precision;
import org.junit.jupiter.api.Test;

/**
 * Weights per GPU of mixture-of-experts deployments, against hand computations from the models'
 * Hugging Face configs: every expert's weights are held by the devices that own them.
 */
class MoeMemoryTest {
  private static final Catalog C = Catalog.builtin();

  /**
   * Mixtral-8x7B (hidden 4096, 32 layers, 32 query / 8 KV heads of 128, 8 experts of width 14336,
   * gated, vocab 32000, untied) in bf16 on two H100s:
   *
   * <pre>
   * attention / layer   q 4096·4096 + k, v 2·4096·1024 + o 4096·4096 = 41,943,040; / 2 = 20,971,520
   * experts / layer     8 · 3 · 4096 · 14336 = 1,409,286,144;           / 2 = 704,643,072
   * router / layer      4096 · 8 = 32,768 (replicated)
   * per layer per GPU   725,647,360; × 32 layers = 23,220,715,520
   * embedding + head    2 · 32000 · 4096 = 262,144,000;                 / 2 = 131,072,000
   * per GPU             23,351,787,520 elements × 2 B = 46,703,575,040 B = 43.50 GiB
   * </pre>
   */
  @Test
  void mixtralBf16Tp2() {
    Deployment d =
        new Deployment(
            C.model("mistralai/Mixtral-8x7B-v0.1", "m"),
            C.sku("h100", "s"),
            C.node("h100_dgx", "n"),
            2,
            1);
    assertEquals(23_220_715_520L, d.layerParamsPerDevice());
    assertEquals(23_351_787_520L, d.weightParamsPerDevice());
    assertEquals(2L * 23_220_715_520L, MemoryPlanner.weightBytes(d));
    assertEquals(46_703_575_040.0, VllmKvCapacity.weightBytes(d));
  }

  private static Deployment deepSeek(int tp, int ep, int dp, Precision weights) {
    ModelSpec m = C.model("deepseek-ai/DeepSeek-V3", "m");
    return new Deployment(
        m, C.sku("h200", "s"), C.node("h200_dgx", "n"), tp, 1, ep, dp, weights, Precision.BF16);
  }

  /*
   * DeepSeek-V3 (hidden 7168, 61 layers of which the first 3 are dense, 128 heads, MLA with
   * q_lora 1536, kv_lora 512, nope 128, rope 64, v 128; 256 routed experts of width 2048, top-8, one
   * shared expert of width 2048; dense FFN width 18432; vocab 129280, untied), per layer:
   *
   *   attention, replicated: q_a 7168·1536 = 11,010,048 + kv_a 7168·(512+64) = 4,128,768
   *                        = 15,138,816
   *   attention, by heads:  q_b 1536·128·192 = 37,748,736 + kv_b 512·128·256 = 16,777,216
   *                        + o 128·128·7168 = 117,440,512 = 171,966,464
   *   dense FFN:            3·7168·18432 = 396,361,728
   *   one expert:           3·7168·2048 = 44,040,192; 256 of them = 11,274,289,152
   *   router:               7168·256 = 1,835,008
   *   embedding + head:     2·129280·7168 = 1,853,358,080
   * (671,026,522,880 in all: the published 671B.)
   */

  /**
   * TP8, experts sharded over the 8 GPUs, fp8 (1 byte per element):
   *
   * <pre>
   * attention     15,138,816 + 171,966,464 / 8 = 36,634,624;        × 61 = 2,234,712,064
   * dense FFN     396,361,728 / 8 = 49,545,216;                      × 3  = 148,635,648
   * MoE FFN       11,274,289,152 / 8 + 44,040,192 / 8 + 1,835,008
   *             = 1,409,286,144 + 5,505,024 + 1,835,008 = 1,416,626,176; × 58 = 82,164,318,208
   * layers        84,547,665,920
   * embeddings    1,853,358,080 / 8 = 231,669,760
   * per GPU       84,779,335,680 elements = 84.8 GB in fp8 (78.96 GiB of the H200's 141)
   * </pre>
   */
  @Test
  void deepSeekV3Fp8Tp8() {
    Deployment d = deepSeek(8, 1, 1, Precision.FP8);
    assertEquals(84_547_665_920L, d.layerParamsPerDevice());
    assertEquals(84_779_335_680L, d.weightParamsPerDevice());
    assertEquals(84_547_665_920L, MemoryPlanner.weightBytes(d));
    MemoryPlan plan = MemoryPlanner.plan(d, 0.1, 4096, 16, null);
    assertEquals(84_547_665_920L, plan.paramBytesPerDevice());
  }

  /**
   * EP8 with attention DP8 (TP1 per group): each GPU holds 32 whole experts, the whole attention,
   * dense FFNs, shared expert and embeddings:
   *
   * <pre>
   * attention     187,105,280;                                       × 61 = 11,413,422,080
   * dense FFN     396,361,728;                                       × 3  = 1,189,085,184
   * MoE FFN       11,274,289,152 / 8 + 44,040,192 + 1,835,008
   *             = 1,409,286,144 + 44,040,192 + 1,835,008 = 1,455,161,344; × 58 = 84,399,357,952
   * layers        97,001,865,216
   * embeddings    1,853,358,080
   * per GPU       98,855,223,296 elements = 98.9 GB in fp8 (92.07 GiB)
   * </pre>
   */
  @Test
  void deepSeekV3Fp8Ep8Dp8() {
    Deployment d = deepSeek(1, 8, 8, Precision.FP8);
    assertEquals(8, d.devicesPerReplica());
    assertEquals(97_001_865_216L, d.layerParamsPerDevice());
    assertEquals(98_855_223_296L, d.weightParamsPerDevice());
    assertEquals(97_001_865_216L, MemoryPlanner.weightBytes(d));
  }

  /**
   * In bf16 the TP8 layers take 2 × 84,547,665,920 B = 157.5 GiB per GPU, over the 0.9 × 141 GiB =
   * 126.9 GiB usable: refused with the sizes.
   */
  @Test
  void deepSeekV3Bf16DoesNotFitOneH200Node() {
    Deployment d = deepSeek(8, 1, 1, Precision.BF16);
    ConfigException e =
        assertThrows(ConfigException.class, () -> MemoryPlanner.plan(d, 0.1, 4096, 16, null));
    String msg = e.getMessage();
    assertTrue(msg.contains("does not fit on h200"), msg);
    assertTrue(msg.contains("157.5 GiB of weights per device"), msg);
    assertTrue(msg.contains("only 126.9 GiB usable"), msg);
  }
}
