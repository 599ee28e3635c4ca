package io.llmcap.catalog;

/**
 * A server: how many devices, and how fast they talk. Devices within a group of {@code
 * nvlinkGroupSize} share the fast scale-up link; other devices in the node use the slower
 * intra-node path (PCIe); devices in other nodes use the inter-node network. Bandwidths in GB/s per
 * device and direction, latencies in microseconds. {@code nicBandwidthGbps} and {@code
 * nicLatencyUs} are each GPU's RDMA NIC, which disaggregated serving moves KV caches between nodes
 * over; null when the node has none.
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
    Double nicLatencyUs) {

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
        null);
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
