package io.llmcap.predictors.lgbm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;

/**
 * A second JVM for {@link ModelCacheTest}: builds one entry slowly, appending a line to a log per
 * build, and prints the payload.
 */
public final class CacheWorker {
  private CacheWorker() {}

  public static void main(String[] args) throws Exception {
    ModelCache cache = new ModelCache(Path.of(args[0]));
    Path log = Path.of(args[2]);
    byte[] payload =
        cache.getOrBuild(
            "ns",
            args[1],
            () -> {
              try {
                Files.writeString(
                    log,
                    ProcessHandle.current().pid() + "\n",
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
              ModelCacheTest.sleep(1500);
              return String.valueOf(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8);
            });
    System.out.println(HexFormat.of().formatHex(payload));
  }
}
