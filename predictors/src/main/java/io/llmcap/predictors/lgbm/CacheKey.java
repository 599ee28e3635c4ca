package io.llmcap.predictors.lgbm;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Builds a {@link ModelCache} key: the SHA-256 (hex) of typed, length-prefixed fields, so that no
 * two different input sequences encode alike ("ab","c" differs from "a","bc"). Doubles are hashed
 * by their bits: a key changes when any input value does.
 */
public final class CacheKey {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final DataOutputStream out = new DataOutputStream(bytes);

  /** A key whose first field names what is cached (and its format version). */
  public static CacheKey of(String kind) {
    return new CacheKey().add(kind);
  }

  public CacheKey add(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return write(
        's',
        () -> {
          out.writeInt(b.length);
          out.write(b);
        });
  }

  public CacheKey add(long v) {
    return write('l', () -> out.writeLong(v));
  }

  public CacheKey add(double v) {
    return write('d', () -> out.writeLong(Double.doubleToLongBits(v)));
  }

  public CacheKey add(double[] v) {
    return write(
        'D',
        () -> {
          out.writeInt(v.length);
          for (double x : v) {
            out.writeLong(Double.doubleToLongBits(x));
          }
        });
  }

  public CacheKey add(double[][] rows) {
    write('M', () -> out.writeInt(rows.length));
    for (double[] row : rows) {
      add(row);
    }
    return this;
  }

  public CacheKey add(String[] v) {
    write('S', () -> out.writeInt(v.length));
    for (String s : v) {
      add(s);
    }
    return this;
  }

  /** Raw bytes, e.g. a file's contents. */
  public CacheKey add(byte[] v) {
    return write(
        'b',
        () -> {
          out.writeInt(v.length);
          out.write(v);
        });
  }

  /** The hex SHA-256 of everything added: a valid {@link ModelCache} key. */
  public String hex() {
    return HexFormat.of().formatHex(ModelCache.sha256(bytes.toByteArray()));
  }

  private interface Write {
    void run() throws IOException;
  }

  private CacheKey write(char tag, Write w) {
    try {
      out.writeChar(tag);
      w.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }
}
