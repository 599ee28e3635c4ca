package io.llmcap.predictors.calibration;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.DeviceSku;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.catalog.NodeSku;
import io.llmcap.predictors.profile.OpSamples;
import io.llmcap.predictors.profile.ProfileFolder;
import io.llmcap.predictors.roofline.Link;
import io.llmcap.predictors.roofline.RooflineOps;
import io.llmcap.predictors.roofline.RooflineParams;
import io.llmcap.predictors.roofline.RooflineProfileWriter;
import io.llmcap.timing.Operator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the measured profiles a calibration fits to and keeps the usable rows: {@code
 * compute/<sku>/<org>/<model>/mlp.csv} and {@code attention.csv} of catalog models at every TP they
 * can run, legacy {@code compute-legacy/<sku>/attention_n_embd<E>_q<Q>_kv<K>_tp<T>.csv}, and {@code
 * network/<node>/all_reduce.csv} and {@code send_recv.csv}, read through {@link ProfileFolder}.
 * Rows that are not positive or are faster than the op's physical lower bound (100% of peak FLOP/s
 * and bandwidth, no overhead) are measurement errors and dropped. Rows are sorted into the
 * roofline's parameter groups by their {@link Operator}'s kind and phase ({@link Group}).
 */
final class ProfileDiscovery {
  private static final Pattern LEGACY_ATTENTION =
      Pattern.compile("attention_n_embd(\\d+)_q(\\d+)_kv(\\d+)_tp(\\d+)\\.csv");

  /** The roofline's compute parameter groups, and the operators each is fitted to. */
  enum Group {
    GEMM(op -> op.kind() == Operator.Kind.GEMM),
    ELEMENTWISE(op -> op.kind() == Operator.Kind.ELEMENTWISE),
    PREFILL(op -> op.kind() == Operator.Kind.ATTENTION && op.phase() == Operator.Phase.PREFILL),
    DECODE(op -> op.kind() == Operator.Kind.ATTENTION && op.phase() == Operator.Phase.DECODE),
    KV_SAVE(op -> op.kind() == Operator.Kind.KV_WRITE);

    private final Predicate<Operator> ops;

    Group(Predicate<Operator> ops) {
      this.ops = ops;
    }

    boolean contains(Operator op) {
      return ops.test(op);
    }
  }

  /**
   * The rows a SKU has, per parameter group, and the relative paths of the files they came from.
   */
  record Measured(
      Map<Group, List<Rows>> rows, TreeSet<String> mlpSources, TreeSet<String> attentionSources) {
    List<Rows> of(Group g) {
      return rows.get(g);
    }

    boolean has(Group g) {
      return !Rows.allEmpty(of(g));
    }
  }

  private final Path data;
  private final Catalog catalog;
  private final ProfileFolder profiles;

  ProfileDiscovery(Path data, Catalog catalog) {
    this.data = data;
    this.catalog = catalog;
    this.profiles = ProfileFolder.open(data);
  }

  Path data() {
    return data;
  }

  /** Every usable compute row of {@code sku}, on its natural node type. */
  Measured measure(DeviceSku sku) {
    NodeSku node = RooflineProfileWriter.naturalNode(catalog, sku);
    Map<Group, List<Rows>> rows = new EnumMap<>(Group.class);
    for (Group g : Group.values()) {
      rows.put(g, new ArrayList<>());
    }
    TreeSet<String> mlpSources = new TreeSet<>();
    TreeSet<String> attentionSources = new TreeSet<>();
    Path computeDir = data.resolve("compute").resolve(sku.name());
    for (Path modelDir : modelDirs(computeDir)) {
      String name = computeDir.relativize(modelDir).toString().replace('\\', '/');
      ModelSpec model = catalog.models().get(name);
      if (model == null) {
        continue; // a profile of a model the catalog does not know: no shape to evaluate
      }
      for (int tp : RooflineProfileWriter.tps(model)) {
        Deployment dep = new Deployment(model, sku, node, tp, 1);
        Function<RooflineParams, RooflineOps> roofline = p -> new RooflineOps(dep, p);
        if (Files.isRegularFile(modelDir.resolve("mlp.csv"))) {
          List<OpSamples> ops = selected(() -> profiles.mlp(model, sku.name(), tp));
          if (ops != null) {
            mlpSources.add(relative(modelDir.resolve("mlp.csv")));
            add(rows, roofline, ops, Operator.ProfileFile.MLP);
          }
        }
        if (Files.isRegularFile(modelDir.resolve("attention.csv"))) {
          List<OpSamples> ops = selected(() -> profiles.attention(model, sku.name(), tp));
          if (ops != null) {
            attentionSources.add(relative(modelDir.resolve("attention.csv")));
            add(rows, roofline, ops, Operator.ProfileFile.ATTENTION);
          }
        }
      }
    }
    for (Path legacy : files(data.resolve("compute-legacy").resolve(sku.name()))) {
      Matcher m = LEGACY_ATTENTION.matcher(legacy.getFileName().toString());
      if (!m.matches()) {
        continue;
      }
      int tp = Integer.parseInt(m.group(4));
      ModelSpec model =
          catalog.models().values().stream()
              .filter(
                  s ->
                      s.embeddingDim() == Integer.parseInt(m.group(1))
                          && s.numQHeads() == Integer.parseInt(m.group(2))
                          && s.numKvHeads() == Integer.parseInt(m.group(3)))
              .findFirst()
              .orElse(null);
      if (model == null) {
        continue;
      }
      attentionSources.add(relative(legacy));
      Deployment dep = new Deployment(model, sku, node, tp, 1);
      add(
          rows,
          p -> new RooflineOps(dep, p),
          ProfileFolder.attentionFile(legacy, model, tp),
          Operator.ProfileFile.ATTENTION);
    }
    return new Measured(rows, mlpSources, attentionSources);
  }

  /** One {@link Rows} per group whose operators {@code file} holds. */
  private static void add(
      Map<Group, List<Rows>> rows,
      Function<RooflineParams, RooflineOps> roofline,
      List<OpSamples> ops,
      Operator.ProfileFile file) {
    for (Group g : Group.values()) {
      if (Operator.predictedIn(file).stream().anyMatch(g::contains)) {
        rows.get(g).add(rows(roofline, ops, g::contains));
      }
    }
  }

  /**
   * The all-reduce rows of a node type's own measurements per link: among 2, 4, 8 devices of one
   * node, as far as it holds them.
   */
  Map<Link, List<Rows>> allReduce(NodeSku node) {
    Map<Link, List<Rows>> allReduce = new EnumMap<>(Link.class);
    for (int tp : RooflineProfileWriter.TPS) {
      if (tp == 1 || tp > node.devicesPerNode()) {
        continue;
      }
      // Hidden size 1: the samples count fp16 elements, as the per-element ops do.
      OpSamples s = selected(() -> profiles.allReduce(node.name(), tp, 1));
      if (s != null) {
        allReduce
            .computeIfAbsent(Link.of(node, tp, false), k -> new ArrayList<>())
            .add(rows(perElement(node, tp, 1), List.of(s), op -> op == Operator.ALL_REDUCE));
      }
    }
    return allReduce;
  }

  /** The send/recv rows of a node type's own measurements per link: within it and across nodes. */
  Map<Link, List<Rows>> sendRecv(NodeSku node) {
    Map<Link, List<Rows>> sendRecv = new EnumMap<>(Link.class);
    for (boolean multiNode : new boolean[] {false, true}) {
      OpSamples s = selected(() -> profiles.sendRecv(node.name(), multiNode, 1));
      // Two stages of one node, or as many stages as it takes to leave the node.
      int pp = multiNode ? node.devicesPerNode() + 1 : 2;
      if (s != null && (pp > node.devicesPerNode()) == multiNode) {
        sendRecv
            .computeIfAbsent(Link.of(node, 2, multiNode), k -> new ArrayList<>())
            .add(rows(perElement(node, 1, pp), List.of(s), op -> op == Operator.SEND_RECV));
      }
    }
    return sendRecv;
  }

  /** The samples of {@code ops} that are positive and not faster than physically possible. */
  static Rows rows(
      Function<RooflineParams, RooflineOps> roofline,
      List<OpSamples> samples,
      Predicate<Operator> ops) {
    RooflineOps ideal = roofline.apply(idealParams());
    List<Rows.Sample> out = new ArrayList<>();
    for (OpSamples s : samples) {
      Operator op = Operator.byName(s.op());
      if (!ops.test(op)) {
        continue;
      }
      for (int i = 0; i < s.size(); i++) {
        double y = s.targetMs()[i];
        double[] x = s.features()[i];
        if (y > 0 && y >= ideal.predictMs(op, x)) {
          out.add(new Rows.Sample(op, x, y, false));
        }
      }
    }
    return new Rows(roofline, out);
  }

  /** Everything at 100% of peak and no overheads, collectives included. */
  static RooflineParams idealParams() {
    RooflineParams ideal = RooflineParams.ideal();
    Map<Link, RooflineParams.LinkFit> links = new EnumMap<>(Link.class);
    for (Link l : Link.values()) {
      links.put(l, new RooflineParams.LinkFit(1, 0));
    }
    return new RooflineParams(
        ideal.gemm(),
        ideal.elementwise(),
        ideal.attention(),
        new RooflineParams.Network(links, links, 1, 0),
        0,
        ideal.source());
  }

  private Function<RooflineParams, RooflineOps> perElement(NodeSku node, int tp, int pp) {
    DeviceSku sku = catalog.sku(node.sku(), "nodes.yaml: " + node.name() + ".sku");
    return p -> RooflineOps.perElement(sku, node, tp, pp, p);
  }

  /** {@code p} relative to the data folder, with forward slashes. */
  String relative(Path p) {
    return data.relativize(p).toString().replace('\\', '/');
  }

  /** A profile selection, or null when the file has no rows for it (another TP, another node). */
  private static <T> T selected(Supplier<T> read) {
    try {
      return read.get();
    } catch (ConfigException e) {
      String m = e.getMessage();
      if (m.contains("no rows") || m.contains(" rows with ") || m.contains("not found")) {
        return null;
      }
      throw e;
    }
  }

  /** {@code <org>/<model>} folders under a SKU's compute folder, sorted. */
  private static List<Path> modelDirs(Path computeDir) {
    List<Path> out = new ArrayList<>();
    for (Path org : files(computeDir)) {
      if (Files.isDirectory(org)) {
        for (Path model : files(org)) {
          if (Files.isDirectory(model)) {
            out.add(model);
          }
        }
      }
    }
    return out;
  }

  private static List<Path> files(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
