package io.llmcap.cli;

import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.DeviceSku;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.catalog.MoeSpec;
import io.llmcap.catalog.NodeSku;
import io.llmcap.catalog.PriceBook;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code llmcap catalog}: the models, GPUs, nodes and price books llmcap knows. */
@Command(
    name = "catalog",
    mixinStandardHelpOptions = true,
    description = "List models, GPU SKUs, node types and price books.",
    subcommands = {CatalogImportCommand.class})
final class CatalogCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Catalog c = Catalog.builtin();
    out.println(
        "Models (moe: experts/top-k[+shared][ dN: first N layers dense]; attn: gqa, mla, or sliding window"
            + " x layers; dtype: checkpoint weights)");
    out.printf(
        Locale.ROOT,
        "  %-44s %6s %6s %6s %7s %7s %8s %5s %-16s %-18s %-6s%n",
        "name",
        "layers",
        "qheads",
        "kvhead",
        "hidden",
        "mlp",
        "vocab",
        "gated",
        "moe",
        "attn",
        "dtype");
    for (ModelSpec m : c.models().values()) {
      out.printf(
          Locale.ROOT,
          "  %-44s %6d %6d %6d %7d %7d %8d %5s %-16s %-18s %-6s%n",
          m.name(),
          m.numLayers(),
          m.numQHeads(),
          m.numKvHeads(),
          m.embeddingDim(),
          m.mlpHiddenDim(),
          m.vocabSize(),
          m.useGatedMlp(),
          moe(m.moe()),
          attention(m),
          m.dtype());
    }
    if (!c.aliases().isEmpty()) {
      out.println();
      out.println("Aliases (another name that finds the model)");
      for (Map.Entry<String, String> a : c.aliases().entrySet()) {
        out.printf(Locale.ROOT, "  %-44s -> %s%n", a.getKey(), a.getValue());
      }
    }
    out.println();
    out.println(
        "GPU SKUs (dense TFLOP/s fp16 / fp8 / fp4, '-' = no such tensor cores; memory GB, HBM GB/s,"
            + " scale-up link GB/s)");
    for (DeviceSku s : c.skus().values()) {
      out.printf(
          Locale.ROOT,
          "  %-8s %-34s %7.1f %7s %7s %6.0f %7.0f %7.1f%n",
          s.name(),
          s.description(),
          s.fp16Tflops(),
          peak(s.fp8Tflops()),
          peak(s.fp4Tflops()),
          s.memoryGb(),
          s.memoryBandwidthGbps(),
          s.linkBandwidthGbps());
    }
    out.println();
    out.println(
        "Node types (GPUs, NVLink group, NVLink / PCIe / inter-node / RDMA NIC GB/s per GPU; NIC -:"
            + " none, no KV transfer between nodes)");
    for (NodeSku n : c.nodes().values()) {
      out.printf(
          Locale.ROOT,
          "  %-22s %-7s %3d %3d %7.1f %7.1f %7.1f %7s  %s%n",
          n.name(),
          n.sku(),
          n.devicesPerNode(),
          n.nvlinkGroupSize(),
          n.nvlinkBandwidthGbps(),
          n.pcieBandwidthGbps(),
          n.interNodeBandwidthGbps(),
          n.hasNic() ? String.format(Locale.ROOT, "%.1f", n.nicBandwidthGbps()) : "-",
          n.topology());
    }
    out.println();
    PriceBook def = c.defaultPriceBook();
    out.println(
        "Price books ($ per GPU-hour on demand, reserved where published; a SKU not listed has no"
            + " price; * = the default, the most recent)");
    for (PriceBook b : c.priceBooks().values()) {
      out.printf(
          Locale.ROOT,
          "%s %-22s %-12s %s%s%n",
          b == def ? "*" : " ",
          b.name(),
          b.date(),
          b.pricesPerGpuHour(),
          b.reservedPerGpuHour().isEmpty() ? "" : " reserved " + b.reservedPerGpuHour());
    }
    return 0;
  }

  private static String peak(double tflops) {
    return tflops > 0 ? String.format(Locale.ROOT, "%.1f", tflops) : "-";
  }

  static String moe(MoeSpec moe) {
    if (moe == null) {
      return "-";
    }
    StringBuilder b = new StringBuilder().append(moe.numExperts()).append('/').append(moe.topK());
    if (moe.sharedExperts() > 0) {
      b.append('+').append(moe.sharedExperts());
    }
    if (moe.denseLayers() > 0) {
      b.append(" d").append(moe.denseLayers());
    }
    return b.toString();
  }

  static String attention(ModelSpec m) {
    List<String> parts = new ArrayList<>();
    parts.add(m.mla() != null ? "mla" : m.numKvHeads() == m.numQHeads() ? "mha" : "gqa");
    if (m.slidingWindow() != null) {
      parts.add("sw" + m.slidingWindow().window() + "x" + m.slidingWindow().layers());
    }
    if (m.attentionSinks()) {
      parts.add("sinks");
    }
    return String.join(",", parts);
  }
}
