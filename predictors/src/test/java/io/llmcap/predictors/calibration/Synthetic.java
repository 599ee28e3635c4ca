package io.llmcap.predictors.calibration;

import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.DeviceSku;
import io.llmcap.predictors.roofline.RooflineOps;
import io.llmcap.predictors.roofline.RooflineParams;
import io.llmcap.predictors.roofline.RooflineProfileWriter;
import io.llmcap.timing.Operator;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Small calibration inputs: rows a roofline with known parameters would measure. */
final class Synthetic {
  static final Catalog CATALOG = Catalog.builtin();

  private Synthetic() {}

  static Function<RooflineParams, RooflineOps> roofline(String sku) {
    DeviceSku s = CATALOG.sku(sku, "test");
    Deployment d =
        new Deployment(
            CATALOG.model("meta-llama/Llama-2-7b-hf", "test"),
            s,
            RooflineProfileWriter.naturalNode(CATALOG, s),
            1,
            1);
    return p -> new RooflineOps(d, p);
  }

  /** Token-level rows of {@code ops} at 1, 2, 4, ..., 4096 tokens, as {@code truth} predicts. */
  static Rows tokenRows(String sku, RooflineParams truth, List<Operator> ops) {
    Function<RooflineParams, RooflineOps> roofline = roofline(sku);
    RooflineOps o = roofline.apply(truth);
    List<Rows.Sample> samples = new ArrayList<>();
    for (Operator op : ops) {
      for (int t = 1; t <= 4096; t *= 2) {
        double[] x = {t};
        samples.add(new Rows.Sample(op, x, o.predictMs(op, x), false));
      }
    }
    return new Rows(roofline, samples);
  }

  static final List<Operator> GEMMS =
      List.of(
          Operator.ATTN_PRE_PROJ,
          Operator.ATTN_POST_PROJ,
          Operator.MLP_UP_PROJ,
          Operator.MLP_DOWN_PROJ);

  static RooflineParams withGemm(RooflineParams.Gemm g) {
    return Fitting.withGemm(RooflineParams.defaults(), g);
  }
}
