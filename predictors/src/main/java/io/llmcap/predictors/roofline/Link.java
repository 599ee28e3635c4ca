package io.llmcap.predictors.roofline;

import io.llmcap.catalog.NodeSku;
import java.util.Locale;

/** The path a collective takes, which decides its bandwidth and latency in the catalog. */
public enum Link {
  /** Within a group of devices sharing the scale-up link (NVLink, NVSwitch, Infinity Fabric). */
  NVLINK,
  /** Within one node but across scale-up groups: PCIe. */
  PCIE,
  /** Across nodes. */
  INTER_NODE;

  /** Name in {@code calibration.yaml}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The link {@code workers} devices of one node use, or the inter-node one when they span. */
  public static Link of(NodeSku node, int workers, boolean spansNodes) {
    if (spansNodes || workers > node.devicesPerNode()) {
      return INTER_NODE;
    }
    return workers <= node.nvlinkGroupSize() ? NVLINK : PCIE;
  }

  public double bandwidthBytesPerS(NodeSku node) {
    return switch (this) {
      case NVLINK -> node.nvlinkBandwidthGbps() * 1e9;
      case PCIE -> node.pcieBandwidthGbps() * 1e9;
      case INTER_NODE -> node.interNodeBandwidthGbps() * 1e9;
    };
  }

  public double catalogLatencyUs(NodeSku node) {
    return switch (this) {
      case NVLINK -> node.nvlinkLatencyUs();
      case PCIE -> node.pcieLatencyUs();
      case INTER_NODE -> node.interNodeLatencyUs();
    };
  }
}
