package io.llmcap.predictors.lgbm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.metarank.lightgbm4j.LGBMBooster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibraryTest {
  @TempDir Path dir;

  @Test
  void loadsAndRestoresTheTemporaryFolder() {
    String tmp = System.getProperty("java.io.tmpdir");
    NativeLibrary.load();
    assertTrue(LGBMBooster.isNativeLoaded());
    assertEquals(tmp, System.getProperty("java.io.tmpdir"));
    assertNotEquals("unknown", NativeLibrary.libraryVersion());
  }

  @Test
  void extractsOnceAndRepairsADamagedFile() throws Exception {
    Path libs = dir.resolve("native");
    NativeLibrary.extractInto(libs);
    Path lib;
    try (Stream<Path> s = Files.list(libs)) {
      lib =
          s.filter(p -> p.getFileName().toString().startsWith("lib_lightgbm."))
              .findFirst()
              .orElseThrow();
    }
    long size = Files.size(lib);
    FileTime old = FileTime.fromMillis(1000);
    Files.setLastModifiedTime(lib, old);
    NativeLibrary.extractInto(libs);
    assertEquals(old, Files.getLastModifiedTime(lib), "an intact library is not rewritten");

    Files.write(lib, new byte[] {1, 2, 3});
    NativeLibrary.extractInto(libs);
    assertEquals(size, Files.size(lib));
  }

  @Test
  void theSharedFolderIsPerUserAndVersion() {
    String before = System.getProperty("llmcap.cache");
    try {
      System.setProperty("llmcap.cache", dir.toString());
      Path shared = NativeLibrary.sharedDirectory();
      assertTrue(shared.startsWith(dir.resolve("native")), shared.toString());
      assertTrue(shared.toString().contains("lightgbm4j-" + NativeLibrary.libraryVersion()));
      assertEquals(shared, NativeLibrary.sharedDirectory());
    } finally {
      if (before == null) {
        System.clearProperty("llmcap.cache");
      } else {
        System.setProperty("llmcap.cache", before);
      }
    }
  }
}
