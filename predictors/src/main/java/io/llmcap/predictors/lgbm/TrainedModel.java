package io.llmcap.predictors.lgbm;

import io.llmcap.predictors.model.OpRegressor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * What training produced for one operator, as a storable value; {@link #load()} makes it usable.
 */
public sealed interface TrainedModel {
  int FORMAT = 1;

  OpRegressor load();

  void write(OutputStream out) throws IOException;

  /** An operator that takes no time (or one constant time), e.g. an unmeasured KV-cache save. */
  record Constant(double ms) implements TrainedModel {
    @Override
    public OpRegressor load() {
      return rows -> {
        double[] out = new double[rows.length];
        Arrays.fill(out, ms);
        return out;
      };
    }

    @Override
    public void write(OutputStream out) throws IOException {
      DataOutputStream d = new DataOutputStream(out);
      d.writeInt(FORMAT);
      d.writeByte('C');
      d.writeDouble(ms);
      d.flush();
    }
  }

  /**
   * A LightGBM model: {@code modelString} as LightGBM saves it; {@code logTarget} when it predicts
   * ln(ms); the hyperparameters the search chose and their cross-validated MAPE (%).
   */
  record Gbm(
      String modelString,
      boolean logTarget,
      int numFeatures,
      LightGbmTrainer.Candidate chosen,
      double cvMapePercent)
      implements TrainedModel {
    @Override
    public OpRegressor load() {
      return LightGbmRegressor.fromString(modelString, logTarget, numFeatures);
    }

    @Override
    public void write(OutputStream out) throws IOException {
      DataOutputStream d = new DataOutputStream(out);
      d.writeInt(FORMAT);
      d.writeByte('G');
      d.writeBoolean(logTarget);
      d.writeInt(numFeatures);
      d.writeInt(chosen.numLeaves());
      d.writeDouble(chosen.learningRate());
      d.writeInt(chosen.iterations());
      d.writeDouble(cvMapePercent);
      // Model strings are text and deflate about 4x.
      byte[] model = deflate(modelString.getBytes(StandardCharsets.UTF_8));
      d.writeInt(model.length);
      d.write(model);
      d.flush();
    }
  }

  /** Reads what {@link #write} wrote. */
  static TrainedModel read(InputStream in) throws IOException {
    DataInputStream d = new DataInputStream(in);
    int format = d.readInt();
    if (format != FORMAT) {
      throw new IOException("model format " + format + ", expected " + FORMAT);
    }
    int kind = d.readByte();
    switch (kind) {
      case 'C':
        return new Constant(d.readDouble());
      case 'G':
        boolean log = d.readBoolean();
        int features = d.readInt();
        var chosen = new LightGbmTrainer.Candidate(d.readInt(), d.readDouble(), d.readInt());
        double cv = d.readDouble();
        byte[] model = new byte[d.readInt()];
        d.readFully(model);
        return new Gbm(
            new String(inflate(model), StandardCharsets.UTF_8), log, features, chosen, cv);
      default:
        throw new IOException("unknown model kind " + kind);
    }
  }

  private static byte[] deflate(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    try (DeflaterOutputStream z = new DeflaterOutputStream(out, deflater)) {
      z.write(bytes);
    } finally {
      deflater.end();
    }
    return out.toByteArray();
  }

  private static byte[] inflate(byte[] bytes) throws IOException {
    Inflater inflater = new Inflater();
    try (InflaterInputStream z =
        new InflaterInputStream(new ByteArrayInputStream(bytes), inflater)) {
      return z.readAllBytes();
    } finally {
      inflater.end();
    }
  }
}
