package org.example.llmcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.config.SimulationConfig;
import io.llmcap.engine.Simulation;
import io.llmcap.engine.SimulationResult;
import io.llmcap.metrics.RequestRecord;
import io.llmcap.metrics.RunListener;
import io.llmcap.predictors.roofline.RooflinePredictor;
import io.llmcap.request.Batch;
import io.llmcap.setup.ConfigLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The plug-in, found on the classpath by name, run through llmcap's simulator. */
class ShortestPromptFirstTest {
  static final int REQUESTS = 400;

  /** Chat-like requests on one A100 at twice what it can serve, so a queue builds. */
  static SimulationConfig config(String... extra) {
    List<String> sets =
        new ArrayList<>(
            List.of(
                "cluster.model=meta-llama/Llama-2-7b-hf",
                "scheduler.type=spf",
                "scheduler.max_tokens_in_batch=4096",
                "workload.preset=chat",
                "workload.max_tokens=4096",
                "workload.num_requests=" + REQUESTS,
                "workload.interval.qps=12",
                "predictor.type=roofline"));
    sets.addAll(List.of(extra));
    return ConfigLoader.bind(ConfigLoader.resolve(null, sets));
  }

  /** Sums the tokens of every batch. */
  static final class TokenCounter implements RunListener {
    long tokens;

    @Override
    public void onBatchEnd(Batch b, double end) {
      tokens += b.totalTokens();
    }
  }

  static SimulationResult run(SimulationConfig cfg, TokenCounter counter) {
    Simulation sim = Simulation.prepare(cfg, Catalog.builtin(), Path.of(""));
    return sim.run(RooflinePredictor.calibrated(sim.deployment()), List.of(counter));
  }

  /** For each request, how many later-arrived requests were first scheduled strictly before it. */
  static int maxOvertakes(List<RequestRecord> done) {
    int max = 0;
    for (RequestRecord q : done) {
      int n = 0;
      for (RequestRecord p : done) {
        if (p.arrivedAt() > q.arrivedAt() && p.scheduledAt() < q.scheduledAt()) {
          n++;
        }
      }
      max = Math.max(max, n);
    }
    return max;
  }

  @Test
  void everyRequestCompletesOnceAndTokensAreConserved() {
    TokenCounter counter = new TokenCounter();
    SimulationResult r = run(config("scheduler.spf.max_overtakes=8"), counter);
    List<RequestRecord> done = r.metrics().requests();
    assertEquals(REQUESTS, done.size());
    assertEquals(REQUESTS, done.stream().mapToLong(RequestRecord::id).distinct().count());
    long expected = 0;
    for (RequestRecord q : done) {
      // the last output token is never fed back, so it costs no step
      expected += q.prefillTokens() + q.decodeTokens() - 1 + q.recomputedTokens();
    }
    assertEquals(expected, counter.tokens);
    assertTrue(r.metrics().kvPeakBlocks(0) <= r.kvBlocksPerReplica().get(0));
  }

  @Test
  void noRequestIsOvertakenMoreThanTheBound() {
    List<RequestRecord> bounded =
        run(config("scheduler.spf.max_overtakes=8"), new TokenCounter()).metrics().requests();
    assertTrue(maxOvertakes(bounded) <= 8, "overtaken " + maxOvertakes(bounded) + " times");
    // without the bound, long prompts are overtaken far more often under this load
    List<RequestRecord> unbounded =
        run(config("scheduler.spf.max_overtakes=1000000"), new TokenCounter()).metrics().requests();
    assertTrue(maxOvertakes(unbounded) > 8, "overtaken " + maxOvertakes(unbounded) + " times");
  }

  @Test
  void requestsArrivingTogetherStartShortestPromptFirst() {
    List<RequestRecord> done =
        run(
                config(
                    "workload.interval.type=static",
                    "workload.num_requests=120",
                    "scheduler.spf.max_overtakes=1000000"),
                new TokenCounter())
            .metrics()
            .requests();
    // the first batch may start before all simultaneous arrivals are queued
    List<RequestRecord> later = done.stream().filter(q -> q.scheduledAt() > 0).toList();
    assertTrue(later.size() > 100);
    for (RequestRecord a : later) {
      for (RequestRecord b : later) {
        if (a.prefillTokens() < b.prefillTokens()) {
          assertTrue(
              a.scheduledAt() <= b.scheduledAt(),
              "prompt " + a.prefillTokens() + " started after prompt " + b.prefillTokens());
        }
      }
    }
  }

  @Test
  void shorterPromptsFirstLowerTheMeanTimeToFirstToken() {
    double spf = meanTtft(config("scheduler.spf.max_overtakes=8"));
    double fcfs = meanTtft(config("scheduler.type=vllm"));
    assertTrue(spf < fcfs, "spf mean TTFT " + spf + " s, vllm " + fcfs + " s");
  }

  static double meanTtft(SimulationConfig cfg) {
    return run(cfg, new TokenCounter()).metrics().requests().stream()
        .mapToDouble(RequestRecord::ttft)
        .average()
        .orElseThrow();
  }

  @Test
  void itsConfigBlockIsCheckedLikeBuiltInKeys() {
    ConfigException typo =
        assertThrows(ConfigException.class, () -> config("scheduler.spf.max_overtake=3"));
    assertTrue(typo.getMessage().contains("did you mean 'max_overtakes'?"), typo.getMessage());
    ConfigException negative =
        assertThrows(
            ConfigException.class,
            () ->
                Simulation.prepare(
                    config("scheduler.spf.max_overtakes=-1"), Catalog.builtin(), Path.of("")));
    assertEquals("scheduler.spf.max_overtakes", negative.field());
  }
}
