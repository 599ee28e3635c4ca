package io.llmcap.kv;

/**
 * Makes one replica's {@link KvManager}; a scheduler provider chooses it ({@code
 * SchedulerRules#kvManagers}; {@code PrefixCachingBlockManager::new} is the one that caches
 * content). Called once per replica per run: managers share no state.
 */
@FunctionalInterface
public interface KvManagerFactory {
  /** Block ids, reference counts and a free list, no content caching: every built-in's choice. */
  KvManagerFactory PLAIN = BlockManager::new;

  KvManager create(int numBlocks, int blockSize);
}
