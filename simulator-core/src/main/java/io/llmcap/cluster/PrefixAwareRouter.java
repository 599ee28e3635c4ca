package io.llmcap.cluster;

import io.llmcap.base.ConfigException;
import io.llmcap.request.Request;
import io.llmcap.scheduler.ReplicaScheduler;
import java.util.List;

/**
 * Cache-aware routing as llm-d's inference scheduler scores endpoints (its default profile,
 * gateway-api-inference-extension {@code config/charts/inferencepool} {@code default-plugins.yaml},
 * read 2026-12: {@code prefix-cache-scorer} weight 3, {@code queue-scorer} 2, {@code
 * kv-cache-utilization-scorer} 2, {@code max-score-picker}). Each replica of the pool scores
 *
 * <ul>
 *   <li>prefix: the share of the request's prompt it holds cached ({@link
 *       ReplicaScheduler#cachedPrefixTokens}, GPU then host tier) — what llm-d's precise
 *       prefix-cache scorer reads from the engines' KV events;
 *   <li>load: 1 − its outstanding requests / the most any replica of the pool has (1 when none has
 *       any), counting waiting and running requests as llm-d's {@code active-request-scorer} does,
 *       not waiting ones only: below saturation vLLM's waiting queues stay empty, and a
 *       waiting-only score would let cached system prompts pull every new conversation onto the
 *       replicas that served the first ones. Not llm-d's min-max normalisation, which gives a
 *       one-request difference the whole weight and outvotes a conversation's cached history
 *       (docs/prefix-fleets.md has the measurement);
 *   <li>KV: 1 − its share of KV blocks in use;
 * </ul>
 *
 * and the highest weighted sum wins; ties go to fewer outstanding requests, then the lowest index.
 * A load guard as SGLang's cache-aware router has ({@code sgl-router} defaults {@code
 * balance_abs_threshold} 64, {@code balance_rel_threshold} 1.5): when the busiest replica has more
 * than {@code balance_abs_threshold} outstanding requests over the idlest and more than {@code
 * balance_rel_threshold} times its count, the request goes to the least outstanding replica, so a
 * hot prefix cannot pile everything onto one replica.
 */
final class PrefixAwareRouter implements GlobalScheduler {
  /**
   * {@code router_options.prefix_aware}.
   *
   * @param prefixWeight weight of the cached-prefix share
   * @param queueWeight weight of the load (outstanding requests) score
   * @param kvWeight weight of the free-KV score
   * @param balanceAbsThreshold outstanding requests the busiest replica may have over the idlest
   *     before load decides alone
   * @param balanceRelThreshold and the ratio it must also exceed
   */
  record Options(
      double prefixWeight,
      double queueWeight,
      double kvWeight,
      int balanceAbsThreshold,
      double balanceRelThreshold) {}

  static final Options DEFAULTS = new Options(3, 2, 2, 64, 1.5);

  static final RouterProvider<Options> PROVIDER =
      new RouterProvider<>() {
        @Override
        public String name() {
          return "prefix_aware";
        }

        @Override
        public Options defaultOptions() {
          return DEFAULTS;
        }

        @Override
        public void validate(Options o, String field) {
          nonNegative(field + ".prefix_weight", o.prefixWeight());
          nonNegative(field + ".queue_weight", o.queueWeight());
          nonNegative(field + ".kv_weight", o.kvWeight());
          if (o.balanceAbsThreshold() < 0) {
            throw ConfigException.invalid(
                field + ".balance_abs_threshold", o.balanceAbsThreshold(), "an integer ≥ 0");
          }
          if (!(o.balanceRelThreshold() >= 1) || Double.isInfinite(o.balanceRelThreshold())) {
            throw ConfigException.invalid(
                field + ".balance_rel_threshold", o.balanceRelThreshold(), "a number ≥ 1");
          }
        }

        @Override
        public GlobalScheduler create(RouterContext ctx, Options options) {
          return new PrefixAwareRouter(options);
        }
      };

  private final Options o;

  PrefixAwareRouter(Options o) {
    this.o = o;
  }

  private static void nonNegative(String field, double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw ConfigException.invalid(field, v, "a number ≥ 0");
    }
  }

  @Override
  public int route(Request request, List<ReplicaScheduler> replicas) {
    int n = replicas.size();
    int minOut = Integer.MAX_VALUE;
    int maxOut = 0;
    int least = 0;
    for (int i = 0; i < n; i++) {
      ReplicaScheduler r = replicas.get(i);
      int out = r.numOutstanding();
      if (out < minOut) {
        minOut = out;
        least = i;
      }
      maxOut = Math.max(maxOut, out);
    }
    if (maxOut - minOut > o.balanceAbsThreshold() && maxOut > minOut * o.balanceRelThreshold()) {
      return least;
    }
    int prompt = request.prefillTokens();
    int best = 0;
    double bestScore = Double.NEGATIVE_INFINITY;
    int bestOut = Integer.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      ReplicaScheduler r = replicas.get(i);
      double prefix =
          o.prefixWeight() > 0 && prompt > 0 ? r.cachedPrefixTokens(request) / (double) prompt : 0;
      int out = r.numOutstanding();
      double queue = maxOut == 0 ? 1 : 1 - out / (double) maxOut;
      double kv = 1 - r.kv().allocated() / (double) r.kv().numBlocks();
      double score = o.prefixWeight() * prefix + o.queueWeight() * queue + o.kvWeight() * kv;
      if (score > bestScore || (score == bestScore && out < bestOut)) {
        best = i;
        bestScore = score;
        bestOut = out;
      }
    }
    return best;
  }
}
