package io.llmcap.timing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.ModelSpec;
import org.junit.jupiter.api.Test;

class ModelFlopsTest {
  @Test
  void workedExampleOnLlama2_7bAtTp2Pp2() {
    Catalog catalog = Catalog.builtin();
    ModelSpec m = catalog.model("meta-llama/Llama-2-7b-hf", "test");
    var sku = catalog.sku("a100", "test");
    var node = catalog.nodes().values().stream().filter(n -> n.sku().equals("a100")).findFirst();
    Deployment d = new Deployment(m, sku, node.orElseThrow(), 2, 2);
    // Llama-2-7B: hidden 4096, 32 heads of 128, MLP 11008 gated, 32 layers; TP 2, PP 2.
    long attention = 4096L * 128 * (16 + 2 * 16) + 4096L * 128 * 16; // QKV + O per rank
    long mlp = 3L * 4096 * 11008 / 2;
    assertEquals(attention + mlp, m.paramsPerLayerPerDevice(2));
    // One prefill chunk of 100 after 50 cached, one decode after 999.
    StageComposerTest.Batch b =
        new StageComposerTest.Batch(
            new int[] {100, 1}, new int[] {50, 999}, new boolean[] {true, false});
    double gemm = 2.0 * (attention + mlp) * 16 * 101;
    double attn = 4.0 * 16 * 16 * 128 * (100.0 * 150 + 1.0 * 1000);
    double flops = new ModelFlops(d).stage(b);
    assertEquals(gemm + attn, flops, 1e-6 * flops);
    // 2 · 101,187,584 params · 16 layers · 101 tokens + 4 · 16 layers · 16 heads · 128 · 16,000
    assertEquals(329_135_423_488.0, flops, 1e-3);
    assertEquals(2.0 * 4096 * 11008, ModelFlops.gemmPerToken(4096, 11008));
    assertEquals(4.0 * 128 * 16, ModelFlops.attentionPerTokenPair(16, 128));
    // MFU: those FLOPs over one device's peak for one second, and 0 for no time.
    assertEquals(flops / sku.peakFlops(), ModelFlops.mfu(flops, sku.peakFlops(), 1.0), 1e-15);
    assertEquals(0.0, ModelFlops.mfu(flops, sku.peakFlops(), 0));
  }
}
