package io.llmcap.predictors.lgbm;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A disk cache of build results (trained models, prediction tables) keyed by a hash of their inputs
 * ({@link CacheKey}).
 *
 * <p>Layout: {@code <root>/<namespace>/<key>.bin}, each entry a magic header, the payload length,
 * the payload and its SHA-256, so a truncated or corrupted entry is detected and rebuilt. The root
 * is the system property {@code llmcap.cache}, else the environment variable {@code LLMCAP_CACHE},
 * else {@code $XDG_CACHE_HOME/llmcap}, else {@code ~/.cache/llmcap}.
 *
 * <p>Concurrency: an entry is written to a temporary file and renamed into place atomically, so a
 * reader sees a whole entry or none. Builders of one key take an in-JVM lock and an exclusive file
 * lock on {@code <key>.lock}, then look again before building, so two threads or two JVMs asking
 * for the same missing entry build it once and the second reads the first's result. Where file
 * locks are not supported, both build and the identical results replace each other harmlessly. A
 * cache that cannot be read or written (a read-only or full disk) only costs time: the value is
 * built and a warning logged.
 */
public final class ModelCache {
  private static final Logger log = LoggerFactory.getLogger(ModelCache.class);
  private static final byte[] MAGIC = {'L', 'L', 'M', 'C', 'A', 'P', 'C', '1'};
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
  // FileChannel locks belong to the whole JVM: threads must also exclude each other.
  private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private final Path root;

  public ModelCache(Path root) {
    this.root = root;
  }

  /** The cache in the user's default location (see the class comment). */
  public static ModelCache atDefaultRoot() {
    return new ModelCache(defaultRoot());
  }

  public static Path defaultRoot() {
    String prop = System.getProperty("llmcap.cache");
    if (prop != null && !prop.isBlank()) {
      return Path.of(prop);
    }
    String env = System.getenv("LLMCAP_CACHE");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "llmcap");
    }
    return Path.of(System.getProperty("user.home"), ".cache", "llmcap");
  }

  public Path root() {
    return root;
  }

  /** Reads and writes one kind of cached value. */
  public interface Codec<T> {
    void write(T value, OutputStream out) throws IOException;

    T read(InputStream in) throws IOException;

    /** A codec of a value type that writes itself and has a static reader. */
    static <T> Codec<T> of(Writer<T> writer, Reader<T> reader) {
      return new Codec<>() {
        @Override
        public void write(T value, OutputStream out) throws IOException {
          writer.write(value, out);
        }

        @Override
        public T read(InputStream in) throws IOException {
          return reader.read(in);
        }
      };
    }
  }

  /** Writes a cached value, e.g. {@code OpTables::write}. */
  @FunctionalInterface
  public interface Writer<T> {
    void write(T value, OutputStream out) throws IOException;
  }

  /** Reads a cached value, e.g. {@code OpTables::read}. */
  @FunctionalInterface
  public interface Reader<T> {
    T read(InputStream in) throws IOException;
  }

  /** The cached payload, or empty when the entry is missing or fails its checksum. */
  public Optional<byte[]> get(String namespace, String key) {
    Path file = entry(namespace, key);
    byte[] raw;
    try {
      raw = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      log.warn("cannot read cache entry {} ({}); building it", file, e.toString());
      return Optional.empty();
    }
    byte[] payload = unwrap(raw);
    if (payload == null) {
      log.warn("cache entry {} is corrupted; rebuilding it", file);
    }
    return Optional.ofNullable(payload);
  }

  /** Stores a payload atomically (replacing any entry of the key). */
  public void put(String namespace, String key, byte[] payload) {
    Path file = entry(namespace, key);
    try {
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), key, ".part");
      try {
        Files.write(tmp, wrap(payload));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write cache entry " + file, e);
    }
  }

  /** The cached payload, or the built one, stored first; built at most once across JVMs. */
  public byte[] getOrBuild(String namespace, String key, Supplier<byte[]> build) {
    Optional<byte[]> hit = get(namespace, key);
    if (hit.isPresent()) {
      return hit.get();
    }
    Path file = entry(namespace, key);
    ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(file, f -> new ReentrantLock());
    jvmLock.lock();
    try (EntryLock ignored = EntryLock.acquire(file)) {
      hit = get(namespace, key);
      if (hit.isPresent()) {
        return hit.get();
      }
      byte[] payload = build.get();
      try {
        put(namespace, key, payload);
      } catch (UncheckedIOException e) {
        // The cache only saves time: a full disk or a read-only folder must not fail the build.
        log.warn("cannot store cache entry {}: {}", file, e.getCause().toString());
      }
      return payload;
    } finally {
      jvmLock.unlock();
    }
  }

  /**
   * Typed {@link #getOrBuild}: an entry the codec cannot read (an older format) is rebuilt like a
   * corrupted one.
   */
  public <T> T getOrBuild(String namespace, String key, Supplier<T> build, Codec<T> codec) {
    Optional<byte[]> hit = get(namespace, key);
    if (hit.isPresent()) {
      try {
        return codec.read(new ByteArrayInputStream(hit.get()));
      } catch (IOException | RuntimeException e) {
        log.warn("cache entry {} is unreadable ({}); rebuilding it", entry(namespace, key), e);
        delete(namespace, key);
      }
    }
    // A value built here is returned as built; one another builder stored is decoded.
    AtomicReference<T> built = new AtomicReference<>();
    byte[] payload =
        getOrBuild(
            namespace,
            key,
            () -> {
              T value = build.get();
              built.set(value);
              return encode(value, codec);
            });
    if (built.get() != null) {
      return built.get();
    }
    try {
      return codec.read(new ByteArrayInputStream(payload));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read cache entry " + entry(namespace, key), e);
    }
  }

  private void delete(String namespace, String key) {
    try {
      Files.deleteIfExists(entry(namespace, key));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static <T> byte[] encode(T value, Codec<T> codec) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      codec.write(value, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  Path entry(String namespace, String key) {
    if (!NAME.matcher(namespace).matches() || !NAME.matcher(key).matches()) {
      throw new IllegalArgumentException("bad cache namespace or key: " + namespace + "/" + key);
    }
    return root.resolve(namespace).resolve(key + ".bin");
  }

  /** An exclusive lock on the entry's lock file; no lock where the file system cannot give one. */
  private record EntryLock(FileChannel channel, FileLock lock) implements AutoCloseable {
    static EntryLock acquire(Path entry) {
      Path file = entry.resolveSibling(entry.getFileName().toString().replace(".bin", ".lock"));
      FileChannel channel = null;
      try {
        Files.createDirectories(entry.getParent());
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        return new EntryLock(channel, channel.lock());
      } catch (IOException | UnsupportedOperationException e) {
        log.debug("no file lock for {} ({}); building without it", file, e.toString());
        return new EntryLock(channel, null);
      }
    }

    @Override
    public void close() {
      try (FileChannel c = channel) {
        if (lock != null) {
          lock.release();
        }
      } catch (IOException e) {
        log.debug("releasing a cache lock: {}", e.toString());
      }
    }
  }

  private static byte[] wrap(byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 8 + payload.length + 32);
    b.put(MAGIC).putLong(payload.length).put(payload).put(sha256(payload));
    return b.array();
  }

  /** The payload of a well-formed entry, or null. */
  private static byte[] unwrap(byte[] raw) {
    if (raw.length < MAGIC.length + 8 + 32
        || !Arrays.equals(Arrays.copyOf(raw, MAGIC.length), MAGIC)) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(raw, MAGIC.length, raw.length - MAGIC.length);
    long length = b.getLong();
    if (length != raw.length - MAGIC.length - 8 - 32) {
      return null;
    }
    byte[] payload = new byte[(int) length];
    b.get(payload);
    byte[] sum = new byte[32];
    b.get(sum);
    return Arrays.equals(sum, sha256(payload)) ? payload : null;
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
