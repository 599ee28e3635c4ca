package io.llmcap.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.llmcap.config.SimulationConfig.SchedulerConfig;
import io.llmcap.kv.KvManagerFactory;
import java.lang.reflect.Method;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each built-in scheduler declares what {@code Simulation} and the predictors' table limits decided
 * by its name before the rules moved into the scheduler package.
 */
class SchedulerRulesTest {
  private static final int MAX_TOKENS = 4096;

  private static SchedulerConfig config(String type) {
    return new SchedulerConfig(type, 128, 16, 0.01, null, 512, 8192, 10, true, true, 0, Map.of());
  }

  @ParameterizedTest
  @CsvSource({
    // type, block size, PP, min blocks (formula), budget field, budget tokens, whole prompts
    "vllm,               16, true,  paged,      scheduler.max_tokens_in_batch, 8192, true",
    "sarathi,            16, true,  paged,      scheduler.chunk_size,          512,  false",
    "orca,               16, true,  worst_case, ,                              0,    false",
    "faster_transformer, 16, true,  worst_case, ,                              0,    false",
    "lightllm,           1,  false, per_token,  scheduler.max_tokens_in_batch, 8192, true",
  })
  void builtInsDeclareWhatSimulationUsedBefore(
      String type,
      int blockSize,
      boolean pp,
      String capacity,
      String budgetField,
      int budgetTokens,
      boolean wholePrompts) {
    SchedulerRules rules = Schedulers.rules(type);
    SchedulerConfig s = config(type);
    assertEquals(blockSize, rules.blockSize(s));
    assertEquals(pp, rules.supportsPipelineParallel());
    MemoryPlan plan =
        new MemoryPlan(0, 0, 0, 10, blockSize, (MAX_TOKENS + blockSize - 1) / blockSize, 50_000);
    int expected =
        switch (capacity) {
          case "worst_case" -> plan.maxBlocksPerSequence();
          case "per_token" -> MAX_TOKENS + 1;
          default -> MAX_TOKENS / 16 + (int) (0.01 * 50_000);
        };
    assertEquals(expected, rules.minKvBlocks(s, plan, MAX_TOKENS));
    TokenBudget b = rules.tokenBudget(s);
    if (budgetField == null) {
      assertNull(b);
    } else {
      assertEquals(new TokenBudget(budgetField, budgetTokens, wholePrompts), b);
    }
    assertSame(KvManagerFactory.PLAIN, rules.kvManagers());
  }

  @ParameterizedTest
  @CsvSource({"spf"})
  void aProviderWithoutRulesGetsThePagedDefaults(String name) {
    SchedulerProvider<Void> p = SchedulerProvider.of(name, ctx -> null);
    SchedulerConfig s = config(name);
    assertEquals(16, p.blockSize(s));
    assertEquals(true, p.supportsPipelineParallel());
    MemoryPlan plan = new MemoryPlan(0, 0, 0, 10, 16, 256, 1000);
    assertEquals(256 + 10, p.minKvBlocks(s, plan, MAX_TOKENS));
    assertNull(p.tokenBudget(s));
    assertSame(KvManagerFactory.PLAIN, p.kvManagers());
  }

  @Test
  void builtInProvidersDelegateEveryRule() throws NoSuchMethodException {
    Class<?> c = SchedulerProvider.of("x", ctx -> null, new SchedulerRules() {}).getClass();
    for (Method m : SchedulerRules.class.getDeclaredMethods()) {
      // a rule added to SchedulerRules must be delegated in SchedulerProvider.of too
      assertEquals(
          c, c.getMethod(m.getName(), m.getParameterTypes()).getDeclaringClass(), m.getName());
    }
  }
}
