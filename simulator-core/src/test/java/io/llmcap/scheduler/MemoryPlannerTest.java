package io.llmcap.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.Deployment;
import org.junit.jupiter.api.Test;

class MemoryPlannerTest {
  private static Deployment deployment(String model, String node, int tp, int pp) {
    Catalog c = Catalog.builtin();
    var n = c.node(node, "node");
    return new Deployment(c.model(model, "model"), c.sku(n.sku(), "sku"), n, tp, pp);
  }

  @Test
  void matchesTheReferenceWorkedExample() {
    // Llama-2-7B on an A100 80GB, TP1 PP1, 4096-token requests: 29 slots, 7424 blocks of 16
    MemoryPlan p =
        MemoryPlanner.plan(
            deployment("meta-llama/Llama-2-7b-hf", "a100_dgx", 1, 1), 0.1, 4096, 16, null);
    assertEquals(202_375_168L * 32 * 2, p.paramBytesPerDevice());
    assertEquals(2L << 30, p.kvBytesPerRequest());
    assertEquals(29, p.requestSlots());
    assertEquals(7424, p.numBlocks());
  }

  @Test
  void pipelineStagesHoldOnlyTheirOwnLayers() {
    MemoryPlan pp1 =
        MemoryPlanner.plan(
            deployment("meta-llama/Llama-2-70b-hf", "a100_dgx", 4, 1), 0.1, 4096, 16, null);
    MemoryPlan pp2 =
        MemoryPlanner.plan(
            deployment("meta-llama/Llama-2-70b-hf", "a100_dgx", 4, 2), 0.1, 4096, 16, null);
    assertEquals(pp1.kvBytesPerRequest() / 2, pp2.kvBytesPerRequest());
    assertEquals(pp1.paramBytesPerDevice() / 2, pp2.paramBytesPerDevice());
    assertTrue(pp2.requestSlots() > 2 * pp1.requestSlots(), "halved weights free more than half");
  }

  @Test
  void overrideWins() {
    MemoryPlan p =
        MemoryPlanner.plan(
            deployment("meta-llama/Llama-2-7b-hf", "a100_dgx", 1, 1), 0.1, 4096, 16, 500);
    assertEquals(500, p.numBlocks());
  }

  @Test
  void modelTooBigNamesTheFieldAndSizes() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                MemoryPlanner.plan(
                    deployment("meta-llama/Llama-2-70b-hf", "a100_dgx", 1, 1),
                    0.1,
                    4096,
                    16,
                    null));
    assertTrue(e.getMessage().startsWith("cluster.model: "), e.getMessage());
    assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
  }
}
