package io.llmcap.engine;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.config.SimulationConfig.SpeculativeConfig;
import io.llmcap.request.Request;
import io.llmcap.workload.AcceptanceTrace;
import java.nio.file.Path;
import java.util.List;

/**
 * Speculative decoding of one simulation, validated. A speculating request's decode step verifies
 * up to {@code k} proposed tokens plus its own in one target pass; each proposed token is accepted
 * with probability {@code a} until the first rejection, so a step emits {@code accepted + 1}
 * tokens, on average {@code (1 − a^(k+1)) / (1 − a)}. The draws are a stateless hash of (seed,
 * request id, step, position), so results do not depend on batching order.
 */
public final class Speculation {
  public static final String NONE = "none";
  public static final String DRAFT_MODEL = "draft_model";
  public static final String NGRAM = "ngram";
  public static final int MAX_TOKENS = 16;

  static final Speculation OFF = new Speculation(NONE, 0, 0, null, null);

  private final String method;
  private final int k;
  private final double rate;
  private final double[] rates;
  private final Deployment draft;

  private Speculation(String method, int k, double rate, double[] rates, Deployment draft) {
    this.method = method;
    this.k = k;
    this.rate = rate;
    this.rates = rates;
    this.draft = draft;
  }

  /**
   * Checks the {@code speculative} block against the catalog and the target deployment.
   *
   * @throws ConfigException naming the first bad field
   */
  public static Speculation prepare(
      SpeculativeConfig c, Catalog catalog, Deployment target, Path baseDir) {
    String method = c.method();
    if (!List.of(NONE, DRAFT_MODEL, NGRAM).contains(method)) {
      throw ConfigException.unknown(
          "speculative.method", "method", method, List.of(NONE, DRAFT_MODEL, NGRAM));
    }
    int k = c.numSpeculativeTokens();
    if (k < 0 || k > MAX_TOKENS) {
      throw ConfigException.invalid(
          "speculative.num_speculative_tokens", k, "an integer from 0 (off) to " + MAX_TOKENS);
    }
    double a = c.acceptanceRate();
    if (!(a >= 0 && a <= 1)) {
      throw ConfigException.invalid("speculative.acceptance_rate", a, "a probability in [0, 1]");
    }
    if (c.draftModel() != null && !DRAFT_MODEL.equals(method)) {
      throw ConfigException.invalid(
          "speculative.draft_model",
          c.draftModel(),
          "null unless speculative.method is draft_model (method is " + method + ")");
    }
    if (DRAFT_MODEL.equals(method) && c.draftModel() == null) {
      throw ConfigException.invalid(
          "speculative.draft_model", null, "a catalog model id when method is draft_model");
    }
    Deployment draft = null;
    if (DRAFT_MODEL.equals(method)) {
      ModelSpec m = catalog.model(c.draftModel(), "speculative.draft_model");
      if (m.vocabSize() != target.model().vocabSize()) {
        throw ConfigException.invalid(
            "speculative.draft_model",
            c.draftModel(),
            "a model with the vocabulary of "
                + target.model().name()
                + " ("
                + target.model().vocabSize()
                + " tokens); "
                + m.name()
                + " has "
                + m.vocabSize());
      }
      draft = new Deployment(m, target.sku(), target.node(), draftTp(m, target.tp()), 1);
    }
    double[] rates =
        c.acceptanceTrace() == null
            ? null
            : AcceptanceTrace.read(baseDir.resolve(c.acceptanceTrace()));
    if (NONE.equals(method) || k == 0) {
      return OFF;
    }
    return new Speculation(method, k, a, rates, draft);
  }

  /** The target's TP when it splits the draft's heads evenly, else 1. */
  private static int draftTp(ModelSpec m, int tp) {
    boolean divides = m.numQHeads() % tp == 0 && m.embeddingDim() % tp == 0;
    return !m.noTensorParallel() && divides ? tp : 1;
  }

  /** True when requests speculate: a method other than none and k ≥ 1. */
  public boolean enabled() {
    return k > 0;
  }

  public String method() {
    return method;
  }

  /** Tokens proposed per decode step (0 when off). */
  public int k() {
    return k;
  }

  /** The draft model on the target's SKU and node, or null (ngram, or off). */
  public Deployment draft() {
    return draft;
  }

  /** The acceptance rate of request {@code id}: the trace's, cycled by id, or the constant. */
  public double rate(long id) {
    return rates == null ? rate : rates[(int) Math.floorMod(id, (long) rates.length)];
  }

  /**
   * Proposed tokens of {@code r}'s {@code step}-th verify step that the target accepts: each with
   * the request's rate, until the first rejection.
   */
  int accepted(long seed, Request r, long step, int proposed) {
    double a = rate(r.id());
    int accepted = 0;
    while (accepted < proposed && uniform(seed, r.id(), step, accepted) < a) {
      accepted++;
    }
    return accepted;
  }

  /** A uniform draw in [0, 1) from the coordinates alone. */
  static double uniform(long seed, long id, long step, int position) {
    long h = mix(seed + GOLDEN * (id + 1));
    h = mix(h + GOLDEN * (step + 1));
    h = mix(h + GOLDEN * (position + 1));
    return (h >>> 11) * 0x1.0p-53;
  }

  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  /** SplittableRandom's 64-bit finalizer (Stafford variant 13). */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
