package io.llmcap.predictors.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.DeviceSku;
import io.llmcap.predictors.Predictors;
import io.llmcap.predictors.profile.OpSamples;
import io.llmcap.predictors.profile.ProfileFolder;
import io.llmcap.predictors.roofline.RooflineOps;
import io.llmcap.predictors.roofline.RooflineProfileWriter;
import io.llmcap.timing.Operator;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link Operator} is the single source of the operator set: the profile reader, the tables and the
 * roofline cover exactly the operators it defines, with the features it names.
 */
class OperatorCoverageTest {
  private static final Catalog CATALOG = Catalog.builtin();

  private static Set<Operator> predicted() {
    Set<Operator> s = EnumSet.noneOf(Operator.class);
    for (Operator op : Operator.values()) {
      if (op.predicted()) {
        s.add(op);
      }
    }
    return s;
  }

  private static Deployment deployment(int tp, int pp) {
    DeviceSku sku = CATALOG.sku("a100", "test");
    return new Deployment(
        CATALOG.model("meta-llama/Llama-2-7b-hf", "test"),
        sku,
        RooflineProfileWriter.naturalNode(CATALOG, sku),
        tp,
        pp);
  }

  @Test
  void theProfileReaderReadsExactlyThePredictedOperators() {
    ProfileFolder folder = ProfileFolder.open(Predictors.shippedRooflineProfiles());
    List<OpSamples> samples = folder.forDeployment(deployment(2, 2));
    Set<Operator> read = EnumSet.noneOf(Operator.class);
    for (OpSamples s : samples) {
      Operator op = Operator.byName(s.op());
      assertTrue(read.add(op), "read twice: " + op);
      assertEquals(op.features(), List.of(s.featureNames()), op.profileName());
    }
    assertEquals(predicted(), read);
    // without TP and PP, no collectives
    Set<Operator> single = EnumSet.noneOf(Operator.class);
    folder.forDeployment(deployment(1, 1)).forEach(s -> single.add(Operator.byName(s.op())));
    Set<Operator> expected = predicted();
    expected.removeIf(op -> op.kind() == Operator.Kind.COLLECTIVE);
    assertEquals(expected, single);
  }

  @Test
  void theTablesCoverExactlyThePredictedOperators() {
    Set<Operator> tabulated = EnumSet.copyOf(OpTables.TOKEN_OPS);
    tabulated.addAll(
        List.of(Operator.ATTN_KV_CACHE_SAVE, Operator.ATTN_DECODE, Operator.ATTN_PREFILL));
    assertEquals(predicted(), tabulated);
    assertEquals(OpTables.TOKEN_OPS.size() + 3, predicted().size(), "no op tabulated twice");
    Set<Operator> required = EnumSet.copyOf(OpTables.requiredOps());
    Set<Operator> optional = predicted();
    optional.removeAll(required);
    assertEquals(EnumSet.of(Operator.ALL_REDUCE, Operator.SEND_RECV), optional);
  }

  @Test
  void theRooflineCostsEveryProfiledOperator() {
    RooflineOps ops = RooflineOps.calibrated(deployment(2, 2));
    List<Operator> profiled = new ArrayList<>();
    for (Operator op : Operator.values()) {
      if (op.file() != Operator.ProfileFile.NONE) {
        profiled.add(op);
      }
    }
    for (Operator op : profiled) {
      double[] x =
          switch (op.phase()) {
            case TOKENS -> new double[] {256};
            case DECODE -> new double[] {8, 1024};
            case PREFILL -> new double[] {0, 512.0 * 512};
          };
      double ms = ops.predictMs(op, x);
      assertTrue(ms >= 0 && Double.isFinite(ms), op + ": " + ms);
      assertTrue(ms > 0 || !op.inStage(), op + " costs nothing");
    }
  }
}
