package io.llmcap.predictors.table;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.catalog.ModelSpec;
import io.llmcap.predictors.profile.OpSamples;
import io.llmcap.predictors.profile.ProfileFolder;
import io.llmcap.timing.Operator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

class OpTablesTest {
  static final ModelSpec GQA =
      new ModelSpec(
          "test-org/gqa",
          4,
          8,
          2,
          512,
          1024,
          1000,
          true,
          4096,
          "rms_norm",
          "silu",
          true,
          false,
          "t");

  /** ms of token-level op k at x tokens. */
  static double tokenMs(int k, double x) {
    return 0.01 + 0.001 * (k + 1) * x;
  }

  static double allReduceMs(double x) {
    return 0.03 + 0.0005 * x;
  }

  static double sendRecvMs(double x) {
    return 0.02 + 0.0002 * x;
  }

  static double kvSaveMs(double n) {
    return 0.004 + 0.0001 * n;
  }

  static double decodeMs(double b, double kv) {
    return 0.008 + 0.0002 * b + 1e-5 * b * kv;
  }

  static double prefillMs(double kv, double c2) {
    return 0.01 + 1e-6 * kv + 1e-7 * c2;
  }

  /** Samples of functions the interpolating trainer reproduces exactly. */
  static List<OpSamples> samples(boolean collectives) {
    List<OpSamples> out = new ArrayList<>();
    double[] tokens = {1, 8, 64, 512, 1024, 4096};
    for (int k = 0; k < ProfileFolder.MLP_OPS.size(); k++) {
      int op = k;
      out.add(oneD(ProfileFolder.MLP_OPS.get(k), tokens, x -> tokenMs(op, x)));
    }
    if (collectives) {
      out.add(oneD(ProfileFolder.ALL_REDUCE, tokens, OpTablesTest::allReduceMs));
      out.add(oneD(ProfileFolder.SEND_RECV, tokens, OpTablesTest::sendRecvMs));
    }
    out.add(oneD(ProfileFolder.ATTN_KV_CACHE_SAVE, tokens, OpTablesTest::kvSaveMs));
    out.add(
        twoD(
            ProfileFolder.ATTN_DECODE,
            new String[] {"batch_size", "kv_cache_size"},
            new double[] {1, 2, 8, 32},
            new double[] {0, 256, 1024, 4096},
            OpTablesTest::decodeMs));
    out.add(
        twoD(
            ProfileFolder.ATTN_PREFILL,
            new String[] {"kv_cache_size", "prefill_chunk_size_squared"},
            new double[] {0, 512, 2048},
            new double[] {1, 64 * 64, 1024 * 1024, 4096 * 4096},
            OpTablesTest::prefillMs));
    return out;
  }

  private static OpSamples oneD(String op, double[] xs, DoubleUnaryOperator f) {
    double[][] x = new double[xs.length][];
    double[] y = new double[xs.length];
    for (int i = 0; i < xs.length; i++) {
      x[i] = new double[] {xs[i]};
      y[i] = f.applyAsDouble(xs[i]);
    }
    return new OpSamples(op, new String[] {"num_tokens"}, x, y, "synthetic " + op);
  }

  private static OpSamples twoD(
      String op, String[] names, double[] a, double[] b, DoubleBinaryOperator f) {
    List<double[]> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    for (double u : a) {
      for (double v : b) {
        x.add(new double[] {u, v});
        y.add(f.applyAsDouble(u, v));
      }
    }
    return new OpSamples(
        op,
        names,
        x.toArray(new double[0][]),
        y.stream().mapToDouble(Double::doubleValue).toArray(),
        "synthetic " + op);
  }

  static final TableLimits LIMITS = new TableLimits(2048, 64, 2048, 2048);

  static OpTables tables(boolean collectives) {
    return OpTables.build(new InterpolatingTrainer(), samples(collectives), LIMITS);
  }

  @Test
  void tablesHoldThePredictionsAtTheLookupKeys() {
    OpTables t = tables(true);
    for (int tokens : new int[] {8, 16, 512, 2048}) {
      for (int k = 0; k < ProfileFolder.MLP_OPS.size(); k++) {
        Operator op = Operator.byName(ProfileFolder.MLP_OPS.get(k));
        assertEquals(tokenMs(k, tokens), t.token(op, tokens), 1e-12, "op " + k + " at " + tokens);
      }
      assertEquals(allReduceMs(tokens), t.token(Operator.ALL_REDUCE, tokens), 1e-12);
      assertEquals(sendRecvMs(tokens), t.token(Operator.SEND_RECV, tokens), 1e-12);
    }
    for (int n : new int[] {1, 7, 9, 2048}) {
      assertEquals(kvSaveMs(n), t.kvSave(n), 1e-12);
    }
    for (int b : new int[] {1, 3, 64}) {
      for (int kv : new int[] {0, 64, 1984, 2048}) {
        assertEquals(decodeMs(b, kv), t.decode(b, kv), 1e-12, b + "," + kv);
        assertFalse(t.decodeBeyond(b, kv));
      }
    }
    for (int c : new int[] {1, 100, 512}) {
      for (int kv : new int[] {0, 128, 2048}) {
        assertEquals(prefillMs(kv, (double) c * c), t.prefill(kv, c), 1e-12, kv + "," + c);
      }
    }
    // Above 512 the chunk is tabulated every 16 and interpolated linearly in between.
    assertEquals(prefillMs(64, 528.0 * 528), t.prefill(64, 528), 1e-12);
    double between = t.prefill(64, 520);
    assertEquals((prefillMs(64, 512.0 * 512) + prefillMs(64, 528.0 * 528)) / 2, between, 1e-12);
    assertEquals(prefillMs(64, 520.0 * 520), between, 1e-3 * between);
    assertEquals(prefillMs(64, 2048.0 * 2048), t.prefill(64, 2048), 1e-12);
  }

  @Test
  void keysBeyondTheTablesExtrapolateAndNeverFail() {
    OpTables t = tables(true);
    assertTrue(t.tokensBeyond(4096));
    // The functions are linear, so the secant extrapolation is exact.
    assertEquals(
        tokenMs(2, 4096), t.token(Operator.byName(ProfileFolder.MLP_OPS.get(2)), 4096), 1e-9);
    assertEquals(
        tokenMs(2, 100_000), t.token(Operator.byName(ProfileFolder.MLP_OPS.get(2)), 100_000), 1e-9);
    assertTrue(t.kvSaveBeyond(3000));
    assertEquals(kvSaveMs(3000), t.kvSave(3000), 1e-9);
    assertTrue(t.decodeBeyond(65, 0));
    assertTrue(t.decodeBeyond(1, 2112));
    assertEquals(decodeMs(100, 1024), t.decode(100, 1024), 1e-9);
    assertEquals(decodeMs(8, 4096), t.decode(8, 4096), 1e-9);
    assertTrue(t.prefillBeyond(4096, 512));
    assertTrue(t.prefillBeyond(0, 2049));
    assertEquals(prefillMs(4096, 512.0 * 512), t.prefill(4096, 512), 1e-9);
    // Linear in chunk beyond the table, so below the quadratic truth but monotone.
    double at3000 = t.prefill(0, 3000);
    assertTrue(at3000 > t.prefill(0, 2048), "grows beyond the table: " + at3000);
  }

  @Test
  void roundTripsThroughItsBinaryForm() throws IOException {
    OpTables t = tables(false);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    t.write(out);
    OpTables back = OpTables.read(new ByteArrayInputStream(out.toByteArray()));
    assertEquals(t.limits(), back.limits());
    assertEquals(t.sources(), back.sources());
    assertEquals(t.entries(), back.entries());
    assertFalse(back.has(Operator.ALL_REDUCE));
    for (int c = 1; c <= 2048; c += 37) {
      for (int kv = 0; kv <= 2048; kv += 64) {
        assertEquals(t.prefill(kv, c), back.prefill(kv, c));
      }
    }
    assertEquals(t.decode(17, 640), back.decode(17, 640));
    assertEquals(t.token(Operator.MLP_ACT, 1024), back.token(Operator.MLP_ACT, 1024));
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    back.write(again);
    assertArrayEquals(out.toByteArray(), again.toByteArray(), "byte-identical when rewritten");
    assertThrows(IOException.class, () -> OpTables.read(new ByteArrayInputStream(new byte[16])));
  }

  @Test
  void keyCoversRowsShapeParallelismNodeAndLimits() {
    List<OpSamples> s = samples(true);
    String k = OpTables.key("interp", s, GQA, 2, 1, "node_x", LIMITS);
    assertEquals(k, OpTables.key("interp", samples(true), GQA, 2, 1, "node_x", LIMITS));
    assertEquals(32, k.length());
    List<OpSamples> changed = new ArrayList<>(s);
    OpSamples first = s.get(0);
    double[] y = first.targetMs().clone();
    y[3] *= 1.01;
    changed.set(
        0, new OpSamples(first.op(), first.featureNames(), first.features(), y, first.source()));
    assertNotEquals(k, OpTables.key("interp", changed, GQA, 2, 1, "node_x", LIMITS));
    assertNotEquals(k, OpTables.key("lgbm", s, GQA, 2, 1, "node_x", LIMITS));
    assertNotEquals(k, OpTables.key("interp", s, GQA, 4, 1, "node_x", LIMITS));
    assertNotEquals(k, OpTables.key("interp", s, GQA, 2, 2, "node_x", LIMITS));
    assertNotEquals(k, OpTables.key("interp", s, GQA, 2, 1, "node_y", LIMITS));
    assertNotEquals(
        k, OpTables.key("interp", s, GQA, 2, 1, "node_x", new TableLimits(4096, 64, 2048, 2048)));
    List<OpSamples> reordered = new ArrayList<>(s);
    java.util.Collections.reverse(reordered);
    assertEquals(k, OpTables.key("interp", reordered, GQA, 2, 1, "node_x", LIMITS));
  }

  @Test
  void sixteenKTablesBuildQuickly() {
    TableLimits big = new TableLimits(16384, 512, 16384, 16384);
    long start = System.nanoTime();
    OpTables t = OpTables.build(new InterpolatingTrainer(), samples(true), big);
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("16k tables: %,d entries in %.2f s%n", t.entries(), seconds);
    assertTrue(t.entries() < 2_000_000, "entries " + t.entries());
  }
}
