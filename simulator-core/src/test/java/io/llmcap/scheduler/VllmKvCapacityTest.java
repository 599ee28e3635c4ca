package io.llmcap.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.Deployment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The KV block counts vLLM 0.15.1 logged at start-up on H100 SXM for the real-serving runs
 * (gpu_memory_utilization 0.9, max_num_batched_tokens 2048, max_num_seqs 128, block 16): "GPU KV
 * cache size: N tokens" / 16 − 1 null block. Source: inference-sim/sim-to-real-accuracy-validation,
 * docs/plans/2026-03-04-sim-to-real-impl-plan.md (Task 2), and inference-sim's golden dataset
 * ({@code total_kv_blocks: 7463} for Llama-2-7B).
 */
class VllmKvCapacityTest {
  @ParameterizedTest(name = "{0} TP{1}")
  @CsvSource({
    "meta-llama/Llama-2-7b-hf, 1, 119408",
    "codellama/CodeLlama-34b-Instruct-hf, 2, 425648",
    "meta-llama/Llama-2-70b-hf, 4, 501712",
    // Mixtral's experts all held at TP2, the fused-MoE kernel's caches in the profiling peak.
    "mistralai/Mixtral-8x7B-v0.1, 2, 440176",
  })
  void matchesTheLoggedBlockCountWithin2Percent(String model, int tp, int loggedTokens) {
    Catalog c = Catalog.builtin();
    Deployment d =
        new Deployment(c.model(model, "m"), c.sku("h100", "s"), c.node("h100_dgx", "n"), tp, 1);
    int usable = loggedTokens / 16 - 1;
    int predicted = VllmKvCapacity.blocks(d, 0.9, 2048, 128, 16);
    assertEquals(usable, predicted, 0.02 * usable, "blocks");
  }
}
