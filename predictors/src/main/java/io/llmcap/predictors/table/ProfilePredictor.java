package io.llmcap.predictors.table;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.timing.BatchView;
import io.llmcap.timing.ExecutionTime;
import io.llmcap.timing.ExecutionTimePredictor;
import io.llmcap.timing.Operator;
import io.llmcap.timing.StageComposer;
import java.util.concurrent.atomic.LongAdder;

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
  private final StageComposer composer;
  private final double decodeOverhead;
  private final double prefillOverhead;
  private final Keys keys = new Keys();
  // Counted where a lookup extrapolates, by every thread that shares the predictor.
  private final LongAdder extrapolated = new LongAdder();

  /**
   * @param provenance where the tables came from (profile folders, trainer), for {@link #describe}
   */
  public ProfilePredictor(Deployment deployment, OpTables tables, String provenance) {
    ModelSpec model = deployment.model();
    requireDense(model);
    this.tables = tables;
    this.provenance = provenance;
    this.composer = StageComposer.of(deployment);
    boolean gqa = model.numQHeads() > model.numKvHeads();
    this.decodeOverhead = gqa ? BATCHING_OVERHEAD : 0;
    this.prefillOverhead = gqa ? BATCHING_OVERHEAD : 0;
    if (deployment.tp() > 1 && !tables.has(Operator.ALL_REDUCE)) {
      throw new ConfigException(
          "predictor.profiles",
          "TP " + deployment.tp() + " needs all-reduce profiles; the tables have none");
    }
    if (deployment.pp() > 1 && !tables.has(Operator.SEND_RECV)) {
      throw new ConfigException(
          "predictor.profiles",
          "PP " + deployment.pp() + " needs send/recv profiles; the tables have none");
    }
  }

  /** Profiles have no MoE operators: an MoE model is refused, naming the way out. */
  public static void requireDense(ModelSpec model) {
    if (model.isMoe()) {
      throw new ConfigException(
          "predictor.profiles",
          model.name()
              + " is a mixture-of-experts model: operator profiles have no MoE operators"
              + " (router, grouped expert GEMMs, all-to-all); use predictor.type roofline, or"
              + " leave predictor.profiles unset so that MoE models go through the roofline");
    }
  }

  @Override
  public ExecutionTime predict(BatchView batch, int stage) {
    ExecutionTime time = composer.compose(batch, stage, keys, composer.windowed() ? keys : null);
    int total = batch.totalTokens();
    if (tables.tokensBeyond(OpTables.roundUp(total, 8))) {
      extrapolated.increment();
    }
    if (tables.kvSaveBeyond(total)) {
      extrapolated.increment();
    }
    return time;
  }

  /** The ops' times looked up at a batch's table keys; the prefill term is the rounded KV. */
  private final class Keys implements StageComposer.BatchCosts {
    @Override
    public double prefillTerm(int chunk, int processed) {
      return OpTables.roundUp(processed, OpTables.KV_STEP);
    }

    @Override
    public double ms(Operator op, StageComposer.BatchSums b) {
      int total = b.totalTokens();
      int rounded = OpTables.roundUp(total, 8);
      return switch (op) {
        case ATTN_DECODE -> {
          int decodes = b.decodes();
          // int(mean(processed)) rounded up to 64, as the reference keys it.
          int kv = OpTables.roundUp((int) (b.decodeCached() / decodes), OpTables.KV_STEP);
          if (tables.decodeBeyond(decodes, kv)) {
            extrapolated.increment();
          }
          yield tables.decode(decodes, kv) * (1 + (decodes > 1 ? decodeOverhead : 0));
        }
        case ATTN_PREFILL -> {
          int kv = (int) b.prefillTerm();
          // Python's round() is half-to-even, like Math.rint.
          int c = (int) Math.rint(Math.sqrt((double) b.chunkSquares()));
          if (tables.prefillBeyond(kv, c)) {
            extrapolated.increment();
          }
          yield tables.prefill(kv, c) * (1 + (b.prefills() > 1 ? prefillOverhead : 0));
        }
        case ATTN_KV_CACHE_SAVE -> tables.kvSave(total);
        case ALL_REDUCE -> tables.token(op, rounded) + NCCL_LAUNCH_MS;
        case CPU_OVERHEAD -> 0;
        default -> tables.token(op, rounded);
      };
    }
  }

  /** Table lookups so far whose key lay beyond the tables and was extrapolated. */
  public long extrapolatedLookups() {
    return extrapolated.sum();
  }

  @Override
  public String describe() {
    return provenance + "; " + extrapolatedLookups() + " lookups extrapolated beyond the tables";
  }
}
