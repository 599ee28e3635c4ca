package io.llmcap.predictors.lgbm;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.DeviceSku;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.catalog.NodeSku;
import io.llmcap.predictors.profile.OpSamples;
import io.llmcap.predictors.profile.ProfileFolder;
import io.llmcap.predictors.roofline.RooflineCalibration;
import io.llmcap.predictors.roofline.RooflineOps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.DoubleStream;
import java.util.stream.Stream;

/**
 * Held-out accuracy of LightGBM (and of the calibrated roofline, on the same rows) for every
 * operator profile under a folder in the reference layout: each (model, SKU, TP) of {@code
 * compute/<sku>/<org>/<model>/} and each collective selection of {@code network/<node>/}. Per
 * operator, {@link HeldOut} holds out 20% of the usable rows, LightGBM trains on the rest, and both
 * models are scored by MAPE on the held-out rows.
 *
 * <p>The roofline's parameters were calibrated on the shared measurements, including rows held out
 * here; with a handful of parameters per SKU fitted to thousands of rows, its figures are close to
 * held-out ones.
 */
public final class ProfileEvaluation {
  private static final int[] TPS = {1, 2, 4, 8};

  /** {@link Row#chosen()} of an operator whose every time is 0: it is predicted as 0. */
  public static final String ABSENT = "constant 0";

  private ProfileEvaluation() {}

  /**
   * One operator's result. {@code tp} is empty and {@code node} set for network operators; {@code
   * rooflineMape} is NaN where no calibrated roofline applies, both MAPEs are NaN for an operator
   * whose every time is 0 (absent).
   */
  public record Row(
      String sku,
      String model,
      String node,
      String tp,
      String op,
      int rows,
      int dropped,
      int trainRows,
      int testRows,
      double lightGbmMape,
      double rooflineMape,
      double cvMape,
      String chosen) {}

  /** All rows, in folder order, and notes about what was skipped. */
  public record Report(List<Row> rows, List<String> notes) {
    /** Median LightGBM MAPE over the matching rows that have one (NaN for none). */
    public double lightGbmMedian(Predicate<Row> which) {
      return median(rows.stream().filter(which).mapToDouble(Row::lightGbmMape));
    }

    public double rooflineMedian(Predicate<Row> which) {
      return median(rows.stream().filter(which).mapToDouble(Row::rooflineMape));
    }
  }

  /** The operators of one selection with the roofline that applies (or null). */
  private record Target(
      String sku, String model, String node, String tp, List<OpSamples> ops, RooflineOps roofline) {
    Selection selection() {
      return new Selection(sku, model, node, tp);
    }
  }

  /** Which profiles one evaluation covers: {@code model} empty for network selections. */
  public record Selection(String sku, String model, String node, String tp) {}

  /**
   * Evaluates the selections under {@code root} that {@code which} accepts, {@code threads}
   * operators at a time (the results do not depend on the thread count).
   */
  public static Report run(
      Path root,
      Catalog catalog,
      LightGbmTrainer trainer,
      int threads,
      Predicate<Selection> which) {
    List<String> notes = new ArrayList<>();
    List<Target> targets =
        targets(root, catalog, notes).stream().filter(t -> which.test(t.selection())).toList();
    return new Report(evaluate(targets, trainer, threads), notes);
  }

  private static List<Target> targets(Path root, Catalog catalog, List<String> notes) {
    ProfileFolder folder = ProfileFolder.open(root);
    List<Target> out = new ArrayList<>();
    Path compute = root.resolve("compute");
    if (!Files.isDirectory(compute) && !Files.isDirectory(root.resolve("network"))) {
      compute = root; // a folder of compute profiles only
    }
    for (Path skuDir : dirs(compute)) {
      String sku = skuDir.getFileName().toString();
      for (Path org : dirs(skuDir)) {
        for (Path modelDir : dirs(org)) {
          String name = org.getFileName() + "/" + modelDir.getFileName();
          ModelSpec model = catalog.models().get(name);
          if (model == null) {
            notes.add("skipped " + modelDir + ": model " + name + " is not in the catalog");
            continue;
          }
          for (int tp : TPS) {
            if (model.numQHeads() % tp != 0 || (model.noTensorParallel() && tp > 1)) {
              continue;
            }
            List<OpSamples> ops = new ArrayList<>();
            if (Files.isRegularFile(modelDir.resolve("mlp.csv"))) {
              ops.addAll(orEmpty(() -> folder.mlp(model, sku, tp)));
            }
            if (Files.isRegularFile(modelDir.resolve("attention.csv"))) {
              ops.addAll(orEmpty(() -> folder.attention(model, sku, tp)));
            }
            if (!ops.isEmpty()) {
              out.add(
                  new Target(
                      sku,
                      name,
                      "",
                      String.valueOf(tp),
                      ops,
                      computeRoofline(catalog, model, sku, tp)));
            }
          }
        }
      }
    }
    for (Path nodeDir : dirs(root.resolve("network"))) {
      String name = nodeDir.getFileName().toString();
      NodeSku node = catalog.nodes().get(name);
      if (node == null) {
        notes.add("skipped " + nodeDir + ": node type " + name + " is not in the catalog");
        continue;
      }
      DeviceSku sku = catalog.skus().get(node.sku());
      if (Files.isRegularFile(nodeDir.resolve("all_reduce.csv"))) {
        for (int tp : TPS) {
          if (tp > 1 && tp <= node.devicesPerNode()) {
            // Hidden size 1: the feature counts fp16 elements, as the per-element roofline does.
            List<OpSamples> ops = orEmpty(() -> List.of(folder.allReduce(name, tp, 1)));
            if (!ops.isEmpty()) {
              out.add(
                  new Target(
                      node.sku(),
                      "",
                      name,
                      String.valueOf(tp),
                      ops,
                      networkRoofline(sku, node, tp, 1)));
            }
          }
        }
      }
      if (Files.isRegularFile(nodeDir.resolve("send_recv.csv"))) {
        for (boolean multiNode : new boolean[] {false, true}) {
          List<OpSamples> ops = orEmpty(() -> List.of(folder.sendRecv(name, multiNode, 1)));
          if (!ops.isEmpty()) {
            // Two stages in one node, or enough stages to leave it.
            int pp = multiNode ? node.devicesPerNode() + 1 : 2;
            ops =
                ops.stream().map(s -> multiNode ? renamed(s, s.op() + "_inter_node") : s).toList();
            out.add(new Target(node.sku(), "", name, "", ops, networkRoofline(sku, node, 1, pp)));
          }
        }
      }
    }
    return out;
  }

  private static List<Row> evaluate(List<Target> targets, LightGbmTrainer trainer, int threads) {
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
    try {
      List<Future<Row>> futures = new ArrayList<>();
      for (Target t : targets) {
        for (OpSamples s : t.ops()) {
          futures.add(pool.submit(() -> evaluate(t, s, trainer)));
        }
      }
      List<Row> rows = new ArrayList<>();
      for (Future<Row> f : futures) {
        rows.add(f.get());
      }
      return rows;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("evaluation interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private static Row evaluate(Target t, OpSamples s, LightGbmTrainer trainer) {
    HeldOut.Split split = HeldOut.split(s);
    TrainingRows cleaned = split.cleaned();
    if (cleaned.allZero() || split.train().size() == 0 || split.test().size() == 0) {
      return new Row(
          t.sku(),
          t.model(),
          t.node(),
          t.tp(),
          s.op(),
          s.size(),
          cleaned.dropped(),
          split.train().size(),
          split.test().size(),
          Double.NaN,
          Double.NaN,
          Double.NaN,
          cleaned.allZero() ? ABSENT : "too few rows");
    }
    HeldOut.Result r = HeldOut.evaluate(split, trainer);
    double roofline = Double.NaN;
    if (t.roofline() != null) {
      // Inter-node send/recv rows are predicted by the same op of a multi-node deployment.
      String op = s.op().replace("_inter_node", "");
      double[][] x = split.test().features();
      double[] p = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        p[i] = t.roofline().predictMs(op, x[i]);
      }
      roofline = Mape.of(split.test().targetMs(), p);
    }
    String chosen = "constant";
    double cv = Double.NaN;
    if (r.model() instanceof TrainedModel.Gbm g) {
      chosen =
          "num_leaves="
              + g.chosen().numLeaves()
              + " learning_rate="
              + g.chosen().learningRate()
              + " iterations="
              + g.chosen().iterations();
      cv = g.cvMapePercent();
    }
    return new Row(
        t.sku(),
        t.model(),
        t.node(),
        t.tp(),
        s.op(),
        s.size(),
        cleaned.dropped(),
        split.train().size(),
        split.test().size(),
        r.mapePercent(),
        roofline,
        cv,
        chosen);
  }

  private static RooflineOps computeRoofline(Catalog catalog, ModelSpec model, String sku, int tp) {
    DeviceSku device = catalog.skus().get(sku);
    // Compute ops do not depend on the node; any node of the SKU makes a deployment.
    NodeSku node =
        catalog.nodes().values().stream()
            .filter(n -> n.sku().equals(sku))
            .min(Comparator.comparing(NodeSku::name))
            .orElse(null);
    if (device == null || node == null) {
      return null;
    }
    return RooflineOps.calibrated(new Deployment(model, device, node, tp, 1));
  }

  private static RooflineOps networkRoofline(DeviceSku sku, NodeSku node, int tp, int pp) {
    if (sku == null) {
      return null;
    }
    return RooflineOps.perElement(
        sku, node, tp, pp, RooflineCalibration.builtin().params(sku.name(), node.name()));
  }

  /** The samples, or none when the file has no rows for this selection (another TP or shape). */
  private static List<OpSamples> orEmpty(Supplier<List<OpSamples>> read) {
    try {
      return read.get();
    } catch (ConfigException e) {
      String m = e.getMessage();
      if (m.contains("no rows") || m.contains(" rows with ")) {
        return List.of();
      }
      throw e;
    }
  }

  private static OpSamples renamed(OpSamples s, String op) {
    return new OpSamples(op, s.featureNames(), s.features(), s.targetMs(), s.source());
  }

  private static List<Path> dirs(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  static double median(DoubleStream values) {
    double[] v = values.filter(Double::isFinite).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    int m = v.length / 2;
    return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
  }
}
