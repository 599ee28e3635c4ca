package io.llmcap.workload;

import io.llmcap.config.SimulationConfig.WorkloadConfig;
import java.nio.file.Path;

/**
 * What a length or interval generator is built from.
 *
 * @param workload the whole {@code workload} section (its {@code length} and {@code interval}
 *     blocks, {@code max_tokens}, …)
 * @param seed the generator's own seed, derived from the run's seed; draw random numbers only from
 *     a generator seeded with it
 * @param baseDir the folder that relative file names resolve against
 */
public record WorkloadContext(WorkloadConfig workload, long seed, Path baseDir) {}
