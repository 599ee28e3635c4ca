package io.llmcap.catalog;

/** One GPU model. Bandwidths in GB/s (1e9 bytes per second), FLOP/s dense, no sparsity. */
public record DeviceSku(
    String name,
    String description,
    double fp16Tflops,
    double memoryGb,
    double memoryBandwidthGbps,
    double linkBandwidthGbps,
    String source) {

  public double peakFlops() {
    return fp16Tflops * 1e12;
  }

  /** Device memory in bytes; the catalog states GiB-sized HBM stacks as "GB" like vendors do. */
  public long memoryBytes() {
    return (long) (memoryGb * 1024L * 1024L * 1024L);
  }
}
