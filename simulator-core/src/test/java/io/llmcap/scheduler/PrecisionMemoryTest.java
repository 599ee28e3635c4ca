package io.llmcap.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.NodeSku;
import io.llmcap.catalog.Precision;
import org.junit.jupiter.api.Test;

/**
 * Weights and KV cache per GPU in each precision, against hand computations (issue 14, must-hold
 * 2). Model shapes from {@code models.yaml}: Llama-3.1-70B-Instruct has 80 layers, hidden 8192, 64
 * query and 8 KV heads of 128, MLP 28672, vocabulary 128256; DeepSeek-V3 has 61 layers and MLA with
 * kv_lora_rank 512 and qk_rope_head_dim 64.
 */
class PrecisionMemoryTest {
  private static final Catalog CATALOG = Catalog.builtin();
  private static final String LLAMA_70B = "meta-llama/Llama-3.1-70B-Instruct";

  private static Deployment deployment(
      String model, String node, int tp, Precision weights, Precision kv) {
    NodeSku n = CATALOG.node(node, "node");
    return new Deployment(
        CATALOG.model(model, "model"), CATALOG.sku(n.sku(), "sku"), n, tp, 1, 1, 1, weights, kv);
  }

  // Llama-3.1-70B on H100 TP4, per GPU and layer:
  //   attention  8192 × 128 × (16 + 2·2) + 8192 × 128 × 16   =  37,748,736 weights
  //   MLP        3 × 8192 × 28672 / 4                       = 176,160,768
  //   layer      213,909,504; × 80 layers                   = 17,112,760,320 weights
  //   embedding + untied head  2 × 128256 × 8192 / 4        =    525,336,576 weights, kept 16-bit
  private static final long LAYER_WEIGHTS = 17_112_760_320L;
  private static final double VOCAB_BYTES = 2 * 525_336_576.0;

  // vLLM 0.15.1 start-up arithmetic (VllmKvCapacity), gpu_memory_utilization 0.9,
  // max_num_batched_tokens 2048, max_num_seqs 128, block 16:
  //   total     = 80 GiB × 79.19 / 80                        = 85,029,615,042.56 B
  //   requested = ceil(0.9 × total)                          = 76,526,653,539 B
  //   activations 2 B × 2048 × (2 × 8192 + 3 × 28672 / 4)   =    155,189,248 B
  //   sampler     128 × 128256 × 16 B                        =    262,668,288 B
  //   non-torch   0.64 GiB                                   =    687,194,767.36 B
  private static final double REQUESTED_LESS_OVERHEADS =
      76_526_653_539.0 - 155_189_248 - 262_668_288 - 0.64 * (1L << 30);

  @Test
  void llama70bInBf16OnH100Tp4() {
    Deployment d = deployment(LLAMA_70B, "h100_dgx", 4, Precision.BF16, Precision.BF16);
    // weights: 2 B × 17,112,760,320 + 1,050,673,152 = 35,276,193,792 B (32.85 GiB)
    assertEquals(35_276_193_792.0, VllmKvCapacity.weightBytes(d));
    assertEquals(
        2 * LAYER_WEIGHTS, MemoryPlanner.plan(d, 0.1, 4096, 16, null).paramBytesPerDevice());
    // KV per token: K and V × 128 dims × 2 KV heads per rank × 2 B × 80 layers = 81,920 B
    assertEquals(81_920L, d.kvBytesPerToken(80));
    // blocks: floor((76,526,653,539 − weights − overheads) / (16 × 81,920)) − 1 null block
    //       = floor(40,145,407,443.64 / 1,310,720) − 1 = 30,627
    assertEquals(
        (int) Math.floor((REQUESTED_LESS_OVERHEADS - 35_276_193_792.0) / 1_310_720) - 1,
        VllmKvCapacity.blocks(d, 0.9, 2048, 128, 16));
    assertEquals(30_627, VllmKvCapacity.blocks(d, 0.9, 2048, 128, 16));
  }

  @Test
  void llama70bInFp8OnH100Tp4() {
    // fp8 weights (one byte each; the 16-bit embedding and head as before), KV cache "auto": bf16
    Deployment d = deployment(LLAMA_70B, "h100_dgx", 4, Precision.FP8, Precision.BF16);
    // weights: 17,112,760,320 + 1,050,673,152 = 18,163,433,472 B (16.92 GiB)
    assertEquals(LAYER_WEIGHTS + VOCAB_BYTES, VllmKvCapacity.weightBytes(d));
    assertEquals(18_163_433_472.0, VllmKvCapacity.weightBytes(d));
    assertEquals(LAYER_WEIGHTS, MemoryPlanner.plan(d, 0.1, 4096, 16, null).paramBytesPerDevice());
    assertEquals(81_920L, d.kvBytesPerToken(80));
    // blocks: floor(57,258,167,763.64 / 1,310,720) − 1 = 43,683
    assertEquals(43_683, VllmKvCapacity.blocks(d, 0.9, 2048, 128, 16));

    // fp8 KV cache as well: 40,960 B per token, blocks of 655,360 B: floor(57,258,167,763.64 /
    // 655,360) − 1 = 87,368, twice the tokens
    Deployment kv8 = deployment(LLAMA_70B, "h100_dgx", 4, Precision.FP8, Precision.FP8);
    assertEquals(40_960L, kv8.kvBytesPerToken(80));
    assertEquals(87_368, VllmKvCapacity.blocks(kv8, 0.9, 2048, 128, 16));
  }

  @Test
  void int4WeightsCountTheirGroupScales() {
    // int4 with one fp16 scale per 128 weights: 0.5 + 2/128 = 0.515625 B per weight
    Deployment d = deployment(LLAMA_70B, "h100_dgx", 4, Precision.INT4, Precision.BF16);
    assertEquals(0.515625 * LAYER_WEIGHTS + VOCAB_BYTES, VllmKvCapacity.weightBytes(d));
    assertEquals(
        (long) Math.ceil(0.515625 * LAYER_WEIGHTS),
        MemoryPlanner.plan(d, 0.1, 4096, 16, null).paramBytesPerDevice());
  }

  @Test
  void llama70bOnOneH100FitsInFp8ButNotInBf16() {
    // TP1: 4 × 17,112,760,320 = 68,451,041,280 weights; usable 0.9 × 80 GiB = 72 GiB
    Deployment bf16 = deployment(LLAMA_70B, "h100_dgx", 1, Precision.BF16, Precision.BF16);
    ConfigException e =
        assertThrows(ConfigException.class, () -> MemoryPlanner.plan(bf16, 0.1, 4096, 16, null));
    // 2 B × 68,451,041,280 = 127.5 GiB of weights
    assertTrue(e.getMessage().contains("127.5 GiB of weights per device"), e.getMessage());
    assertTrue(e.getMessage().contains("72.0 GiB usable"), e.getMessage());

    // fp8: 68,451,041,280 B = 63.75 GiB of weights; a 4096-token request holds 4096 × 327,680 B
    // = 1.25 GiB of bf16 KV: floor((72 GiB − 63.75 GiB) / 1.25 GiB) = 6 request slots
    Deployment fp8 = deployment(LLAMA_70B, "h100_dgx", 1, Precision.FP8, Precision.BF16);
    MemoryPlan p = MemoryPlanner.plan(fp8, 0.1, 4096, 16, null);
    assertEquals(68_451_041_280L, p.paramBytesPerDevice());
    assertEquals(4096L * 327_680, p.kvBytesPerRequest());
    assertEquals(6, p.requestSlots());
  }

  @Test
  void aModelThatDoesNotFitNamesItsFormats() {
    Deployment d = deployment(LLAMA_70B, "h100_dgx", 1, Precision.FP8, Precision.FP8);
    ConfigException e =
        assertThrows(ConfigException.class, () -> MemoryPlanner.plan(d, 0.1, 2_000_000, 16, null));
    assertTrue(e.getMessage().contains("dtype fp8, kv_cache_dtype fp8"), e.getMessage());
  }

  @Test
  void deepSeekV3CachesOneLatentPerTokenOnEveryRank() {
    // MLA: kv_lora_rank 512 + qk_rope_head_dim 64 = 576 elements per token and layer, the same
    // on every TP rank (the latent has no heads to shard). 61 layers on each of the 8 H200s:
    //   bf16 KV  576 × 2 B × 61 = 70,272 B per token per GPU
    //   fp8 KV   576 × 1 B × 61 = 35,136 B
    Deployment bf16 =
        deployment("deepseek-ai/DeepSeek-V3", "h200_dgx", 8, Precision.FP8, Precision.BF16);
    Deployment fp8 =
        deployment("deepseek-ai/DeepSeek-V3", "h200_dgx", 8, Precision.FP8, Precision.FP8);
    assertEquals(1_152L, bf16.kvBytesPerTokenPerLayer());
    assertEquals(70_272L, bf16.kvBytesPerToken(61));
    assertEquals(35_136L, fp8.kvBytesPerToken(61));
    // TP does not divide it: TP1 holds the same per GPU
    Deployment tp1 =
        deployment("deepseek-ai/DeepSeek-V3", "h200_dgx", 1, Precision.FP8, Precision.BF16);
    assertEquals(70_272L, tp1.kvBytesPerToken(61));
    // (caching K and V of 16 heads of 192 per rank would take 2 × 192 × 16 × 2 B × 61 = 749,568 B)
  }
}
