package io.llmcap.catalog;

/**
 * A server: how many devices, and how fast they talk. Devices within a group of {@code
 * nvlinkGroupSize} share the fast scale-up link; other devices in the node use the slower
 * intra-node path (PCIe); devices in other nodes use the inter-node network. Bandwidths in GB/s per
 * device and direction, latencies in microseconds. {@code nicBandwidthGbps} and {@code
 * nicLatencyUs} are each GPU's RDMA NIC, which disaggregated serving moves KV caches between nodes
 * over; null when the node has none. {@code hostLinkBandwidthGbps} is each GPU's link to host
 * memory (PCIe, or NVLink-C2C on a superchip), GB/s per direction, which a host-memory KV tier
 * loads blocks back over; null: the PCIe figure.
 */
public record NodeSku(
    String name,
    String sku,
    int devicesPerNode,
    int nvlinkGroupSize,
    double nvlinkBandwidthGbps,
    double nvlinkLatencyUs,
    double pcieBandwidthGbps,
    double pcieLatencyUs,
    double interNodeBandwidthGbps,
    double interNodeLatencyUs,
    String topology,
    String source,
    Double nicBandwidthGbps,
    Double nicLatencyUs,
    Double hostLinkBandwidthGbps) {

  /** A node without an RDMA NIC. */
  public NodeSku(
      String name,
      String sku,
      int devicesPerNode,
      int nvlinkGroupSize,
      double nvlinkBandwidthGbps,
      double nvlinkLatencyUs,
      double pcieBandwidthGbps,
      double pcieLatencyUs,
      double interNodeBandwidthGbps,
      double interNodeLatencyUs,
      String topology,
      String source) {
    this(
        name,
        sku,
        devicesPerNode,
        nvlinkGroupSize,
        nvlinkBandwidthGbps,
        nvlinkLatencyUs,
        pcieBandwidthGbps,
        pcieLatencyUs,
        interNodeBandwidthGbps,
        interNodeLatencyUs,
        topology,
        source,
        null,
        null,
        null);
  }

  /** Bytes/s one GPU moves between host memory and its HBM, per direction. */
  public double hostLinkBandwidth() {
    return (hostLinkBandwidthGbps != null ? hostLinkBandwidthGbps : pcieBandwidthGbps) * 1e9;
  }

  /** True when each GPU has an RDMA NIC (a KV transfer can leave the node). */
  public boolean hasNic() {
    return nicBandwidthGbps != null && nicBandwidthGbps > 0;
  }

  /** Bandwidth in bytes/s seen by a collective spanning {@code workers} devices. */
  public double bandwidthFor(int workers) {
    if (workers <= nvlinkGroupSize) {
      return nvlinkBandwidthGbps * 1e9;
    }
    if (workers <= devicesPerNode) {
      return pcieBandwidthGbps * 1e9;
    }
    return interNodeBandwidthGbps * 1e9;
  }

  /** Per-step latency in seconds seen by a collective spanning {@code workers} devices. */
  public double latencyFor(int workers) {
    if (workers <= nvlinkGroupSize) {
      return nvlinkLatencyUs * 1e-6;
    }
    if (workers <= devicesPerNode) {
      return pcieLatencyUs * 1e-6;
    }
    return interNodeLatencyUs * 1e-6;
  }
}
