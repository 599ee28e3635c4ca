package io.llmcap.workload;

import io.llmcap.kv.PromptContent;
import io.llmcap.kv.PromptContent.Segment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The prompts of a shared-prefix benchmark, as the {@code inference-perf} load generator builds
 * them (its {@code shared_prefix} data type, the workload of {@code real-serving/}): {@code groups}
 * random system prompts of {@code prefixTokens} tokens, and for each of a group's {@code
 * usersPerGroup} users a random question, so that each of the groups × users distinct prompts is
 * its group's system prompt followed by that user's question. The list is shuffled once; request i
 * sends prompt i mod N of it, so each full prompt recurs every N requests.
 *
 * <p>Segment ids are drawn from the seed, so they never collide with another workload's in one run.
 */
public final class SharedPrefixPrompts {
  private final List<PromptContent> prompts;

  /**
   * @param promptTokens each prompt's length in tokens (system prompt plus question); when it is
   *     not above {@code prefixTokens} the whole prompt is the system prompt
   */
  public SharedPrefixPrompts(
      int groups, int usersPerGroup, int prefixTokens, int promptTokens, long seed) {
    if (groups < 1 || usersPerGroup < 1 || prefixTokens < 1 || promptTokens < 1) {
      throw new IllegalArgumentException(
          "groups, users per group, prefix and prompt tokens must be positive");
    }
    SplittableRandom random = new SplittableRandom(seed);
    int prefix = Math.min(prefixTokens, promptTokens);
    int question = promptTokens - prefix;
    List<PromptContent> list = new ArrayList<>(groups * usersPerGroup);
    for (int g = 0; g < groups; g++) {
      Segment system = new Segment(random.nextLong(), prefix);
      for (int u = 0; u < usersPerGroup; u++) {
        list.add(
            new PromptContent(
                question == 0
                    ? List.of(system)
                    : List.of(system, new Segment(random.nextLong(), question))));
      }
    }
    // Fisher–Yates with the same generator: the order, like the ids, follows from the seed.
    for (int i = list.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      PromptContent t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
    this.prompts = List.copyOf(list);
  }

  /** The prompt request {@code index} (0, 1, 2, … in arrival order) sends. */
  public PromptContent prompt(long index) {
    return prompts.get((int) (index % prompts.size()));
  }

  /** Distinct prompts, N = groups × users per group. */
  public int distinct() {
    return prompts.size();
  }
}
