package io.llmcap.catalog;

import io.llmcap.base.ConfigException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A number format for weights or the KV cache. {@link #bytesPerElement} counts the block scales
 * that the quantised formats store beside the values; {@link #compute} is the tensor-core format a
 * GEMM with these weights runs in when the GPU has it (weight-only formats dequantise to 16 bits).
 */
public enum Precision {
  FP16("fp16", 2.0, Compute.FP16, List.of("float16", "half")),
  BF16("bf16", 2.0, Compute.FP16, List.of("bfloat16")),
  /** fp8 e4m3 with per-tensor or per-channel scales (W8A8 on GPUs with fp8 tensor cores). */
  FP8("fp8", 1.0, Compute.FP8, List.of("float8", "fp8_e4m3", "float8_e4m3fn", "e4m3")),
  /** int4 weight-only (AWQ, GPTQ) with one fp16 scale per group of 128: 0.5 + 2/128 bytes. */
  INT4("int4", 0.5 + 2.0 / 128, Compute.FP16, List.of("awq", "gptq", "w4a16")),
  /** NVIDIA nvfp4: e2m1 values with one fp8 scale per 16: 0.5 + 1/16 bytes. */
  NVFP4("nvfp4", 0.5 + 1.0 / 16, Compute.FP4, List.of("fp4")),
  /** OCP mxfp4: e2m1 values with one e8m0 scale per 32: 0.5 + 1/32 bytes. */
  MXFP4("mxfp4", 0.5 + 1.0 / 32, Compute.FP4, List.of());

  /** The tensor-core format a GEMM runs in. */
  public enum Compute {
    FP16,
    FP8,
    FP4
  }

  private final String id;
  private final double bytesPerElement;
  private final Compute compute;
  private final List<String> aliases;

  Precision(String id, double bytesPerElement, Compute compute, List<String> aliases) {
    this.id = id;
    this.bytesPerElement = bytesPerElement;
    this.compute = compute;
    this.aliases = aliases;
  }

  /** The name configs and result columns use. */
  public String id() {
    return id;
  }

  /** Bytes per stored element, block scales included. */
  public double bytesPerElement() {
    return bytesPerElement;
  }

  public Compute compute() {
    return compute;
  }

  /** True for the 16-bit formats, which every SKU computes in natively. */
  public boolean sixteenBit() {
    return compute == Compute.FP16 && bytesPerElement == 2.0;
  }

  /** True for the formats a KV cache is stored in: 16 bits or fp8 (vLLM's --kv-cache-dtype). */
  public boolean kvCacheFormat() {
    return sixteenBit() || this == FP8;
  }

  /**
   * The precision called {@code value} (its id or an alias such as {@code bfloat16}, any case), or
   * an error naming {@code field}.
   */
  public static Precision parse(String field, String value) {
    if (value != null) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      for (Precision p : values()) {
        if (p.id.equals(v) || p.aliases.contains(v)) {
          return p;
        }
      }
    }
    throw ConfigException.invalid(
        field,
        value,
        "one of "
            + String.join(", ", Arrays.stream(values()).map(Precision::id).toList())
            + " (or float16, bfloat16, float8, awq, gptq, fp4)");
  }
}
