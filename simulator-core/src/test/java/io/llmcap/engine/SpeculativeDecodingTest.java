package io.llmcap.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.config.SimulationConfig;
import io.llmcap.kv.BlockManager;
import io.llmcap.metrics.MetricsCollector;
import io.llmcap.metrics.RequestRecord;
import io.llmcap.metrics.RunListener;
import io.llmcap.output.Summary;
import io.llmcap.request.Batch;
import io.llmcap.request.Request;
import io.llmcap.setup.ConfigLoader;
import io.llmcap.testing.LinearPredictor;
import io.llmcap.workload.RequestSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpeculativeDecodingTest {
  private static final int K = 4;

  /** Records per-batch facts: verify steps, decode-step times, KV coverage. */
  static final class Recorder implements RunListener {
    final List<Double> batchTimes = new ArrayList<>();
    final Map<Long, Integer> decodeSteps = new HashMap<>();
    final Map<Integer, Integer> proposedCounts = new HashMap<>();
    final int blockSize;
    long tokens;

    Recorder(int blockSize) {
      this.blockSize = blockSize;
    }

    @Override
    public void onBatchEnd(Batch b, double end) {
      batchTimes.add(end - b.scheduledAt());
      tokens += b.totalTokens();
      for (int i = 0; i < b.size(); i++) {
        Request r = b.request(i);
        assertTrue(r.allocatedBlocks() >= 0, "negative KV blocks");
        if (!r.completed() && r.prefillComplete() && blockSize > 0) {
          assertTrue(
              (long) r.allocatedBlocks() * blockSize >= r.processed() - 1,
              "request " + r.id() + " holds less KV than it has processed");
        }
        if (!b.isPrefill(i)) {
          decodeSteps.merge(r.id(), 1, Integer::sum);
        }
        if (b.isVerify(i)) {
          proposedCounts.merge(b.numTokens(i) - 1, 1, Integer::sum);
        }
      }
    }
  }

  static SimulationConfig config(String scheduler, int requests, String... extra) {
    List<String> sets =
        new ArrayList<>(
            List.of(
                "cluster.model=meta-llama/Llama-2-7b-hf",
                "scheduler.type=" + scheduler,
                "scheduler.chunk_size=256",
                "scheduler.max_tokens_in_batch=4096",
                "workload.preset=null",
                "workload.num_requests=" + requests,
                "workload.max_tokens=4096",
                "workload.length.type=uniform",
                "workload.length.min_tokens=64",
                "workload.length.prefill_to_decode_ratio=2",
                "workload.interval.qps=20",
                "metrics.batch_metrics=false",
                "metrics.chrome_trace=false"));
    sets.addAll(List.of(extra));
    return ConfigLoader.bind(ConfigLoader.resolve(null, sets));
  }

  static SimulationConfig single(String... extra) {
    List<String> sets =
        new ArrayList<>(
            List.of(
                "cluster.model=meta-llama/Llama-2-7b-hf",
                "workload.preset=null",
                "workload.num_requests=1",
                "workload.length.type=fixed",
                "workload.length.prefill_tokens=128",
                "workload.length.decode_tokens=64"));
    sets.addAll(List.of(extra));
    return ConfigLoader.bind(ConfigLoader.resolve(null, sets));
  }

  static SimulationResult run(SimulationConfig cfg, Recorder rec) {
    Simulation sim = Simulation.prepare(cfg, Catalog.builtin(), Path.of(""));
    LinearPredictor draft =
        sim.draftDeployment() == null ? null : new LinearPredictor(sim.draftDeployment());
    return sim.run(new LinearPredictor(sim.deployment()), draft, List.of(rec));
  }

  static String[] spec(String method, int k, double a) {
    List<String> s = new ArrayList<>();
    s.add("speculative.method=" + method);
    s.add("speculative.num_speculative_tokens=" + k);
    s.add("speculative.acceptance_rate=" + a);
    if (method.equals("draft_model")) {
      s.add("speculative.draft_model=meta-llama/Llama-2-7b-hf");
    }
    return s.toArray(new String[0]);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ngram", "draft_model"})
  void zeroAcceptanceEmitsOneTokenPerStepAndCostsMore(String method) {
    Recorder plain = new Recorder(16);
    SimulationResult base = run(single(), plain);
    Recorder spec = new Recorder(16);
    SimulationResult r = run(single(spec(method, K, 0.0)), spec);
    MetricsCollector m = r.metrics();
    assertEquals(1.0, m.specTokensPerStep().max(), "a = 0 emits exactly one token per step");
    assertEquals(0, m.specAcceptedTokens());
    // same tokens, same number of iterations, each decode iteration but the capped last is dearer
    assertEquals(plain.batchTimes.size(), spec.batchTimes.size());
    assertEquals(
        62, m.specTokensPerStep().size(), "64 outputs: 1 from prefill, 62 verify + 1 last");
    for (int i = 1; i < plain.batchTimes.size() - 1; i++) {
      assertTrue(
          spec.batchTimes.get(i) > plain.batchTimes.get(i),
          "decode step " + i + " must cost more than plain decoding");
    }
    assertTrue(r.metrics().e2e().max() > base.metrics().e2e().max());
    Map<String, Object> s = Summary.of(r);
    assertEquals(0.0, s.get("spec_accepted_tokens_per_step_mean"));
    assertTrue((double) s.get("spec_verify_time_s") > 0);
    if (method.equals("draft_model")) {
      assertTrue((double) s.get("spec_draft_time_s") > 0, "the draft model costs time");
      SimulationResult ngram = run(single(spec("ngram", K, 0.0)), new Recorder(16));
      assertTrue(r.metrics().e2e().max() > ngram.metrics().e2e().max());
      assertTrue(r.memory().numBlocks() < base.memory().numBlocks(), "the draft takes memory");
    } else {
      assertEquals(0.0, s.get("spec_draft_time_s"));
      assertEquals(base.memory().numBlocks(), r.memory().numBlocks());
    }
  }

  @Test
  void fullAcceptanceEmitsKPlusOneTokensPerStep() {
    Recorder rec = new Recorder(16);
    SimulationResult r = run(single(spec("ngram", K, 1.0)), rec);
    MetricsCollector m = r.metrics();
    assertEquals(m.specProposedTokens(), m.specAcceptedTokens());
    // 63 tokens after the first: 12 steps of 5 and a capped step of 3
    assertEquals(13, rec.decodeSteps.get(0L));
    assertEquals(12, rec.proposedCounts.get(K));
    assertEquals(1, rec.proposedCounts.get(2));
    assertEquals(K + 1, m.specTokensPerStep().max());
    assertEquals(1, m.requests().size());
    assertEquals(64, m.requests().get(0).decodeTokens());
  }

  @ParameterizedTest
  @ValueSource(strings = {"sarathi", "vllm", "lightllm", "orca"})
  void meanTokensPerStepMatchesTheAcceptanceProcess(String scheduler) {
    double a = 0.6;
    Recorder rec = new Recorder("lightllm".equals(scheduler) ? 1 : 16);
    SimulationResult r = run(config(scheduler, 120, spec("ngram", K, a)), rec);
    MetricsCollector m = r.metrics();
    // expected emitted tokens and variance over the steps as proposed (capped steps propose fewer)
    double mean = 0;
    double var = 0;
    for (Map.Entry<Integer, Integer> e : rec.proposedCounts.entrySet()) {
      double[] mv = truncatedGeometric(a, e.getKey());
      mean += e.getValue() * mv[0];
      var += e.getValue() * mv[1];
    }
    double emitted = m.specAcceptedTokens() + m.specTokensPerStep().size();
    assertTrue(m.specTokensPerStep().size() > 1000, "enough steps to test");
    assertTrue(
        Math.abs(emitted - mean) <= 4 * Math.sqrt(var),
        "emitted " + emitted + " vs expected " + mean + " ± " + Math.sqrt(var));
    assertConservation(r, rec, 120);
  }

  @Test
  void formulaHoldsForUncappedSteps() {
    double a = 0.8;
    int steps = 200_000;
    Speculation s =
        Speculation.prepare(
            config("sarathi", 1, spec("ngram", K, a)).speculative(),
            Catalog.builtin(),
            null,
            Path.of(""));
    double sum = 0;
    for (int i = 0; i < steps; i++) {
      Request r = new Request(new RequestSpec(i % 1000, 0, 10, 10));
      sum += s.accepted(7, r, i / 1000, K) + 1;
    }
    double[] mv = truncatedGeometric(a, K);
    assertEquals((1 - Math.pow(a, K + 1)) / (1 - a), mv[0], 1e-12);
    assertEquals(mv[0], sum / steps, 4 * Math.sqrt(mv[1] / steps));
  }

  @ParameterizedTest
  @ValueSource(strings = {"vllm", "sarathi"})
  void tinyKvCachePreemptsAndEveryRequestCompletes(String scheduler) {
    Recorder rec = new Recorder(16);
    SimulationResult r =
        run(config(scheduler, 120, join(spec("ngram", K, 0.7), "scheduler.num_blocks=300")), rec);
    assertConservation(r, rec, 120);
    assertTrue(r.preemptions() > 0, "a tiny KV cache must preempt");
  }

  @Test
  void pipelineParallelWithDraftModel() {
    Recorder rec = new Recorder(16);
    SimulationResult r =
        run(
            config(
                "sarathi",
                120,
                join(
                    spec("draft_model", 3, 0.7),
                    "cluster.pipeline_parallel=2",
                    "cluster.tensor_parallel=2")),
            rec);
    assertConservation(r, rec, 120);
    assertTrue(r.metrics().specDraftSeconds() > 0);
    assertTrue(r.metrics().specVerifySeconds() > 0);
  }

  @Test
  void sameSeedSameResults() {
    SimulationConfig a = config("sarathi", 60, spec("draft_model", 3, 0.7));
    SimulationConfig b = config("sarathi", 60, join(spec("draft_model", 3, 0.7), "seed=9"));
    String first = Summary.of(run(a, new Recorder(16))).toString();
    assertEquals(first, Summary.of(run(a, new Recorder(16))).toString());
    assertEquals(
        run(a, new Recorder(16)).metrics().requests(),
        run(a, new Recorder(16)).metrics().requests());
    assertNotEquals(first, Summary.of(run(b, new Recorder(16))).toString());
  }

  @Test
  void acceptanceTraceSetsPerRequestRates(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("acc.csv"), "acceptance_rate\n0\n1\n");
    SimulationConfig cfg =
        config(
            "sarathi",
            40,
            join(spec("ngram", K, 0.5), "speculative.acceptance_trace=" + dir.resolve("acc.csv")));
    Simulation sim = Simulation.prepare(cfg, Catalog.builtin(), Path.of(""));
    Map<Long, int[]> perRequest = new HashMap<>();
    RunListener l =
        new RunListener() {
          @Override
          public void onBatchEnd(Batch b, double end) {
            for (int i = 0; i < b.size(); i++) {
              if (b.isVerify(i)) {
                int[] c = perRequest.computeIfAbsent(b.request(i).id(), id -> new int[2]);
                c[0]++;
                c[1] += b.numTokens(i) - 1;
              }
            }
          }
        };
    SimulationResult r = sim.run(new LinearPredictor(sim.deployment()), List.of(l));
    long expectedAccepted = 0;
    for (Map.Entry<Long, int[]> e : perRequest.entrySet()) {
      expectedAccepted += e.getKey() % 2 == 1 ? e.getValue()[1] : 0;
    }
    assertEquals(expectedAccepted, r.metrics().specAcceptedTokens());
  }

  @Test
  void badBlocksAreRejected() {
    assertBad("speculative.method", "speculative.method=medusa");
    assertBad("speculative.num_speculative_tokens", "speculative.num_speculative_tokens=17");
    assertBad("speculative.num_speculative_tokens", "speculative.num_speculative_tokens=-1");
    assertBad("speculative.acceptance_rate", "speculative.acceptance_rate=1.5");
    assertBad(
        "speculative.draft_model",
        "speculative.method=ngram",
        "speculative.draft_model=meta-llama/Llama-2-7b-hf");
    assertBad("speculative.draft_model", "speculative.method=draft_model");
    assertBad(
        "speculative.draft_model",
        "speculative.method=draft_model",
        "speculative.draft_model=no/such-model");
    assertBad(
        "speculative.draft_model",
        "speculative.method=draft_model",
        "speculative.draft_model=microsoft/phi-2");
    assertBad("does-not-exist.csv", "speculative.acceptance_trace=does-not-exist.csv");
  }

  @Test
  void kvReleaseNeverGoesNegative() {
    BlockManager kv = new BlockManager(10, 16);
    Request r = new Request(new RequestSpec(0, 0, 10, 10));
    kv.allocate(r.kvBlocks(), 4);
    kv.release(r.kvBlocks(), 3);
    assertEquals(1, kv.allocated());
    assertThrows(IllegalStateException.class, () -> kv.release(r.kvBlocks(), 2));
    assertThrows(IllegalStateException.class, () -> kv.allocate(r.kvBlocks(), 10));
  }

  private static void assertBad(String field, String... sets) {
    SimulationConfig cfg = config("sarathi", 1, sets);
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> Simulation.prepare(cfg, Catalog.builtin(), Path.of("")));
    assertTrue(e.getMessage().contains(field), e.getMessage());
  }

  /** Every request completes; tokens processed = prompt + output + recompute + rejected. */
  private static void assertConservation(SimulationResult r, Recorder rec, int requests) {
    MetricsCollector m = r.metrics();
    assertEquals(requests, m.requests().size(), "every request completes");
    long expected = 0;
    for (RequestRecord q : m.requests()) {
      expected += q.prefillTokens() + q.decodeTokens() - 1 + q.recomputedTokens();
    }
    long rejected = m.specProposedTokens() - m.specAcceptedTokens();
    assertEquals(expected + rejected, m.tokensProcessed());
    assertEquals(m.tokensProcessed(), rec.tokens);
    for (int rep = 0; rep < r.kvBlocksPerReplica().size(); rep++) {
      assertTrue(m.kvPeakBlocks(rep) <= r.kvBlocksPerReplica().get(rep), "KV over capacity");
    }
  }

  /** Mean and variance of the tokens a step emits when {@code k} tokens are proposed. */
  static double[] truncatedGeometric(double a, int k) {
    double e = 0;
    double e2 = 0;
    for (int j = 1; j <= k + 1; j++) {
      double p = j <= k ? Math.pow(a, j - 1) * (1 - a) : Math.pow(a, k);
      e += p * j;
      e2 += p * j * j;
    }
    return new double[] {e, e2 - e * e};
  }

  private static String[] join(String[] a, String... b) {
    List<String> out = new ArrayList<>(List.of(a));
    out.addAll(List.of(b));
    return out.toArray(new String[0]);
  }
}
