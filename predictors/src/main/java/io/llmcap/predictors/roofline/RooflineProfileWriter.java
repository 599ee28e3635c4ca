package io.llmcap.predictors.roofline;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.DeviceSku;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.catalog.NodeSku;
import io.llmcap.timing.Operator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.IntStream;

/**
 * Writes roofline profiles in the reference profiler's layout and column order (vidur-behaviour
 * §10.2–10.4), so that anything that reads measured profiles reads these too:
 *
 * <pre>
 * compute/&lt;sku&gt;/&lt;org&gt;/&lt;model&gt;/mlp.csv, attention.csv
 * network/&lt;node&gt;/all_reduce.csv, send_recv.csv
 * </pre>
 *
 * <p>A model has no run-to-run spread, so each op's min, max, mean and median are the one
 * prediction and std is 0. Times are milliseconds with {@value #SIGNIFICANT_DIGITS} significant
 * digits (0.1% resolution, far below the model's error) so that the whole catalog's profiles stay
 * small enough to ship in git; output is byte-for-byte deterministic.
 *
 * <p>Grids. The shipped set (the whole catalog, {@code scripts/generate-roofline-profiles.sh}) must
 * stay within ~40 MB of git, so the grids are the reference profiler's where they are cheap and
 * roughly geometric where it is dense; what matters to a model fitted on them (a tree model is
 * piecewise constant between grid points) is the relative spacing:
 *
 * <ul>
 *   <li>{@code mlp.csv} {@code num_tokens}: the reference's grid up to 512 (1, 2, 4, 8…512 step 8),
 *       then with twice its steps, at most 3.2% apart: 512…1024 step 16, 1024…2048 step 32,
 *       2048…4096 step 64, 4096…8192 step 128, 8192…16384 step 256. Up to the model's context
 *       length but at least 4096 (as the reference profiles every model) and at most {@value
 *       #MAX_TOKENS}: {@code num_tokens} is an iteration's total tokens, which the schedulers'
 *       token budgets keep at or below 16384 by default.
 *   <li>{@code attention.csv}, about a third apart in each dimension: decode batch sizes 1, 2, 3,
 *       4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128, 160, 192, 256 by KV lengths
 *       64, 128, 192, 256, 384, 512, 768, 1024, 1280, 1536, 2048, 2560, 3072, 4096, 5120, 6144,
 *       8192, 10240, 12288, 16384; prefill chunks 16, 32, 48, 64, 96, 128, 160, 192, 256, 320, 384,
 *       448, 512, 640, 768, 896, 1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096 by KV
 *       prefixes 0, 256, 512, 1024, 1536, 2048, 3072, 4096, 6144, 8192, 12288. KV length plus chunk
 *       stay within the context length (at most {@value #MAX_TOKENS}).
 *   <li>TP degrees 1, 2, 4, 8 that divide the query heads and fit in the node (1 only for models
 *       that cannot be split).
 *   <li>Collectives: the reference's message sizes, 2 KiB…1 MiB step 8 KiB, 1…16 MiB step 32 KiB,
 *       16…64 MiB step 128 KiB (993 sizes); all-reduce among 2, 4, 8 devices of one node as far as
 *       it holds them ({@code devices_per_node = num_workers}, the rows the reference's predictor
 *       selects), or between 2 single-GPU nodes; send/recv within a node ({@code devices_per_node}
 *       2) and across nodes (1).
 * </ul>
 */
public final class RooflineProfileWriter {
  static final int SIGNIFICANT_DIGITS = 4;
  static final int MAX_TOKENS = 16384;
  static final int MIN_TOKENS_GRID_END = 4096;
  static final int BLOCK_SIZE = 16;
  static final String BACKEND = "AttentionBackend.ROOFLINE";

  private static final MathContext DIGITS = new MathContext(SIGNIFICANT_DIGITS);
  private static final String[] STATS = {"min", "max", "mean", "median", "std"};

  /** The operator columns of the reference's files, in its order ({@link Operator}). */
  private static final List<Operator> MLP_COLUMN_OPS = Operator.columnsOf(Operator.ProfileFile.MLP);

  private static final List<Operator> ATTENTION_COLUMN_OPS =
      Operator.columnsOf(Operator.ProfileFile.ATTENTION);

  private RooflineProfileWriter() {}

  private static final int[] DECODE_BATCH_SIZES = {
    1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128, 160, 192, 256
  };
  private static final int[] DECODE_KV_LENGTHS = {
    64, 128, 192, 256, 384, 512, 768, 1024, 1280, 1536, 2048, 2560, 3072, 4096, 5120, 6144, 8192,
    10240, 12288, 16384
  };
  private static final int[] PREFILL_CHUNKS = {
    16, 32, 48, 64, 96, 128, 160, 192, 256, 320, 384, 448, 512, 640, 768, 896, 1024, 1280, 1536,
    1792, 2048, 2560, 3072, 3584, 4096
  };
  private static final int[] PREFILL_PREFIXES = {
    0, 256, 512, 1024, 1536, 2048, 3072, 4096, 6144, 8192, 12288
  };

  /** The {@code num_tokens} values of {@code mlp.csv}, ascending, up to {@code max}. */
  public static int[] tokenGrid(int max) {
    IntStream.Builder b = IntStream.builder();
    b.add(1).add(2).add(4);
    int[][] segments = {
      {8, 512, 8},
      {512, 1024, 16},
      {1024, 2048, 32},
      {2048, 4096, 64},
      {4096, 8192, 128},
      {8192, 16384, 256}
    };
    for (int[] s : segments) {
      for (int t = s[0]; t < s[1]; t += s[2]) {
        b.add(t);
      }
    }
    b.add(MAX_TOKENS);
    return b.build().filter(t -> t <= max).toArray();
  }

  /** Decode batch sizes of {@code attention.csv}. */
  public static int[] decodeBatchSizes() {
    return DECODE_BATCH_SIZES.clone();
  }

  /** Decode KV lengths of {@code attention.csv}, up to {@code max}. */
  public static int[] decodeKvLengths(int max) {
    return IntStream.of(DECODE_KV_LENGTHS).filter(kv -> kv <= max).toArray();
  }

  /** Prefill (KV prefix, chunk) pairs of {@code attention.csv} within {@code context}. */
  public static List<int[]> prefillPoints(int context) {
    List<int[]> out = new ArrayList<>();
    for (int kv : PREFILL_PREFIXES) {
      for (int c : PREFILL_CHUNKS) {
        if (kv + c <= context) {
          out.add(new int[] {kv, c});
        }
      }
    }
    return out;
  }

  /** Collective message sizes in bytes. */
  public static long[] messageSizes() {
    List<Long> sizes = new ArrayList<>();
    for (long s = 2048; s < (1L << 20); s += 8192) {
      sizes.add(s);
    }
    for (long s = 1L << 20; s < (16L << 20); s += 32768) {
      sizes.add(s);
    }
    for (long s = 16L << 20; s <= (64L << 20); s += 131072) {
      sizes.add(s);
    }
    return sizes.stream().mapToLong(Long::longValue).toArray();
  }

  /** Context length a model's profiles cover: its max positions, within the limits above. */
  public static int contextLength(ModelSpec model) {
    return Math.min(MAX_TOKENS, model.maxPositionEmbeddings());
  }

  /** TP degrees profiles are written and measured at. */
  public static final int[] TPS = {1, 2, 4, 8};

  /** TP degrees a model can be profiled at: dividing its heads, 1 when it cannot be split. */
  public static int[] tps(ModelSpec model) {
    if (model.noTensorParallel()) {
      return new int[] {1};
    }
    return Arrays.stream(TPS).filter(tp -> model.numQHeads() % tp == 0).toArray();
  }

  /** TP degrees a model is profiled at on a node. */
  public static int[] tensorParallelDegrees(ModelSpec model, NodeSku node) {
    return IntStream.of(tps(model)).filter(tp -> tp <= node.devicesPerNode()).toArray();
  }

  /** One (model, SKU) of the shipped profiles, with the node type its TP degrees must fit. */
  public record Target(ModelSpec model, DeviceSku sku, NodeSku node) {}

  /**
   * The models the shipped profiles cover: the reference simulator's nine, so that its
   * profile-and-regressor pipeline can be reproduced on every SKU. Every other catalog model (MoE,
   * MLA, sliding windows, the 2024–2025 dense models) is predicted by the roofline itself, which is
   * what these profiles tabulate, and so needs no 4 MB of tables per model in the jar.
   */
  private static final Set<String> REFERENCE_MODELS =
      Set.of(
          "meta-llama/Llama-2-7b-hf",
          "meta-llama/Llama-2-70b-hf",
          "meta-llama/Meta-Llama-3-8B",
          "meta-llama/Meta-Llama-3-70B",
          "codellama/CodeLlama-34b-Instruct-hf",
          "internlm/internlm-20b",
          "Qwen/Qwen-72B",
          "microsoft/phi-2",
          "Qwen/Qwen-2-7B");

  /**
   * The (model, SKU) pairs the shipped profiles cover: each of the reference's models on every SKU
   * whose natural node (the first node type of the catalog holding it) can hold the model's fp16
   * weights in 90% of its memory, i.e. one replica fits in one node. Catalog order.
   */
  public static List<Target> shippedTargets(Catalog catalog) {
    List<Target> out = new ArrayList<>();
    for (ModelSpec model : catalog.models().values()) {
      if (!REFERENCE_MODELS.contains(model.name())) {
        continue;
      }
      for (DeviceSku sku : catalog.skus().values()) {
        NodeSku node = naturalNode(catalog, sku);
        double weights = 2.0 * model.paramsPerLayerPerDevice(1) * model.numLayers();
        if (weights <= 0.9 * node.devicesPerNode() * sku.memoryBytes()) {
          out.add(new Target(model, sku, node));
        }
      }
    }
    return out;
  }

  /** The first node type of the catalog that holds {@code sku}. */
  public static NodeSku naturalNode(Catalog catalog, DeviceSku sku) {
    return catalog.nodes().values().stream()
        .filter(n -> n.sku().equals(sku.name()))
        .findFirst()
        .orElseThrow(
            () -> new ConfigException("nodes.yaml", "no node type holds SKU '" + sku.name() + "'"));
  }

  /** Writes {@code mlp.csv} and {@code attention.csv}; returns the files written. */
  public static List<Path> writeCompute(
      Path root, ModelSpec model, DeviceSku sku, NodeSku node, RooflineParams params) {
    Path dir = root.resolve("compute").resolve(sku.name()).resolve(model.name());
    int[] tps = tensorParallelDegrees(model, node);
    List<RooflineOps> ops = new ArrayList<>();
    for (int tp : tps) {
      ops.add(new RooflineOps(new Deployment(model, sku, node, tp, 1), params));
    }
    Path mlp = dir.resolve("mlp.csv");
    write(mlp, out -> writeMlp(out, model, tps, ops));
    Path attention = dir.resolve("attention.csv");
    write(attention, out -> writeAttention(out, model, tps, ops));
    return List.of(mlp, attention);
  }

  /** Writes {@code all_reduce.csv} and {@code send_recv.csv} of a node type. */
  public static List<Path> writeNetwork(
      Path root, DeviceSku sku, NodeSku node, RooflineParams params) {
    Path dir = root.resolve("network").resolve(node.name());
    long[] sizes = messageSizes();
    List<int[]> allReduce = new ArrayList<>(); // {workers, devices_per_node}
    for (int tp : TPS) {
      if (tp > 1 && tp <= node.devicesPerNode()) {
        allReduce.add(new int[] {tp, tp});
      }
    }
    if (allReduce.isEmpty()) {
      allReduce.add(new int[] {2, 1});
    }
    Path ar = dir.resolve("all_reduce.csv");
    write(
        ar,
        out -> {
          Network net = new Network(out, Operator.ALL_REDUCE.profileName(), node);
          for (int[] w : allReduce) {
            RooflineOps ops = RooflineOps.perElement(sku, node, w[0], 1, params);
            net.rows(sizes, w[0], w[1], ops::allReduceMs);
          }
        });
    Path sr = dir.resolve("send_recv.csv");
    write(
        sr,
        out -> {
          Network net = new Network(out, Operator.SEND_RECV.profileName(), node);
          if (node.devicesPerNode() >= 2) {
            net.rows(sizes, 2, 2, RooflineOps.perElement(sku, node, 1, 2, params)::sendRecvMs);
          }
          int pp = node.devicesPerNode() + 1; // enough stages to leave the node
          net.rows(sizes, 2, 1, RooflineOps.perElement(sku, node, 1, pp, params)::sendRecvMs);
        });
    return List.of(ar, sr);
  }

  private static void writeMlp(Writer out, ModelSpec model, int[] tps, List<RooflineOps> ops)
      throws IOException {
    // Like the reference's phi-2 profile, a model without a post-attention norm has no column.
    List<Operator> columns = new ArrayList<>(MLP_COLUMN_OPS);
    if (!model.postAttnNorm()) {
      columns.removeIf(op -> op.condition() == Operator.Condition.POST_ATTN_NORM);
    }
    StringBuilder header = new StringBuilder();
    for (Operator op : columns) {
      statHeader(header, op.profileName());
    }
    header.append(
        "n_head,n_kv_head,n_embd,n_expanded_embd,vocab_size,use_gated_mlp,num_tokens,"
            + "num_tensor_parallel_workers\n");
    out.write(header.toString());
    String shape =
        model.numQHeads()
            + ","
            + model.numKvHeads()
            + ","
            + model.embeddingDim()
            + ","
            + model.mlpHiddenDim()
            + ","
            + model.vocabSize()
            + ","
            + (model.useGatedMlp() ? "True" : "False")
            + ",";
    int[] tokens = tokenGrid(Math.max(MIN_TOKENS_GRID_END, contextLength(model)));
    StringBuilder row = new StringBuilder();
    for (int i = 0; i < tps.length; i++) {
      RooflineOps o = ops.get(i);
      for (int t : tokens) {
        row.setLength(0);
        double[] x = {t};
        for (Operator op : columns) {
          stats(row, o.predictMs(op, x));
        }
        row.append(shape).append(t).append(',').append(tps[i]).append('\n');
        out.write(row.toString());
      }
    }
  }

  private static void writeAttention(Writer out, ModelSpec model, int[] tps, List<RooflineOps> ops)
      throws IOException {
    StringBuilder header = new StringBuilder();
    for (Operator op : ATTENTION_COLUMN_OPS) {
      statHeader(header, op.profileName());
    }
    header.append(
        "n_embd,n_q_head,n_kv_head,block_size,num_tensor_parallel_workers,max_model_len,"
            + "batch_size,prefill_chunk_size,kv_cache_size,is_prefill,attention_backend\n");
    out.write(header.toString());
    int context = contextLength(model);
    StringBuilder row = new StringBuilder();
    for (int i = 0; i < tps.length; i++) {
      RooflineOps o = ops.get(i);
      String shape =
          model.embeddingDim()
              + ","
              + model.numQHeads()
              + ","
              + model.numKvHeads()
              + ","
              + BLOCK_SIZE
              + ","
              + tps[i]
              + ","
              + context
              + ",";
      for (int kv : decodeKvLengths(context)) {
        for (int b : decodeBatchSizes()) {
          row.setLength(0);
          attentionStats(row, o, Operator.Phase.DECODE, b, new double[] {b, kv});
          row.append(shape).append(b).append(",0,").append(kv).append(",False,");
          row.append(BACKEND).append('\n');
          out.write(row.toString());
        }
      }
      for (int[] point : prefillPoints(context)) {
        int kv = point[0];
        int c = point[1];
        row.setLength(0);
        attentionStats(row, o, Operator.Phase.PREFILL, c, new double[] {kv, (double) c * c});
        row.append(shape).append("1,").append(c).append(',').append(kv).append(",True,");
        row.append(BACKEND).append('\n');
        out.write(row.toString());
      }
    }
  }

  /**
   * The operator columns of one {@code attention.csv} row of {@code phase}: its attention op at
   * {@code features}, token-level ops (the KV-cache save) at {@code tokens} (the batch size of a
   * decode row, the chunk of a prefill row), the other phase's attention empty, and zeros for ops
   * that are not part of a stage (the reshapes).
   */
  private static void attentionStats(
      StringBuilder row, RooflineOps o, Operator.Phase phase, int tokens, double[] features) {
    for (Operator op : ATTENTION_COLUMN_OPS) {
      if (!op.inStage()) {
        zeros(row);
      } else if (op.phase() == Operator.Phase.TOKENS) {
        stats(row, o.tokenMs(op, tokens));
      } else if (op.phase() == phase) {
        stats(row, o.predictMs(op, features));
      } else {
        row.append(",,,,,");
      }
    }
  }

  /** Rows of one collective file, numbered by the unnamed index column. */
  private static final class Network {
    private final Writer out;
    private final String collective;
    private final NodeSku node;
    private int index;

    Network(Writer out, String collective, NodeSku node) throws IOException {
      this.out = out;
      this.collective = collective;
      this.node = node;
      StringBuilder header = new StringBuilder(",");
      statHeader(header, collective);
      header.append("rank,num_workers,size,collective,devices_per_node,max_devices_per_node\n");
      out.write(header.toString());
    }

    void rows(long[] sizes, int workers, int devicesPerNode, DoubleUnaryOperator msPerElements)
        throws IOException {
      StringBuilder row = new StringBuilder();
      for (long size : sizes) {
        row.setLength(0);
        row.append(index++).append(',');
        stats(row, msPerElements.applyAsDouble(size / 2.0));
        row.append("0,").append(workers).append(',').append(size).append(',');
        row.append(collective).append(',').append(devicesPerNode).append(',');
        row.append(node.devicesPerNode()).append('\n');
        out.write(row.toString());
      }
    }
  }

  private static void statHeader(StringBuilder header, String op) {
    for (String s : STATS) {
      header.append("time_stats.").append(op).append('.').append(s).append(',');
    }
  }

  /** min, max, mean, median = {@code ms}; std = 0. */
  private static void stats(StringBuilder row, double ms) {
    String v = format(ms);
    row.append(v).append(',').append(v).append(',').append(v).append(',').append(v).append(",0,");
  }

  private static void zeros(StringBuilder row) {
    row.append("0,0,0,0,0,");
  }

  /** {@value #SIGNIFICANT_DIGITS} significant digits, plain notation, no trailing zeros. */
  static String format(double ms) {
    if (!(ms >= 0) || Double.isInfinite(ms)) {
      throw new IllegalArgumentException("not a time: " + ms);
    }
    if (ms == 0) {
      return "0";
    }
    return new BigDecimal(ms).round(DIGITS).stripTrailingZeros().toPlainString();
  }

  private interface Body {
    void write(Writer out) throws IOException;
  }

  /** Writes into a temporary sibling, then moves it into place: no half-written profile. */
  private static void write(Path file, Body body) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
      try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        body.write(out);
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
