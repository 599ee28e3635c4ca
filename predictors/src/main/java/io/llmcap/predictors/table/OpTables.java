package io.llmcap.predictors.table;

import io.llmcap.catalog.ModelSpec;
import io.llmcap.predictors.model.OpRegressor;
import io.llmcap.predictors.model.OpTrainer;
import io.llmcap.predictors.profile.OpSamples;
import io.llmcap.timing.Operator;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Operator-time predictions tabulated once over the reference's lookup keys (vidur-behaviour §5.5),
 * so that predicting a batch is a few array reads:
 *
 * <ul>
 *   <li>token-level ops (the {@code mlp.csv} ops, all-reduce, send/recv) at every multiple of 8
 *       tokens up to {@code maxTokens}; the KV-cache save at every token count (it is looked up
 *       with the unrounded total);
 *   <li>decode attention at batch sizes 1..{@code maxBatchSize} × KV lengths 0, 64, ..., {@code
 *       maxKv};
 *   <li>prefill attention at KV 0, 64, ..., {@code maxKv} × chunk C (feature C²). A dense C grid up
 *       to 16k would be 16k × 257 predictions, so C is tabulated at every value up to {@value
 *       #DENSE_CHUNK} (which covers every key of chunked prefill at the usual budgets exactly) and
 *       every {@value #CHUNK_STEP} beyond, with linear interpolation in between.
 * </ul>
 *
 * <p>Keys beyond the tables are extrapolated linearly along the secant over the upper half of the
 * table in that dimension (a single last step of a tree model's table is often flat), never below
 * the table's edge value. Lookups are pure; {@link ProfilePredictor} counts the extrapolated ones.
 */
public final class OpTables {
  /**
   * Token-level ops, looked up at the batch's tokens rounded up to 8: every predicted {@link
   * Operator} of phase {@code TOKENS} but the KV-cache save (looked up unrounded), in {@link
   * Operator} order. The all-reduce and the send/recv are optional (TP 1, PP 1).
   */
  static final List<Operator> TOKEN_OPS = tokenOps();

  private static final int[] SLOT = slots();
  static final int DENSE_CHUNK = 512;
  static final int CHUNK_STEP = 16;
  static final int KV_STEP = 64;
  private static final int FORMAT = 2;
  private static final long MAGIC = 0x4c4c4d4341505442L; // "LLMCAPTB"

  private final TableLimits limits;
  private final int tokenMax; // maxTokens rounded up to 8
  private final int kvMax; // maxKv rounded up to 64
  private final int kvCount;
  private final int[] chunkGrid;
  private final double[][] token; // [op][T / 8 - 1], null for an absent collective
  private final double[] kvSave; // [n - 1]
  private final double[] decode; // [(b - 1) * kvCount + kv / 64]
  private final double[] prefill; // [chunkIndex * kvCount + kv / 64]
  private final Map<String, String> sources;

  private OpTables(
      TableLimits limits,
      double[][] token,
      double[] kvSave,
      double[] decode,
      double[] prefill,
      Map<String, String> sources) {
    this.limits = limits;
    this.tokenMax = roundUp(limits.maxTokens(), 8);
    this.kvMax = roundUp(limits.maxKv(), KV_STEP);
    this.kvCount = kvMax / KV_STEP + 1;
    this.chunkGrid = chunkGrid(limits.maxChunk());
    this.token = token;
    this.kvSave = kvSave;
    this.decode = decode;
    this.prefill = prefill;
    // Insertion order, so that the written form is stable.
    this.sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
  }

  private static List<Operator> tokenOps() {
    List<Operator> ops = new ArrayList<>();
    for (Operator op : Operator.values()) {
      if (op.predicted()
          && op.phase() == Operator.Phase.TOKENS
          && op != Operator.ATTN_KV_CACHE_SAVE) {
        ops.add(op);
      }
    }
    return List.copyOf(ops);
  }

  private static int[] slots() {
    int[] slot = new int[Operator.COUNT];
    Arrays.fill(slot, -1);
    for (int k = 0; k < TOKEN_OPS.size(); k++) {
      slot[TOKEN_OPS.get(k).ordinal()] = k;
    }
    return slot;
  }

  /** Ops whose samples a table needs whatever the deployment: all but the collectives. */
  static List<Operator> requiredOps() {
    List<Operator> ops = new ArrayList<>();
    for (Operator op : Operator.values()) {
      if (op.predicted() && op.kind() != Operator.Kind.COLLECTIVE) {
        ops.add(op);
      }
    }
    return ops;
  }

  /**
   * Trains one regressor per op and tabulates it. {@code samples} must hold every {@code mlp.csv}
   * op and the three attention ops; all-reduce and send/recv are optional (TP 1, PP 1).
   */
  public static OpTables build(OpTrainer trainer, List<OpSamples> samples, TableLimits limits) {
    Map<String, OpSamples> byOp = new LinkedHashMap<>();
    for (OpSamples s : samples) {
      if (byOp.put(s.op(), s) != null) {
        throw new IllegalArgumentException("two sample sets for op " + s.op());
      }
    }
    for (Operator op : requiredOps()) {
      if (!byOp.containsKey(op.profileName())) {
        throw new IllegalArgumentException("no samples for op " + op);
      }
    }
    int tokenMax = roundUp(limits.maxTokens(), 8);
    int kvMax = roundUp(limits.maxKv(), KV_STEP);
    int kvCount = kvMax / KV_STEP + 1;
    int[] grid = chunkGrid(limits.maxChunk());

    double[][] tokenRows = new double[tokenMax / 8][];
    for (int i = 0; i < tokenRows.length; i++) {
      tokenRows[i] = new double[] {8.0 * (i + 1)};
    }
    double[][] saveRows = new double[limits.maxTokens()][];
    for (int n = 1; n <= saveRows.length; n++) {
      saveRows[n - 1] = new double[] {n};
    }
    double[][] decodeRows = new double[limits.maxBatchSize() * kvCount][];
    for (int b = 1; b <= limits.maxBatchSize(); b++) {
      for (int j = 0; j < kvCount; j++) {
        decodeRows[(b - 1) * kvCount + j] = new double[] {b, (double) j * KV_STEP};
      }
    }
    double[][] prefillRows = new double[grid.length * kvCount][];
    for (int ci = 0; ci < grid.length; ci++) {
      double c2 = (double) grid[ci] * grid[ci];
      for (int j = 0; j < kvCount; j++) {
        prefillRows[ci * kvCount + j] = new double[] {(double) j * KV_STEP, c2};
      }
    }

    // One task per op: training dominates the cold start and the ops are independent, so they run
    // in parallel; each op's result depends on its samples alone, so the tables are deterministic.
    Map<String, double[][]> rowsByOp = new LinkedHashMap<>();
    for (Operator op : TOKEN_OPS) {
      if (byOp.containsKey(op.profileName())) {
        rowsByOp.put(op.profileName(), tokenRows);
      }
    }
    rowsByOp.put(Operator.ATTN_KV_CACHE_SAVE.profileName(), saveRows);
    rowsByOp.put(Operator.ATTN_DECODE.profileName(), decodeRows);
    rowsByOp.put(Operator.ATTN_PREFILL.profileName(), prefillRows);
    Map<String, double[]> predicted = predictAll(trainer, byOp, rowsByOp);
    double[][] token = new double[TOKEN_OPS.size()][];
    for (int k = 0; k < token.length; k++) {
      token[k] = predicted.get(TOKEN_OPS.get(k).profileName());
    }
    double[] kvSave = predicted.get(Operator.ATTN_KV_CACHE_SAVE.profileName());
    double[] decode = predicted.get(Operator.ATTN_DECODE.profileName());
    double[] prefill = predicted.get(Operator.ATTN_PREFILL.profileName());

    Map<String, String> sources = new LinkedHashMap<>();
    byOp.forEach((op, s) -> sources.put(op, s.source()));
    return new OpTables(limits, token, kvSave, decode, prefill, sources);
  }

  private static Map<String, double[]> predictAll(
      OpTrainer trainer, Map<String, OpSamples> byOp, Map<String, double[][]> rowsByOp) {
    int threads = Math.min(rowsByOp.size(), Runtime.getRuntime().availableProcessors());
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "llmcap-tables");
              t.setDaemon(true);
              return t;
            });
    try {
      Map<String, Future<double[]>> futures = new LinkedHashMap<>();
      // The largest tables first, so that the last task to start is a short one.
      rowsByOp.entrySet().stream()
          .sorted((a, b) -> Integer.compare(b.getValue().length, a.getValue().length))
          .forEach(
              e ->
                  futures.put(
                      e.getKey(),
                      pool.submit(() -> predict(trainer, byOp.get(e.getKey()), e.getValue()))));
      Map<String, double[]> out = new LinkedHashMap<>();
      for (var e : futures.entrySet()) {
        out.put(e.getKey(), await(e.getValue()));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static double[] await(Future<double[]> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while building prediction tables", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private static double[] predict(OpTrainer trainer, OpSamples samples, double[][] rows) {
    String[] expected = Operator.byName(samples.op()).features().toArray(new String[0]);
    if (!Arrays.equals(expected, samples.featureNames())) {
      throw new IllegalArgumentException(
          samples.op()
              + " samples have features "
              + String.join(",", samples.featureNames())
              + "; expected "
              + String.join(",", expected));
    }
    OpRegressor model = trainer.train(samples);
    double[] y = model.predict(rows);
    if (y.length != rows.length) {
      throw new IllegalStateException(
          samples.op() + ": " + y.length + " predictions for " + rows.length + " rows");
    }
    for (int i = 0; i < y.length; i++) {
      if (!Double.isFinite(y[i])) {
        throw new IllegalStateException(
            samples.op() + " predicts " + y[i] + " at " + Arrays.toString(rows[i]));
      }
      // A regressor may undershoot below zero near 0 ms; a time is never negative.
      y[i] = Math.max(0, y[i]);
    }
    return y;
  }

  static int[] chunkGrid(int maxChunk) {
    int dense = Math.min(maxChunk, DENSE_CHUNK);
    int sparse = maxChunk > dense ? (maxChunk - dense + CHUNK_STEP - 1) / CHUNK_STEP : 0;
    int[] grid = new int[dense + sparse];
    for (int c = 1; c <= dense; c++) {
      grid[c - 1] = c;
    }
    for (int i = 1; i <= sparse; i++) {
      grid[dense + i - 1] = Math.min(maxChunk, dense + i * CHUNK_STEP);
    }
    return grid;
  }

  static int roundUp(int x, int step) {
    return (x + step - 1) / step * step;
  }

  public TableLimits limits() {
    return limits;
  }

  /** Op name to the source of its training rows (file and filter). */
  public Map<String, String> sources() {
    return sources;
  }

  /** True when the tables hold token-level op {@code op} (a collective may be absent). */
  public boolean has(Operator op) {
    int k = SLOT[op.ordinal()];
    return k >= 0 && token[k] != null;
  }

  /** Number of predictions the tables hold. */
  public long entries() {
    long n = kvSave.length + decode.length + prefill.length;
    for (double[] t : token) {
      n += t == null ? 0 : t.length;
    }
    return n;
  }

  // ---- lookups: pure, allocation-free ----

  /** True when {@link #token} at {@code t} tokens extrapolates. */
  public boolean tokensBeyond(int t) {
    return t > tokenMax;
  }

  /** A token-level op at {@code t} tokens, a positive multiple of 8, in ms. */
  public double token(Operator op, int t) {
    int k = SLOT[op.ordinal()];
    if (k < 0) {
      throw new IllegalArgumentException(op + " is not a token-level table op");
    }
    double[] table = token[k];
    int i = t / 8 - 1;
    if (i < table.length) {
      return table[i];
    }
    return extrapolate(table, 8, table.length - 1, t);
  }

  public boolean kvSaveBeyond(int n) {
    return n > kvSave.length;
  }

  /** The KV-cache save of {@code n} tokens (unrounded, positive), in ms. */
  public double kvSave(int n) {
    if (n <= kvSave.length) {
      return kvSave[n - 1];
    }
    return extrapolate(kvSave, 1, kvSave.length - 1, n);
  }

  public boolean decodeBeyond(int batch, int kv) {
    return batch > limits.maxBatchSize() || kv > kvMax;
  }

  /** Decode attention of {@code batch} requests at KV length {@code kv} (a multiple of 64). */
  public double decode(int batch, int kv) {
    int maxB = limits.maxBatchSize();
    int b = Math.min(batch, maxB);
    int j = Math.min(kv, kvMax) / KV_STEP;
    double v = decode[(b - 1) * kvCount + j];
    if (batch > maxB) {
      int mid = (maxB + 1) / 2;
      v +=
          slope(decode[(maxB - 1) * kvCount + j], decode[(mid - 1) * kvCount + j], maxB - mid)
              * (batch - maxB);
    }
    if (kv > kvMax) {
      int jm = kvCount / 2;
      int row = (b - 1) * kvCount;
      v +=
          slope(decode[row + kvCount - 1], decode[row + jm], (double) (kvCount - 1 - jm) * KV_STEP)
              * (kv - kvMax);
    }
    return v;
  }

  public boolean prefillBeyond(int kv, int chunk) {
    return kv > kvMax || chunk > limits.maxChunk();
  }

  /**
   * Prefill attention of the equivalent single prefill: KV prefix {@code kv} (a multiple of 64) and
   * chunk {@code chunk} (its feature is chunk²).
   */
  public double prefill(int kv, int chunk) {
    int j = Math.min(kv, kvMax) / KV_STEP;
    int last = chunkGrid.length - 1;
    double v;
    if (chunk <= DENSE_CHUNK || chunk >= chunkGrid[last]) {
      int ci = Math.min(chunk, chunkGrid[last]);
      ci = ci <= DENSE_CHUNK ? ci - 1 : last;
      v = prefill[ci * kvCount + j];
      if (chunk > chunkGrid[last]) {
        int cm = last / 2;
        v +=
            slope(
                    prefill[last * kvCount + j],
                    prefill[cm * kvCount + j],
                    chunkGrid[last] - chunkGrid[cm])
                * (chunk - chunkGrid[last]);
      }
    } else {
      // chunkGrid[hi] is the first grid value at or above chunk.
      int hi = DENSE_CHUNK - 1 + (chunk - DENSE_CHUNK + CHUNK_STEP - 1) / CHUNK_STEP;
      int lo = hi - 1;
      double w = (double) (chunk - chunkGrid[lo]) / (chunkGrid[hi] - chunkGrid[lo]);
      v = prefill[lo * kvCount + j] * (1 - w) + prefill[hi * kvCount + j] * w;
    }
    if (kv > kvMax) {
      int jm = kvCount / 2;
      int ci = chunkRow(Math.min(chunk, chunkGrid[last]));
      int row = ci * kvCount;
      v +=
          slope(
                  prefill[row + kvCount - 1],
                  prefill[row + jm],
                  (double) (kvCount - 1 - jm) * KV_STEP)
              * (kv - kvMax);
    }
    return v;
  }

  /** The grid row at or above {@code chunk} (within the grid). */
  private int chunkRow(int chunk) {
    if (chunk <= DENSE_CHUNK) {
      return chunk - 1;
    }
    return Math.min(
        chunkGrid.length - 1,
        DENSE_CHUNK - 1 + (chunk - DENSE_CHUNK + CHUNK_STEP - 1) / CHUNK_STEP);
  }

  /** Secant over the upper half of a 1-D table with keys {@code step * (i + 1)}. */
  private static double extrapolate(double[] table, int step, int lastIndex, int key) {
    int mid = lastIndex / 2;
    double edgeKey = (double) step * (lastIndex + 1);
    return table[lastIndex]
        + slope(table[lastIndex], table[mid], (double) step * (lastIndex - mid)) * (key - edgeKey);
  }

  private static double slope(double edge, double inner, double run) {
    return run <= 0 ? 0 : Math.max(0, (edge - inner) / run);
  }

  // ---- serialization ----

  /** A compact binary form (deflated); {@link #read} restores an equal table. */
  public void write(OutputStream out) throws IOException {
    Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    try {
      DeflaterOutputStream z = new DeflaterOutputStream(out, deflater, 1 << 16);
      DataOutputStream d = new DataOutputStream(z);
      d.writeLong(MAGIC);
      d.writeInt(FORMAT);
      d.writeInt(limits.maxTokens());
      d.writeInt(limits.maxBatchSize());
      d.writeInt(limits.maxKv());
      d.writeInt(limits.maxChunk());
      d.writeInt(sources.size());
      for (var e : sources.entrySet()) {
        d.writeUTF(e.getKey());
        d.writeUTF(e.getValue());
      }
      for (double[] t : token) {
        writeArray(d, t);
      }
      writeArray(d, kvSave);
      writeArray(d, decode);
      writeArray(d, prefill);
      d.flush();
      z.finish();
    } finally {
      deflater.end();
    }
  }

  public static OpTables read(InputStream in) throws IOException {
    Inflater inflater = new Inflater();
    try {
      return read(new DataInputStream(new InflaterInputStream(in, inflater, 1 << 16)));
    } finally {
      inflater.end();
    }
  }

  private static OpTables read(DataInputStream d) throws IOException {
    if (d.readLong() != MAGIC) {
      throw new IOException("not an llmcap prediction table");
    }
    int format = d.readInt();
    if (format != FORMAT) {
      throw new IOException("prediction table format " + format + "; this build reads " + FORMAT);
    }
    TableLimits limits = new TableLimits(d.readInt(), d.readInt(), d.readInt(), d.readInt());
    int n = d.readInt();
    Map<String, String> sources = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      sources.put(d.readUTF(), d.readUTF());
    }
    double[][] token = new double[TOKEN_OPS.size()][];
    for (int k = 0; k < token.length; k++) {
      token[k] = readArray(d);
    }
    OpTables t = new OpTables(limits, token, readArray(d), readArray(d), readArray(d), sources);
    if (t.kvSave.length != limits.maxTokens()
        || t.decode.length != limits.maxBatchSize() * t.kvCount
        || t.prefill.length != t.chunkGrid.length * t.kvCount) {
      throw new IOException("prediction table sizes do not match its limits " + limits);
    }
    return t;
  }

  private static void writeArray(DataOutputStream d, double[] a) throws IOException {
    if (a == null) {
      d.writeInt(-1);
      return;
    }
    d.writeInt(a.length);
    ByteBuffer buf = ByteBuffer.allocate(a.length * Double.BYTES);
    buf.asDoubleBuffer().put(a);
    d.write(buf.array());
  }

  private static double[] readArray(DataInputStream d) throws IOException {
    int n = d.readInt();
    if (n < 0) {
      return null;
    }
    byte[] bytes = new byte[n * Double.BYTES];
    d.readFully(bytes);
    double[] a = new double[n];
    ByteBuffer.wrap(bytes).asDoubleBuffer().get(a);
    return a;
  }

  // ---- cache key ----

  /**
   * A stable hash of everything the tables depend on: the trainer (its name and settings), the
   * training rows selected from the profile files (every op's features and times, so any change to
   * the rows that matter changes the key, and edits elsewhere in a file do not), the model shape,
   * TP, PP, node and the table limits.
   */
  public static String key(
      String trainer,
      List<OpSamples> samples,
      ModelSpec model,
      int tp,
      int pp,
      String node,
      TableLimits limits) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    Hasher h = new Hasher(md, buf);
    h.text("llmcap-optables-" + FORMAT);
    h.text(trainer);
    h.ints(
        model.numLayers(),
        model.numQHeads(),
        model.numKvHeads(),
        model.embeddingDim(),
        model.mlpHiddenDim(),
        model.useGatedMlp() ? 1 : 0,
        model.postAttnNorm() ? 1 : 0,
        tp,
        pp,
        limits.maxTokens(),
        limits.maxBatchSize(),
        limits.maxKv(),
        limits.maxChunk());
    h.text(node);
    Set<String> seen = new HashSet<>();
    for (OpSamples s : samples) {
      if (!seen.add(s.op())) {
        throw new IllegalArgumentException("two sample sets for op " + s.op());
      }
    }
    List<OpSamples> sorted = new ArrayList<>(samples);
    sorted.sort((a, b) -> a.op().compareTo(b.op()));
    for (OpSamples s : sorted) {
      h.text(s.op());
      h.text(String.join(",", s.featureNames()));
      h.ints(s.size());
      for (int i = 0; i < s.size(); i++) {
        h.doubles(s.features()[i]);
        h.doubles(s.targetMs()[i]);
      }
    }
    return HexFormat.of().formatHex(h.digest()).substring(0, 32);
  }

  /** Feeds values to a digest through one reusable buffer. */
  private static final class Hasher {
    private final MessageDigest md;
    private final ByteBuffer buf;

    Hasher(MessageDigest md, ByteBuffer buf) {
      this.md = md;
      this.buf = buf;
    }

    void text(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      ints(b.length);
      flush();
      md.update(b);
    }

    void ints(int... v) {
      for (int x : v) {
        room(Integer.BYTES);
        buf.putInt(x);
      }
    }

    void doubles(double... v) {
      for (double x : v) {
        room(Double.BYTES);
        buf.putDouble(x);
      }
    }

    private void room(int n) {
      if (buf.remaining() < n) {
        flush();
      }
    }

    private void flush() {
      md.update(buf.array(), 0, buf.position());
      buf.clear();
    }

    byte[] digest() {
      flush();
      return md.digest();
    }
  }
}
