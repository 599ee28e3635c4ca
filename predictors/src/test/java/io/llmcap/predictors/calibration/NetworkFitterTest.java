package io.llmcap.predictors.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.catalog.NodeSku;
import io.llmcap.predictors.roofline.Link;
import io.llmcap.predictors.roofline.RooflineCalibration.LinkGroup;
import io.llmcap.predictors.roofline.RooflineCalibration.NodeEntry;
import io.llmcap.predictors.roofline.RooflineParams;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkFitterTest {
  @TempDir Path tmp;

  @Test
  void withoutMeasurementsEveryLinkANodeUsesGetsTheDefaultAndSaysWhy() {
    NodeSku node = Synthetic.CATALOG.nodes().get("h100_dgx");
    NetworkFitter fitter =
        new NetworkFitter(new ProfileDiscovery(tmp, Synthetic.CATALOG), new CalibrationReport());
    for (NodeSku n : Synthetic.CATALOG.nodes().values()) {
      fitter.fit(n);
    }
    NodeEntry e = fitter.entry(node);
    assertEquals(java.util.List.of("nvlink"), java.util.List.copyOf(e.allReduce().keySet()));
    assertEquals(
        java.util.List.of("nvlink", "inter_node"), java.util.List.copyOf(e.sendRecv().keySet()));
    LinkGroup g = e.sendRecv().get("inter_node");
    assertEquals(RooflineParams.defaults().network().defaultEff(), g.params().bandwidthEff());
    assertEquals(Link.INTER_NODE.catalogLatencyUs(node), g.params().latencyUs());
    assertTrue(
        g.fit().note().startsWith("uncalibrated default: no send_recv measurement over inter_node"),
        g.fit().note());
  }
}
