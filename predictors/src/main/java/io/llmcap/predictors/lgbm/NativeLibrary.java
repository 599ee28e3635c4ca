package io.llmcap.predictors.lgbm;

import io.github.metarank.lightgbm4j.LGBMBooster;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Loads lightgbm4j's two native libraries without the race its own loader has.
 *
 * <p>lightgbm4j, when the environment variable {@code LIGHTGBM_NATIVE_LIB_PATH} is unset, extracts
 * {@code lib_lightgbm.so} and {@code lib_lightgbm_swig.so} to {@code ${java.io.tmpdir}} under fixed
 * names and rewrites them on every JVM start: two JVMs starting at once on one host (Spark
 * executors, parallel test forks) can load a half-written file, and a rewrite under a running JVM
 * that has the file mapped can crash it. This class avoids both:
 *
 * <ul>
 *   <li>{@code LIGHTGBM_NATIVE_LIB_PATH} set: lightgbm4j loads from that folder and never writes
 *       it. We first make sure the two files are there with the jar's MD5s, extracting any that is
 *       missing or different under a file lock, each through a temporary file and an atomic rename,
 *       so a reader sees either no file or a whole one and a file another JVM has mapped is never
 *       rewritten in place.
 *   <li>Unset: the libraries are extracted into a fresh private directory of this JVM ({@code
 *       java.io.tmpdir} points there only while lightgbm4j loads) and the directory is deleted once
 *       they are loaded (Linux keeps a loaded library mapped after it is unlinked).
 * </ul>
 *
 * <p>{@link #sharedDirectory()} extracts the libraries once per user and library version into
 * {@code <cache>/native/lightgbm4j-<version>/<os>-<arch>/}; point {@code LIGHTGBM_NATIVE_LIB_PATH}
 * there for executors ({@code spark.executorEnv.LIGHTGBM_NATIVE_LIB_PATH}) to skip the per-JVM
 * extraction. The libraries need OpenMP ({@code libgomp1} on Debian and Ubuntu).
 */
public final class NativeLibrary {
  static final String ENV = "LIGHTGBM_NATIVE_LIB_PATH";
  private static final String LIBRARY_VERSION = readLibraryVersion();
  private static volatile boolean loaded;

  private NativeLibrary() {}

  /** The lightgbm4j version on the class path (part of every cache key). */
  public static String libraryVersion() {
    return LIBRARY_VERSION;
  }

  /** Loads the native libraries once per JVM; later calls return at once. */
  public static void load() {
    if (loaded) {
      return;
    }
    synchronized (NativeLibrary.class) {
      if (loaded) {
        return;
      }
      String env = System.getenv(ENV);
      try {
        if (env != null && !env.isBlank()) {
          extractInto(Path.of(env));
          initLightGbm();
        } else {
          loadFromPrivateDirectory();
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot extract the LightGBM native libraries", e);
      }
      if (!LGBMBooster.isNativeLoaded()) {
        throw new IllegalStateException(
            "LightGBM native libraries did not load for "
                + platform()
                + (env == null ? "" : " from " + ENV + "=" + env)
                + "; on Linux install libgomp1 (apt-get install libgomp1)");
      }
      loaded = true;
    }
  }

  /**
   * The per-user, per-version folder holding the extracted libraries, extracting them first if
   * needed: the value for {@code LIGHTGBM_NATIVE_LIB_PATH} in other JVMs on this host.
   */
  public static Path sharedDirectory() {
    Path dir =
        ModelCache.defaultRoot()
            .resolve("native")
            .resolve("lightgbm4j-" + LIBRARY_VERSION)
            .resolve(platform());
    try {
      extractInto(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract the LightGBM native libraries to " + dir, e);
    }
    return dir;
  }

  private static void loadFromPrivateDirectory() throws IOException {
    Path dir = Files.createTempDirectory("llmcap-lightgbm-");
    String tmp = System.getProperty("java.io.tmpdir");
    try {
      // lightgbm4j extracts to ${java.io.tmpdir}/<name>: point that at our private folder.
      System.setProperty("java.io.tmpdir", dir.toString());
      initLightGbm();
    } finally {
      System.setProperty("java.io.tmpdir", tmp);
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  private static void initLightGbm() {
    try {
      // The class initializer runs lightgbm4j's loader; it logs, not throws, a missing libgomp.
      Class.forName(LGBMBooster.class.getName(), true, LGBMBooster.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException(
          "LightGBM native libraries did not load ("
              + e
              + "); on Linux install libgomp1 (apt-get install libgomp1)",
          e);
    }
  }

  /** Makes {@code dir} hold both libraries with the jar's MD5s; safe across JVMs. */
  static void extractInto(Path dir) throws IOException {
    List<String> names = libraryNames();
    if (allPresent(dir, names)) {
      return;
    }
    Files.createDirectories(dir);
    try (FileChannel lockFile =
            FileChannel.open(
                dir.resolve(".extract.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock ignored = lockFile.lock()) {
      for (String name : names) {
        byte[] bytes = resource(name);
        Path target = dir.resolve(name);
        if (Files.isRegularFile(target) && md5(Files.readAllBytes(target)).equals(md5(bytes))) {
          continue;
        }
        Path tmp = Files.createTempFile(dir, name, ".part");
        try {
          Files.write(tmp, bytes);
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
          Files.deleteIfExists(tmp);
        }
      }
    }
  }

  private static boolean allPresent(Path dir, List<String> names) throws IOException {
    for (String name : names) {
      Path f = dir.resolve(name);
      if (!Files.isRegularFile(f)
          || !md5(Files.readAllBytes(f)).equals(expectedMd5(name, resource(name)))) {
        return false;
      }
    }
    return true;
  }

  private static String expectedMd5(String name, byte[] bytes) throws IOException {
    try (InputStream in = resourceStream(name + ".md5")) {
      // Jars without .md5 files: the library bytes themselves are the reference.
      return in == null ? md5(bytes) : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    }
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = resourceStream(name)) {
      if (in == null) {
        throw new IOException("lightgbm4j has no native library " + name + " for " + platform());
      }
      return in.readAllBytes();
    }
  }

  private static InputStream resourceStream(String name) {
    return LGBMBooster.class.getClassLoader().getResourceAsStream(resourceFolder() + name);
  }

  private static String md5(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> libraryNames() {
    String os = os();
    String ext = os.equals("osx") ? ".dylib" : os.equals("windows") ? ".dll" : ".so";
    return List.of("lib_lightgbm" + ext, "lib_lightgbm_swig" + ext);
  }

  private static String resourceFolder() {
    return "lightgbm4j/" + os() + "/" + arch() + "/";
  }

  private static String platform() {
    return os() + "-" + arch();
  }

  // Same OS and architecture names as lightgbm4j's resource folders.
  private static String os() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    return os.startsWith("mac") ? "osx" : os.startsWith("windows") ? "windows" : "linux";
  }

  private static String arch() {
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    return arch.startsWith("aarch64") || arch.startsWith("arm64") ? "aarch64" : "x86_64";
  }

  private static String readLibraryVersion() {
    try (InputStream in =
        LGBMBooster.class
            .getClassLoader()
            .getResourceAsStream("META-INF/maven/io.github.metarank/lightgbm4j/pom.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
