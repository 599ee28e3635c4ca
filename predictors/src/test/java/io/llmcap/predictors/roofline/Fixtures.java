package io.llmcap.predictors.roofline;

import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.DeviceSku;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.catalog.NodeSku;
import io.llmcap.timing.BatchView;
import java.util.Arrays;

/** Hardware, models and batches for the roofline tests, built by record constructors. */
final class Fixtures {
  static final ModelSpec LLAMA2_7B =
      new ModelSpec(
          "meta-llama/Llama-2-7b-hf",
          32,
          32,
          32,
          4096,
          11008,
          32768,
          true,
          4096,
          "rms_norm",
          "silu",
          true,
          false,
          "test");

  static final DeviceSku A100 = new DeviceSku("a100", "A100 80GB", 312, 80, 2039, 300, "test");

  /** An 8-GPU NVSwitch server: every pair of devices in the node shares NVLink. */
  static final NodeSku A100_DGX =
      new NodeSku("a100_dgx", "a100", 8, 8, 300, 3, 32, 5, 25, 10, "nvswitch", "test");

  private Fixtures() {}

  static Deployment llama7b(int tp, int pp) {
    return new Deployment(LLAMA2_7B, A100, A100_DGX, tp, pp);
  }

  static RooflinePredictor predictor(Deployment deployment) {
    return new RooflinePredictor(deployment, RooflineParams.defaults());
  }

  /** A plain-array batch; {@code totalTokens} is summed once at construction like the engine. */
  record Batch(int[] tokens, int[] processed, boolean[] prefill, int totalTokens)
      implements BatchView {
    Batch(int[] tokens, int[] processed, boolean[] prefill) {
      this(tokens, processed, prefill, Arrays.stream(tokens).sum());
    }

    @Override
    public int size() {
      return tokens.length;
    }

    @Override
    public int numTokens(int i) {
      return tokens[i];
    }

    @Override
    public int processedBefore(int i) {
      return processed[i];
    }

    @Override
    public boolean isPrefill(int i) {
      return prefill[i];
    }
  }

  /** {@code size} decoding requests, each with {@code kv} tokens already cached. */
  static Batch decodes(int size, int kv) {
    int[] tokens = new int[size];
    int[] processed = new int[size];
    Arrays.fill(tokens, 1);
    Arrays.fill(processed, kv);
    return new Batch(tokens, processed, new boolean[size]);
  }

  /** One prefill chunk of {@code chunk} tokens after {@code kv} already processed ones. */
  static Batch prefill(int chunk, int kv) {
    return new Batch(new int[] {chunk}, new int[] {kv}, new boolean[] {true});
  }

  /** A chunked-prefill batch: one prefill chunk plus {@code decodes} decodes at {@code kv}. */
  static Batch mixed(int chunk, int decodes, int kv) {
    int[] tokens = new int[decodes + 1];
    int[] processed = new int[decodes + 1];
    boolean[] prefill = new boolean[decodes + 1];
    Arrays.fill(tokens, 1);
    Arrays.fill(processed, kv);
    tokens[0] = chunk;
    processed[0] = 0;
    prefill[0] = true;
    return new Batch(tokens, processed, prefill);
  }
}
