package io.llmcap.predictors.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.predictors.calibration.ProfileDiscovery.Group;
import io.llmcap.predictors.calibration.ProfileDiscovery.Measured;
import io.llmcap.predictors.profile.OpSamples;
import io.llmcap.predictors.roofline.RooflineOps;
import io.llmcap.predictors.roofline.RooflineParams;
import io.llmcap.timing.Operator;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileDiscoveryTest {
  @TempDir Path tmp;

  @Test
  void groupsFollowTheOperatorsKindAndPhase() {
    Set<Operator> gemm = EnumSet.noneOf(Operator.class);
    Set<Operator> elementwise = EnumSet.noneOf(Operator.class);
    for (Operator op : Operator.values()) {
      if (op.predicted() && Group.GEMM.contains(op)) {
        gemm.add(op);
      }
      if (op.predicted() && Group.ELEMENTWISE.contains(op)) {
        elementwise.add(op);
      }
    }
    assertEquals(EnumSet.copyOf(Synthetic.GEMMS), gemm);
    assertEquals(
        EnumSet.of(
            Operator.INPUT_LAYERNORM,
            Operator.POST_ATTENTION_LAYERNORM,
            Operator.ATTN_ROPE,
            Operator.MLP_ACT,
            Operator.ADD),
        elementwise);
    assertTrue(Group.PREFILL.contains(Operator.ATTN_PREFILL));
    assertTrue(Group.DECODE.contains(Operator.ATTN_DECODE));
    assertTrue(Group.KV_SAVE.contains(Operator.ATTN_KV_CACHE_SAVE));
    assertEquals(
        List.of("attn_pre_proj", "attn_post_proj", "mlp_up_proj", "mlp_down_proj"),
        RooflineCalibrator.GEMM_OPS);
  }

  @Test
  void dropsRowsThatAreNotPositiveOrFasterThanPhysicallyPossible() {
    Function<RooflineParams, RooflineOps> roofline = Synthetic.roofline("a100");
    RooflineOps ideal = roofline.apply(ProfileDiscovery.idealParams());
    double bound = ideal.predictMs(Operator.MLP_UP_PROJ, new double[] {1024});
    OpSamples up =
        new OpSamples(
            "mlp_up_proj",
            new String[] {"num_tokens"},
            new double[][] {{1024}, {1024}, {1024}, {1024}},
            new double[] {bound * 2, bound * 0.5, 0, bound},
            "test");
    OpSamples add =
        new OpSamples(
            "add", new String[] {"num_tokens"}, new double[][] {{8}}, new double[] {1}, "t");
    Rows rows = ProfileDiscovery.rows(roofline, List.of(up, add), Group.GEMM::contains);
    assertEquals(
        List.of(bound * 2, bound),
        rows.samples().stream().map(Rows.Sample::y).toList(),
        "too fast, zero and other groups' rows dropped");
  }

  @Test
  void aFolderWithoutMeasurementsHasEmptyGroups() {
    ProfileDiscovery d = new ProfileDiscovery(tmp, Synthetic.CATALOG);
    Measured m = d.measure(Synthetic.CATALOG.sku("a100", "test"));
    for (Group g : Group.values()) {
      assertTrue(!m.has(g), g.name());
    }
    assertTrue(m.mlpSources().isEmpty() && m.attentionSources().isEmpty());
  }
}
