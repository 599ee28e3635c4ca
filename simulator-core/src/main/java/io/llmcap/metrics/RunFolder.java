package io.llmcap.metrics;

import io.llmcap.base.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * An output folder that appears whole or not at all: files go into a hidden sibling first, which is
 * renamed into place on {@link #commit}. A crash leaves only the hidden folder behind.
 */
public final class RunFolder implements AutoCloseable {
  private final Path target;
  private final Path staging;
  private final boolean replace;
  private boolean committed;

  private RunFolder(Path target, Path staging, boolean replace) {
    this.target = target;
    this.staging = staging;
    this.replace = replace;
  }

  /**
   * @param replace allow replacing an existing folder; otherwise an existing target is an error
   */
  public static RunFolder create(Path target, boolean replace) {
    Path abs = target.toAbsolutePath().normalize();
    if (Files.exists(abs) && !replace) {
      throw new ConfigException(
          "--out", "folder '" + target + "' already exists; allowed: a new folder, or --force");
    }
    try {
      Files.createDirectories(abs.getParent());
      Path staging = Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + ".tmp-");
      return new RunFolder(abs, staging, replace);
    } catch (IOException e) {
      throw new ConfigException("--out", "cannot create '" + target + "': " + e.getMessage());
    }
  }

  /** Where to write files before commit. */
  public Path dir() {
    return staging;
  }

  public Path target() {
    return target;
  }

  public void commit() {
    try {
      if (replace && Files.exists(target)) {
        Path old =
            Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".old-");
        Files.delete(old);
        move(target, old);
        move(staging, target);
        deleteTree(old);
      } else {
        move(staging, target);
      }
      committed = true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move results into " + target, e);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  @Override
  public void close() {
    if (!committed) {
      try {
        deleteTree(staging);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
