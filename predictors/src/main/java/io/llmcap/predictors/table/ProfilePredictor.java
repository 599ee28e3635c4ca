package io.llmcap.predictors.table;

import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.config.ConfigException;
import io.llmcap.timing.BatchView;
import io.llmcap.timing.ExecutionTime;
import io.llmcap.timing.ExecutionTimePredictor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Batch times from tabulated per-op predictions, composed exactly as the reference composes them
 * (vidur-behaviour §3.5, §5.6): token-level ops at the batch's total tokens rounded up to 8, the
 * KV-cache save at the unrounded total, decode attention at (decodes, mean KV rounded up to 64),
 * prefill attention at (Σ KV rounded up to 64, round(√Σ chunk²)), GQA batching overheads, two
 * all-reduces per layer under TP and one send/recv on non-last pipeline stages.
 */
public final class ProfilePredictor implements ExecutionTimePredictor {
  /** The reference's defaults (§5.2). */
  static final double BATCHING_OVERHEAD = 0.1;

  static final double NCCL_LAUNCH_MS = 0.02;

  private final OpTables tables;
  private final String provenance;
  private final int layers;
  private final int pp;
  private final boolean tensorParallel;
  private final boolean postAttnNorm;
  private final double decodeOverhead;
  private final double prefillOverhead;
  private final AtomicLong extrapolated = new AtomicLong();

  /**
   * @param provenance where the tables came from (profile folders, trainer), for {@link #describe}
   */
  public ProfilePredictor(Deployment deployment, OpTables tables, String provenance) {
    ModelSpec model = deployment.model();
    this.tables = tables;
    this.provenance = provenance;
    this.layers = deployment.layersPerStage();
    this.pp = deployment.pp();
    this.tensorParallel = deployment.tp() > 1;
    this.postAttnNorm = model.postAttnNorm();
    boolean gqa = model.numQHeads() > model.numKvHeads();
    this.decodeOverhead = gqa ? BATCHING_OVERHEAD : 0;
    this.prefillOverhead = gqa ? BATCHING_OVERHEAD : 0;
    if (tensorParallel && !tables.has(OpTables.ALL_REDUCE)) {
      throw new ConfigException(
          "predictor.profiles",
          "TP " + deployment.tp() + " needs all-reduce profiles; the tables have none");
    }
    if (pp > 1 && !tables.has(OpTables.SEND_RECV)) {
      throw new ConfigException(
          "predictor.profiles", "PP " + pp + " needs send/recv profiles; the tables have none");
    }
  }

  @Override
  public ExecutionTime predict(BatchView batch, int stage) {
    if (stage < 0 || stage >= pp) {
      throw new IllegalArgumentException("stage " + stage + " outside 0.." + (pp - 1));
    }
    int n = batch.size();
    int decodes = 0;
    long decodeKvSum = 0;
    int prefills = 0;
    int prefillKv = 0;
    long chunkSquares = 0;
    for (int i = 0; i < n; i++) {
      int processed = batch.processedBefore(i);
      // a speculative verify pass attends like a prefill chunk over its KV prefix
      if (batch.isPrefill(i) || batch.isVerify(i)) {
        long c = batch.numTokens(i);
        prefills++;
        prefillKv += OpTables.roundUp(processed, OpTables.KV_STEP);
        chunkSquares += c * c;
      } else {
        decodes++;
        decodeKvSum += processed;
      }
    }
    int total = batch.totalTokens();
    int t = OpTables.roundUp(total, 8);
    long beyond = 0;

    double attnDecode = 0;
    if (decodes > 0) {
      // int(mean(processed)) rounded up to 64, as the reference keys it.
      int kv = OpTables.roundUp((int) (decodeKvSum / decodes), OpTables.KV_STEP);
      beyond += tables.decodeBeyond(decodes, kv) ? 1 : 0;
      attnDecode = tables.decode(decodes, kv) * (1 + (decodes > 1 ? decodeOverhead : 0));
    }
    double attnPrefill = 0;
    if (prefills > 0) {
      // Python's round() is half-to-even, like Math.rint.
      int c = (int) Math.rint(Math.sqrt((double) chunkSquares));
      beyond += tables.prefillBeyond(prefillKv, c) ? 1 : 0;
      attnPrefill = tables.prefill(prefillKv, c) * (1 + (prefills > 1 ? prefillOverhead : 0));
    }
    beyond += tables.tokensBeyond(t) ? 1 : 0;
    beyond += tables.kvSaveBeyond(total) ? 1 : 0;
    double tpComm = tensorParallel ? tables.token(OpTables.ALL_REDUCE, t) + NCCL_LAUNCH_MS : 0;
    double ppComm = stage < pp - 1 ? tables.token(OpTables.SEND_RECV, t) : 0;
    if (beyond > 0) {
      extrapolated.addAndGet(beyond);
    }
    return new ExecutionTime(
        layers,
        tables.token(OpTables.ATTN_PRE_PROJ, t),
        tables.token(OpTables.ATTN_POST_PROJ, t),
        tables.token(OpTables.ATTN_ROPE, t),
        tables.kvSave(total),
        attnDecode,
        attnPrefill,
        tables.token(OpTables.INPUT_LAYERNORM, t),
        tables.token(OpTables.MLP_UP_PROJ, t),
        tables.token(OpTables.MLP_DOWN_PROJ, t),
        tables.token(OpTables.MLP_ACT, t),
        postAttnNorm ? tables.token(OpTables.POST_ATTENTION_LAYERNORM, t) : 0,
        tables.token(OpTables.ADD, t),
        tpComm,
        ppComm,
        0);
  }

  /** Table lookups so far whose key lay beyond the tables and was extrapolated. */
  public long extrapolatedLookups() {
    return extrapolated.get();
  }

  @Override
  public String describe() {
    return provenance + "; " + extrapolatedLookups() + " lookups extrapolated beyond the tables";
  }
}
