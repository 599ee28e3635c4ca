package io.llmcap.catalog;

/**
 * One GPU model. Bandwidths in GB/s (1e9 bytes per second), FLOP/s dense, no sparsity. {@code
 * fp8Tflops} and {@code fp4Tflops} are absent (0) where the GPU has no tensor cores of that format.
 */
public record DeviceSku(
    String name,
    String description,
    double fp16Tflops,
    double memoryGb,
    double memoryBandwidthGbps,
    double linkBandwidthGbps,
    String source,
    Double fp8Tflops,
    Double fp4Tflops) {

  public DeviceSku {
    fp8Tflops = fp8Tflops == null ? 0.0 : fp8Tflops;
    fp4Tflops = fp4Tflops == null ? 0.0 : fp4Tflops;
  }

  /** A SKU with 16-bit tensor cores only. */
  public DeviceSku(
      String name,
      String description,
      double fp16Tflops,
      double memoryGb,
      double memoryBandwidthGbps,
      double linkBandwidthGbps,
      String source) {
    this(
        name,
        description,
        fp16Tflops,
        memoryGb,
        memoryBandwidthGbps,
        linkBandwidthGbps,
        source,
        null,
        null);
  }

  /**
   * Dense peak FLOP/s of a GEMM with {@code weights}: the format's own tensor cores where the SKU
   * has them, else 16 bits (the weights are dequantised, as vLLM's Marlin kernels do on GPUs
   * without fp8 or fp4).
   */
  public double peakFlops(Precision weights) {
    double tflops =
        switch (weights.compute()) {
          case FP16 -> fp16Tflops;
          case FP8 -> fp8Tflops > 0 ? fp8Tflops : fp16Tflops;
          case FP4 -> fp4Tflops > 0 ? fp4Tflops : fp8Tflops > 0 ? fp8Tflops : fp16Tflops;
        };
    return tflops * 1e12;
  }

  public double peakFlops() {
    return fp16Tflops * 1e12;
  }

  /** Device memory in bytes; the catalog states GiB-sized HBM stacks as "GB" like vendors do. */
  public long memoryBytes() {
    return (long) (memoryGb * 1024L * 1024L * 1024L);
  }
}
