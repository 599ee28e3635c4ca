package io.llmcap.search;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmcap.config.ConfigLoader;
import io.llmcap.search.SearchSpace.PredictorEntry;
import io.llmcap.search.SearchSpace.SpeculativeEntry;
import io.llmcap.search.SearchSpace.WorkloadEntry;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One point of a search space: a deployment serving a workload. {@code batchSizeCap} is per
 * micro-batch, as in the reference search (the replica's cap is that times PP). {@code speculative}
 * is null for plain decoding.
 */
public record DeploymentSpec(
    String id,
    String model,
    String sku,
    String node,
    int tp,
    int pp,
    int replicas,
    String scheduler,
    Integer chunkSize,
    Integer maxTokensInBatch,
    int batchSizeCap,
    WorkloadEntry workload,
    SpeculativeEntry speculative)
    implements Serializable {

  public static DeploymentSpec of(
      String model,
      String sku,
      String node,
      int tp,
      int pp,
      int replicas,
      String scheduler,
      Integer chunkSize,
      Integer maxTokensInBatch,
      int batchSizeCap,
      WorkloadEntry workload,
      SpeculativeEntry speculative) {
    // plain decoding adds nothing to the key, so ids of searches without speculation stay as they
    // were
    String key =
        String.join(
                "|",
                model,
                sku,
                node,
                "tp" + tp,
                "pp" + pp,
                "r" + replicas,
                scheduler,
                "cs" + chunkSize,
                "mt" + maxTokensInBatch,
                "bs" + batchSizeCap,
                workload.toString())
            + (speculative == null ? "" : "|" + speculative);
    return new DeploymentSpec(
        sha1(key).substring(0, 12),
        model,
        sku,
        node,
        tp,
        pp,
        replicas,
        scheduler,
        chunkSize,
        maxTokensInBatch,
        batchSizeCap,
        workload,
        speculative);
  }

  public int gpus() {
    return replicas * tp * pp;
  }

  /** Requests simulated by a probe at {@code qps}: at least {@code min_duration} of arrivals. */
  public long requests(double qps) {
    return Math.max(workload.requests(), (long) Math.ceil(qps * workload.minDuration()));
  }

  /** The simulation config of one probe at {@code qps}. */
  public ObjectNode toConfig(double qps, long seed, PredictorEntry predictor, Path baseDir) {
    ObjectNode t = ConfigLoader.defaults();
    List<String> sets =
        new java.util.ArrayList<>(
            List.of(
                "name=" + id,
                "seed=" + seed,
                "cluster.model=" + model,
                "cluster.sku=" + sku,
                "cluster.node=" + node,
                "cluster.tensor_parallel=" + tp,
                "cluster.pipeline_parallel=" + pp,
                "cluster.replicas=" + replicas,
                "router=round_robin",
                "scheduler.type=" + scheduler,
                "scheduler.batch_size_cap=" + (long) batchSizeCap * pp,
                "scheduler.chunk_size=" + (chunkSize == null ? 512 : chunkSize),
                "scheduler.max_tokens_in_batch="
                    + (maxTokensInBatch == null ? workload.maxTokens() : maxTokensInBatch),
                "workload.num_requests=" + requests(qps),
                "workload.max_tokens=" + workload.maxTokens(),
                "workload.interval.type=poisson",
                "workload.interval.qps=" + qps,
                "predictor.type=" + predictor.type(),
                "metrics.batch_metrics=false",
                "metrics.chrome_trace=false"));
    if (speculative != null) {
      sets.add("speculative.method=" + speculative.method());
      if (speculative.draftModel() != null) {
        sets.add("speculative.draft_model=" + speculative.draftModel());
      }
      sets.add("speculative.num_speculative_tokens=" + speculative.numSpeculativeTokens());
      sets.add("speculative.acceptance_rate=" + speculative.acceptanceRate());
    }
    if (predictor.profiles() != null) {
      sets.add("predictor.profiles=" + baseDir.resolve(predictor.profiles()).toAbsolutePath());
    }
    if (workload.preset() != null) {
      sets.add("workload.preset=" + workload.preset());
    } else if (workload.traceFile() != null) {
      sets.add("workload.preset=null");
      sets.add("workload.length.type=trace");
      sets.add("workload.length.file=" + baseDir.resolve(workload.traceFile()).toAbsolutePath());
    } else {
      sets.add("workload.preset=null");
      sets.add("workload.length.type=fixed");
      sets.add("workload.length.prefill_tokens=" + workload.prefillTokens());
      sets.add("workload.length.decode_tokens=" + workload.decodeTokens());
    }
    for (String s : sets) {
      ConfigLoader.set(t, s);
    }
    return t;
  }

  private static String sha1(String s) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
