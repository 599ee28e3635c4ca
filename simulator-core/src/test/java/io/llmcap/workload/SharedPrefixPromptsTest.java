package io.llmcap.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.llmcap.kv.PromptContent;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SharedPrefixPromptsTest {
  @Test
  void groupsTimesUsersDistinctPromptsRecurringCyclically() {
    SharedPrefixPrompts p = new SharedPrefixPrompts(11, 4, 100, 566, 7);
    assertEquals(44, p.distinct());
    Set<PromptContent> seen = new HashSet<>();
    Set<Long> systems = new HashSet<>();
    for (long i = 0; i < 44; i++) {
      PromptContent c = p.prompt(i);
      assertEquals(566, c.tokens());
      assertEquals(100, c.segments().get(0).tokens(), "the group's system prompt comes first");
      seen.add(c);
      systems.add(c.segments().get(0).id());
      assertEquals(c, p.prompt(i + 44), "request i + N repeats request i's prompt");
    }
    assertEquals(44, seen.size(), "every prompt once per cycle");
    assertEquals(11, systems.size(), "one system prompt per group");
  }

  @Test
  void seedDecidesIdsAndOrder() {
    SharedPrefixPrompts a = new SharedPrefixPrompts(3, 2, 10, 20, 1);
    assertEquals(a.prompt(0), new SharedPrefixPrompts(3, 2, 10, 20, 1).prompt(0));
    assertNotEquals(a.prompt(0), new SharedPrefixPrompts(3, 2, 10, 20, 2).prompt(0));
  }
}
