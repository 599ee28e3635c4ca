/**
 * What arrives: {@link io.llmcap.workload.RequestSpec}, the {@link
 * io.llmcap.workload.RequestSource} seam (open loop today, closed loop later), the length and
 * interval generators with their registries, traces and presets ({@link
 * io.llmcap.workload.Workloads}).
 */
package io.llmcap.workload;
