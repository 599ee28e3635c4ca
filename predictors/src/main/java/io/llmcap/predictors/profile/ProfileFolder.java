package io.llmcap.predictors.profile;

import static java.util.stream.Collectors.joining;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.timing.Operator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Operator profiles in the reference layout, selected as the reference's predictor selects them
 * (vidur-behaviour §5.3):
 *
 * <pre>
 * compute/&lt;sku&gt;/&lt;org&gt;/&lt;model&gt;/mlp.csv        token-level ops vs num_tokens
 * compute/&lt;sku&gt;/&lt;org&gt;/&lt;model&gt;/attention.csv  prefill / decode attention, KV-cache save
 * network/&lt;node&gt;/all_reduce.csv, send_recv.csv    collectives vs message size
 * </pre>
 *
 * <p>A root of compute profiles only may leave out the {@code compute/} level (as the shared {@code
 * synthetic-attention/} folder does).
 *
 * <p>Several roots can be overlaid ({@link #overlay}): each file is taken from the first root that
 * has it, so a folder with only attention profiles can complete one with MLP and network profiles.
 * Every problem (missing file, missing column, bad cell, negative time, no rows for the model) is a
 * {@link ConfigException} naming the file and what was looked for.
 */
public final class ProfileFolder {
  /** Ops a predictor reads from {@code mlp.csv}, in {@link Operator} order. */
  public static final List<String> MLP_OPS =
      Operator.predictedIn(Operator.ProfileFile.MLP).stream().map(Operator::profileName).toList();

  // Profile names of single operators, for callers that key samples by name.
  public static final String ATTN_PREFILL = Operator.ATTN_PREFILL.profileName();
  public static final String ATTN_DECODE = Operator.ATTN_DECODE.profileName();
  public static final String ATTN_KV_CACHE_SAVE = Operator.ATTN_KV_CACHE_SAVE.profileName();
  public static final String ALL_REDUCE = Operator.ALL_REDUCE.profileName();
  public static final String SEND_RECV = Operator.SEND_RECV.profileName();

  private final List<Path> roots;

  private ProfileFolder(List<Path> roots) {
    this.roots = List.copyOf(roots);
  }

  public static ProfileFolder open(Path root) {
    return overlay(List.of(root));
  }

  /** Several roots; a file missing from one is looked up in the next. */
  public static ProfileFolder overlay(List<Path> roots) {
    if (roots.isEmpty()) {
      throw new ConfigException("predictor.profiles", "no profile folder given");
    }
    for (Path r : roots) {
      if (!Files.isDirectory(r)) {
        throw new ConfigException(
            "predictor.profiles",
            "'"
                + r
                + "' is not a directory; expected a folder in the reference layout"
                + " (compute/<sku>/<org>/<model>/mlp.csv, network/<node>/all_reduce.csv, ...)");
      }
    }
    return new ProfileFolder(roots);
  }

  public List<Path> roots() {
    return roots;
  }

  /** Where {@code mlp.csv} of a (model, SKU) is; an error when no root has it. */
  public Path mlpPath(ModelSpec model, String sku) {
    return find(Path.of(sku).resolve(model.name()).resolve("mlp.csv"), true, "MLP profile");
  }

  public Path attentionPath(ModelSpec model, String sku) {
    return find(
        Path.of(sku).resolve(model.name()).resolve("attention.csv"), true, "attention profile");
  }

  public Path allReducePath(String node) {
    return find(Path.of("network", node, "all_reduce.csv"), false, "all-reduce profile");
  }

  public Path sendRecvPath(String node) {
    return find(Path.of("network", node, "send_recv.csv"), false, "send/recv profile");
  }

  /**
   * The first root holding {@code relative}. Compute profiles are looked up under {@code compute/}
   * and, for a folder of compute profiles only (such as {@code synthetic-attention/}), directly
   * under the root.
   */
  private Path find(Path relative, boolean compute, String what) {
    Path standard = compute ? Path.of("compute").resolve(relative) : relative;
    for (Path r : roots) {
      for (Path p :
          compute
              ? List.of(r.resolve(standard), r.resolve(relative))
              : List.of(r.resolve(standard))) {
        if (Files.isRegularFile(p)) {
          return p;
        }
      }
    }
    String where =
        roots.size() == 1
            ? roots.get(0).resolve(standard).toString()
            : standard
                + " under any of "
                + roots.stream().map(Path::toString).collect(Collectors.joining(", "));
    throw new ConfigException("predictor.profiles", "no " + what + ": " + where + " not found");
  }

  /**
   * Everything a deployment's predictor trains on: the {@code mlp.csv} ops, the attention ops, the
   * all-reduce when TP &gt; 1 and the send/recv when PP &gt; 1.
   */
  public List<OpSamples> forDeployment(Deployment d) {
    List<OpSamples> all = new ArrayList<>(mlp(d.model(), d.sku().name(), d.tp()));
    all.addAll(attention(d.model(), d.sku().name(), d.tp()));
    if (d.tp() > 1) {
      all.add(allReduce(d.node().name(), d.tp(), d.model().embeddingDim()));
    }
    if (d.pp() > 1) {
      all.add(sendRecv(d.node().name(), d.multiNode(), d.model().embeddingDim()));
    }
    return all;
  }

  /** One {@link OpSamples} per op of {@link #MLP_OPS}, feature {@code num_tokens}. */
  public List<OpSamples> mlp(ModelSpec model, String sku, int tp) {
    return readMlp(mlpPath(model, sku), model, tp);
  }

  static List<OpSamples> readMlp(Path file, ModelSpec model, int tp) {
    ProfileCsv csv = ProfileCsv.read(file);
    int head = csv.require("n_head");
    int kvHead = csv.require("n_kv_head");
    int embd = csv.require("n_embd");
    int expanded = csv.require("n_expanded_embd");
    int gated = csv.require("use_gated_mlp");
    int workers = csv.require("num_tensor_parallel_workers");
    int tokens = csv.require("num_tokens");
    List<Operator> ops = Operator.predictedIn(Operator.ProfileFile.MLP);
    int[] targets = new int[ops.size()];
    for (int k = 0; k < targets.length; k++) {
      Operator op = ops.get(k);
      String col = median(op.profileName());
      targets[k] = op.optionalInProfile() ? csv.optional(col) : csv.require(col);
    }
    // vocab_size is deliberately not filtered on: it does not affect these ops, and the catalog
    // follows Hugging Face while the profiles record the reference's value (32000 vs 32768).
    Selection sel =
        select(
            csv,
            file,
            model,
            tp,
            workers,
            List.of(
                ShapeColumn.number("n_head", head, model.numQHeads()),
                ShapeColumn.number("n_kv_head", kvHead, model.numKvHeads()),
                ShapeColumn.number("n_embd", embd, model.embeddingDim()),
                ShapeColumn.number("n_expanded_embd", expanded, model.mlpHiddenDim()),
                ShapeColumn.bool("use_gated_mlp", gated, model.useGatedMlp())));
    List<Integer> selected = sel.rows();
    String source = file + " [" + sel.filter() + "]";
    List<OpSamples> out = new ArrayList<>();
    for (int k = 0; k < targets.length; k++) {
      Samples s = new Samples(ops.get(k), source);
      for (int r : selected) {
        if (targets[k] < 0) {
          s.add(0, csv.number(r, tokens));
        } else if (!csv.isEmpty(r, targets[k])) {
          s.add(csv.time(r, targets[k]), csv.number(r, tokens));
        }
      }
      out.add(s.build(file));
    }
    return out;
  }

  /** {@code attn_prefill}, {@code attn_decode} and {@code attn_kv_cache_save}, in that order. */
  public List<OpSamples> attention(ModelSpec model, String sku, int tp) {
    return attentionFile(attentionPath(model, sku), model, tp);
  }

  /**
   * Attention samples from one file in the current schema (with or without the KV-cache save
   * column) or the legacy one (an extra {@code profile_method} column), wherever it lies.
   */
  public static List<OpSamples> attentionFile(Path csvFile, ModelSpec model, int tp) {
    if (!Files.isRegularFile(csvFile)) {
      throw new ConfigException(
          "predictor.profiles", "no attention profile: " + csvFile + " not found");
    }
    ProfileCsv csv = ProfileCsv.read(csvFile);
    int embd = csv.require("n_embd");
    int qHead = csv.require("n_q_head");
    int kvHead = csv.require("n_kv_head");
    int workers = csv.require("num_tensor_parallel_workers");
    int batch = csv.require("batch_size");
    int chunk = csv.require("prefill_chunk_size");
    int kv = csv.require("kv_cache_size");
    int prefillTime = csv.require(median(ATTN_PREFILL));
    int decodeTime = csv.require(median(ATTN_DECODE));
    int saveTime = csv.optional(median(ATTN_KV_CACHE_SAVE));
    int block = csv.optional("block_size");

    Selection sel =
        select(
            csv,
            csvFile,
            model,
            tp,
            workers,
            List.of(
                ShapeColumn.number("n_embd", embd, model.embeddingDim()),
                ShapeColumn.number("n_q_head", qHead, model.numQHeads()),
                ShapeColumn.number("n_kv_head", kvHead, model.numKvHeads())));
    List<Integer> selected = sel.rows();
    String filter = sel.filter();
    // Attention time does not depend on the KV block size (vidur-behaviour §14), so rather than
    // filtering on the scheduler's block size we keep one block size: the most common one.
    if (block >= 0) {
      Map<Integer, Integer> counts = new TreeMap<>();
      for (int r : selected) {
        counts.merge((int) csv.number(r, block), 1, Integer::sum);
      }
      if (counts.size() > 1) {
        int best = counts.entrySet().stream().max(Map.Entry.comparingByValue()).get().getKey();
        selected.removeIf(r -> (int) csv.number(r, block) != best);
        filter += " block_size=" + best;
      }
    }
    String source = csvFile + " [" + filter + "]";
    Samples prefill = new Samples(Operator.ATTN_PREFILL, source);
    Samples decode = new Samples(Operator.ATTN_DECODE, source);
    Samples save = new Samples(Operator.ATTN_KV_CACHE_SAVE, source);
    for (int r : selected) {
      double c = csv.number(r, chunk);
      double b = csv.number(r, batch);
      double k = csv.number(r, kv);
      if (c == 0) {
        if (!csv.isEmpty(r, decodeTime)) {
          decode.add(csv.time(r, decodeTime), b, k);
        }
      } else if (!csv.isEmpty(r, prefillTime)) {
        prefill.add(csv.time(r, prefillTime), k, c * c);
      }
      // Without the column the reference predicts the save as 0 ms.
      if (saveTime < 0) {
        save.add(0, Math.max(c, b));
      } else if (!csv.isEmpty(r, saveTime)) {
        save.add(csv.time(r, saveTime), Math.max(c, b));
      }
    }
    return List.of(prefill.build(csvFile), decode.build(csvFile), save.build(csvFile));
  }

  /**
   * All-reduce among {@code tp} devices of one node (rows with {@code num_workers ==
   * devices_per_node == tp}); feature {@code num_tokens} = message bytes / hidden / 2 (fp16).
   */
  public OpSamples allReduce(String node, int tp, int embeddingDim) {
    return network(allReducePath(node), Operator.ALL_REDUCE, tp, tp, embeddingDim);
  }

  /** Pipeline send/recv between neighbouring devices of one node, or across nodes. */
  public OpSamples sendRecv(String node, boolean multiNode, int embeddingDim) {
    return network(sendRecvPath(node), Operator.SEND_RECV, -1, multiNode ? 1 : 2, embeddingDim);
  }

  /** {@code workers} -1: any number of workers. */
  private static OpSamples network(
      Path file, Operator op, int workers, int devicesPerNode, int embeddingDim) {
    String collective = op.profileName();
    ProfileCsv csv = ProfileCsv.read(file);
    int kind = csv.require("collective");
    int nw = csv.require("num_workers");
    int dpn = csv.require("devices_per_node");
    int size = csv.require("size");
    int time = csv.require(median(collective));
    Samples s =
        new Samples(
            op,
            file
                + " [collective="
                + collective
                + (workers > 0 ? " num_workers=" + workers : "")
                + " devices_per_node="
                + devicesPerNode
                + "]");
    TreeSet<String> present = new TreeSet<>();
    for (int r = 0; r < csv.rowCount(); r++) {
      if (!csv.text(r, kind).equals(collective)) {
        continue;
      }
      int rowNw = (int) csv.number(r, nw);
      int rowDpn = (int) csv.number(r, dpn);
      present.add(
          workers > 0
              ? "num_workers=" + rowNw + " devices_per_node=" + rowDpn
              : "devices_per_node=" + rowDpn);
      if ((workers < 0 || rowNw == workers) && rowDpn == devicesPerNode && !csv.isEmpty(r, time)) {
        s.add(csv.time(r, time), csv.number(r, size) / embeddingDim / 2);
      }
    }
    if (s.size() == 0) {
      throw new ConfigException(
          file.toString(),
          "no "
              + collective
              + " rows with "
              + (workers > 0 ? "num_workers=" + workers + " and " : "")
              + "devices_per_node="
              + devicesPerNode
              + "; the file has "
              + (present.isEmpty() ? "no " + collective + " rows" : String.join(", ", present)));
    }
    return s.build(file);
  }

  private static String median(String op) {
    return "time_stats." + op + ".median";
  }

  /** A model-shape column of a profile and the value the deployment's rows hold there. */
  private record ShapeColumn(String name, int col, long number, Boolean bool) {
    static ShapeColumn number(String name, int col, long value) {
      return new ShapeColumn(name, col, value, null);
    }

    static ShapeColumn bool(String name, int col, boolean value) {
      return new ShapeColumn(name, col, 0, value);
    }

    boolean matches(ProfileCsv csv, int row) {
      return bool == null ? csv.number(row, col) == number : csv.bool(row, col) == bool;
    }

    String expected() {
      return name + "=" + (bool == null ? Long.toString(number) : bool ? "True" : "False");
    }
  }

  /** The rows of one model shape at one TP, and the filter that chose them (for provenance). */
  private record Selection(List<Integer> rows, String filter) {}

  /**
   * The rows whose shape columns all match and whose TP is {@code tp}, as the reference selects
   * them; none is an error naming the filter and what the file has instead (other shapes, or this
   * shape at other TPs).
   */
  private static Selection select(
      ProfileCsv csv, Path file, ModelSpec model, int tp, int workers, List<ShapeColumn> shape) {
    List<Integer> selected = new ArrayList<>();
    TreeSet<String> shapes = new TreeSet<>();
    TreeSet<Integer> tps = new TreeSet<>();
    for (int r = 0; r < csv.rowCount(); r++) {
      int row = r;
      int rowTp = (int) csv.number(r, workers);
      if (shape.stream().allMatch(c -> c.matches(csv, row))) {
        tps.add(rowTp);
        if (rowTp == tp) {
          selected.add(r);
        }
      } else {
        shapes.add(
            shape.stream().map(c -> c.name() + "=" + csv.text(row, c.col())).collect(joining(" ")));
      }
    }
    String filter =
        shape.stream().map(ShapeColumn::expected).collect(joining(" "))
            + " num_tensor_parallel_workers="
            + tp;
    if (selected.isEmpty()) {
      throw new ConfigException(
          file.toString(),
          "no rows for "
              + model.name()
              + " ("
              + filter
              + "); "
              + (tps.isEmpty()
                  ? "the file has other model shapes: " + String.join("; ", shapes)
                  : "the file has this shape at TP " + join(tps) + " only"));
    }
    return new Selection(selected, filter);
  }

  private static String join(TreeSet<Integer> values) {
    return values.stream().map(String::valueOf).collect(Collectors.joining(", "));
  }

  /** Accumulates the rows of one op. */
  private static final class Samples {
    private final String op;
    private final String source;
    private final String[] names;
    private final List<double[]> features = new ArrayList<>();
    private final List<Double> targets = new ArrayList<>();

    Samples(Operator op, String source) {
      this.op = op.profileName();
      this.source = source;
      this.names = op.features().toArray(new String[0]);
    }

    void add(double targetMs, double... x) {
      features.add(x);
      targets.add(targetMs);
    }

    int size() {
      return targets.size();
    }

    OpSamples build(Path file) {
      if (targets.isEmpty()) {
        throw new ConfigException(file.toString(), "no rows with a " + op + " time for " + source);
      }
      double[] y = new double[targets.size()];
      for (int i = 0; i < y.length; i++) {
        y[i] = targets.get(i);
      }
      return new OpSamples(op, names, features.toArray(new double[0][]), y, source);
    }
  }
}
