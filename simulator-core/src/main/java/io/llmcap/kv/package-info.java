/**
 * KV cache blocks of one replica: {@link io.llmcap.kv.KvManager} (what a scheduler asks for
 * blocks), {@link io.llmcap.kv.BlockManager} (block ids, reference counts, free list), {@link
 * io.llmcap.kv.PrefixCachingBlockManager} (content hashes, cached-block index, LRU eviction), and
 * {@link io.llmcap.kv.PromptContent} (what a prompt holds, as prefix caching sees it). Depends on
 * nothing else in llmcap.
 */
package io.llmcap.kv;
