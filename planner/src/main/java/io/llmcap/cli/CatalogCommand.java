package io.llmcap.cli;

import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.DeviceSku;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.catalog.NodeSku;
import io.llmcap.catalog.PriceBook;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code llmcap catalog}: the models, GPUs, nodes and price books llmcap knows. */
@Command(
    name = "catalog",
    mixinStandardHelpOptions = true,
    description = "List models, GPU SKUs, node types and price books.")
final class CatalogCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Catalog c = Catalog.builtin();
    out.println("Models");
    out.printf(
        Locale.ROOT,
        "  %-38s %6s %6s %6s %7s %7s %8s %5s%n",
        "name",
        "layers",
        "qheads",
        "kvhead",
        "hidden",
        "mlp",
        "vocab",
        "gated");
    for (ModelSpec m : c.models().values()) {
      out.printf(
          Locale.ROOT,
          "  %-38s %6d %6d %6d %7d %7d %8d %5s%n",
          m.name(),
          m.numLayers(),
          m.numQHeads(),
          m.numKvHeads(),
          m.embeddingDim(),
          m.mlpHiddenDim(),
          m.vocabSize(),
          m.useGatedMlp());
    }
    out.println();
    out.println("GPU SKUs (dense fp16 TFLOP/s, memory GB, HBM GB/s, scale-up link GB/s)");
    for (DeviceSku s : c.skus().values()) {
      out.printf(
          Locale.ROOT,
          "  %-8s %-34s %7.1f %6.0f %7.0f %7.1f%n",
          s.name(),
          s.description(),
          s.fp16Tflops(),
          s.memoryGb(),
          s.memoryBandwidthGbps(),
          s.linkBandwidthGbps());
    }
    out.println();
    out.println("Node types (GPUs, NVLink group, NVLink / PCIe / inter-node GB/s per GPU)");
    for (NodeSku n : c.nodes().values()) {
      out.printf(
          Locale.ROOT,
          "  %-22s %-7s %3d %3d %7.1f %7.1f %7.1f  %s%n",
          n.name(),
          n.sku(),
          n.devicesPerNode(),
          n.nvlinkGroupSize(),
          n.nvlinkBandwidthGbps(),
          n.pcieBandwidthGbps(),
          n.interNodeBandwidthGbps(),
          n.topology());
    }
    out.println();
    out.println("Price books ($ per GPU-hour; a SKU not listed has no price)");
    for (PriceBook b : c.priceBooks().values()) {
      out.printf(Locale.ROOT, "  %-22s %-12s %s%n", b.name(), b.date(), b.pricesPerGpuHour());
    }
    return 0;
  }
}
