package io.llmcap.predictors.lgbm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCacheTest {
  @TempDir Path dir;

  private static final String KEY = CacheKey.of("test").add("x").hex();

  @Test
  void storesAndReadsBack() {
    ModelCache cache = new ModelCache(dir);
    assertTrue(cache.get("ns", KEY).isEmpty());
    byte[] payload = "hello".getBytes(StandardCharsets.UTF_8);
    cache.put("ns", KEY, payload);
    assertArrayEquals(payload, cache.get("ns", KEY).orElseThrow());
    assertTrue(Files.isRegularFile(dir.resolve("ns").resolve(KEY + ".bin")));
  }

  @Test
  void aCorruptedOrTruncatedEntryIsRebuilt() throws IOException {
    ModelCache cache = new ModelCache(dir);
    cache.put("ns", KEY, new byte[1000]);
    Path file = cache.entry("ns", KEY);
    byte[] raw = Files.readAllBytes(file);
    raw[500] ^= 1;
    Files.write(file, raw);
    assertTrue(cache.get("ns", KEY).isEmpty());
    assertArrayEquals(new byte[] {7}, cache.getOrBuild("ns", KEY, () -> new byte[] {7}));
    assertArrayEquals(new byte[] {7}, cache.get("ns", KEY).orElseThrow());

    Files.write(file, Arrays.copyOf(Files.readAllBytes(file), 20));
    assertTrue(cache.get("ns", KEY).isEmpty());
  }

  @Test
  void anEntryItsCodecCannotReadIsRebuilt() {
    ModelCache cache = new ModelCache(dir);
    cache.put("ns", KEY, new byte[] {1, 2, 3});
    String v = cache.getOrBuild("ns", KEY, () -> "built", new StringCodec());
    assertEquals("built", v);
    assertEquals("built", cache.getOrBuild("ns", KEY, () -> "again", new StringCodec()));
  }

  @Test
  void anUnusableCacheFolderOnlyCostsTime() throws IOException {
    Path notADir = Files.writeString(dir.resolve("file"), "x");
    ModelCache cache = new ModelCache(notADir);
    assertArrayEquals(new byte[] {5}, cache.getOrBuild("ns", KEY, () -> new byte[] {5}));
    assertTrue(cache.get("ns", KEY).isEmpty());
  }

  @Test
  void threadsAskingForOneEntryBuildItOnce() throws Exception {
    ModelCache cache = new ModelCache(dir);
    AtomicInteger builds = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<byte[]>> fs = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        fs.add(
            pool.submit(
                () -> {
                  start.await();
                  return cache.getOrBuild(
                      "ns",
                      KEY,
                      () -> {
                        builds.incrementAndGet();
                        sleep(200);
                        return new byte[] {42};
                      });
                }));
      }
      start.countDown();
      for (Future<byte[]> f : fs) {
        assertArrayEquals(new byte[] {42}, f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, builds.get());
  }

  @Test
  void twoJvmsAskingForOneEntryBuildItOnce() throws Exception {
    Path log = dir.resolve("builds.log");
    List<Process> ps = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ps.add(
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  CacheWorker.class.getName(),
                  dir.toString(),
                  KEY,
                  log.toString())
              .redirectErrorStream(true)
              .start());
    }
    List<String> outputs = new ArrayList<>();
    for (Process p : ps) {
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      assertEquals(0, p.exitValue(), out);
      outputs.add(out);
    }
    assertEquals(outputs.get(0), outputs.get(1));
    assertEquals(1, Files.readAllLines(log).size(), "builds: " + Files.readAllLines(log));
  }

  @Test
  void keysAreHashesOfTypedFields() {
    assertNotEquals(
        CacheKey.of("k").add("ab").add("c").hex(), CacheKey.of("k").add("a").add("bc").hex());
    assertNotEquals(CacheKey.of("k").add(1.0).hex(), CacheKey.of("k").add(1L).hex());
    assertNotEquals(
        CacheKey.of("k").add(new double[][] {{1, 2}}).hex(),
        CacheKey.of("k").add(new double[][] {{1}, {2}}).hex());
    assertEquals(CacheKey.of("k").add("a").hex(), CacheKey.of("k").add("a").hex());
    assertEquals(64, CacheKey.of("k").hex().length());
    assertThrows(IllegalArgumentException.class, () -> new ModelCache(dir).get("ns", "../x"));
  }

  @Test
  void defaultRootFollowsThePropertyThenTheEnvironment() {
    String before = System.getProperty("llmcap.cache");
    try {
      System.setProperty("llmcap.cache", dir.toString());
      assertEquals(dir, ModelCache.defaultRoot());
    } finally {
      if (before == null) {
        System.clearProperty("llmcap.cache");
      } else {
        System.setProperty("llmcap.cache", before);
      }
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class StringCodec implements ModelCache.Codec<String> {
    @Override
    public void write(String value, OutputStream out) throws IOException {
      out.write(("S" + value).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String read(InputStream in) throws IOException {
      String s = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (!s.startsWith("S")) {
        throw new IOException("not a string entry");
      }
      return s.substring(1);
    }
  }
}
