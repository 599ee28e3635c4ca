package io.llmcap.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.metrics.RequestRecord;
import org.junit.jupiter.api.Test;

/**
 * Chat sessions through the real engine: every turn completes and later turns hit their history.
 */
class SessionRunTest {
  @Test
  void chatSessionsRunToTheEndAndReuseTheirHistory() {
    SimulationResult r =
        VllmV1SchedulerTest.run(
            VllmV1SchedulerTest.config(
                "workload.sessions.type=chat",
                "workload.sessions.system_prompt_tokens=64",
                "workload.sessions.think_time=1",
                "workload.sessions.turns=4",
                "workload.num_requests=200",
                "workload.max_tokens=4096",
                "workload.interval.qps=8"));
    assertEquals(200, r.metrics().requests().size(), "every turn sent completes");
    long prompt = 0;
    for (RequestRecord q : r.metrics().requests()) {
      prompt += q.prefillTokens();
    }
    // History segments of earlier turns' prompts are cached blocks (decode blocks are the
    // engine's business): the hit rate of a 4-turn chat is well above zero.
    assertTrue(
        r.metrics().cachedTokens() > 0.2 * prompt, r.metrics().cachedTokens() + " / " + prompt);
  }
}
