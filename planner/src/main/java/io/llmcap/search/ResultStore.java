package io.llmcap.search;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.llmcap.base.ConfigException;
import io.llmcap.metrics.RunFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The results folder of a search while it runs, so that a killed driver loses no finished
 * deployment: the folder appears (atomically) with the search's {@code search.yml} and the list of
 * its deployments ({@code parts/index.txt}); each finished deployment is one file {@code
 * parts/<deployment_id>.json}, written to a temporary name and renamed, so a file is whole or
 * absent and a rewrite (a retried task) replaces it with the same content. {@code --resume} checks
 * that the folder holds the same search and leaves out the deployments already there; the final
 * datasets and report are assembled from the part files alone, in deployment-id order, so an
 * interrupted and resumed search ends with the same rows as an uninterrupted one.
 */
public final class ResultStore {
  static final String PARTS = "parts";
  static final String INDEX = "index.txt";
  static final String SPACE = "search.yml";

  private static final ObjectMapper JSON =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  /** What to do with an existing results folder. */
  public enum Mode {
    /** refuse it */
    NEW,
    /** replace it */
    FORCE,
    /** finish it */
    RESUME
  }

  private final Path dir;
  private final Path parts;
  private final List<String> ids;
  private final boolean created;

  private ResultStore(Path dir, List<String> ids, boolean created) {
    this.dir = dir;
    this.parts = dir.resolve(PARTS);
    this.ids = ids;
    this.created = created;
  }

  /**
   * Opens (or creates) the results folder {@code target} for a search of {@code ids} described by
   * {@code spaceYaml}; an existing folder is refused, replaced or resumed according to {@code
   * mode}.
   */
  public static ResultStore open(Path target, String spaceYaml, List<String> ids, Mode mode) {
    Path abs = target.toAbsolutePath().normalize();
    if (Files.exists(abs)) {
      if (mode == Mode.NEW) {
        throw new ConfigException(
            "--out",
            "folder '"
                + target
                + "' already exists; allowed: --resume to finish the search it holds, --force to"
                + " replace it, or a new folder");
      }
      if (mode == Mode.RESUME) {
        checkSameSearch(target, abs, spaceYaml, ids);
        return new ResultStore(abs, ids, false);
      }
    }
    // a new folder appears whole: search.yml and the index first, in a staging sibling
    try (RunFolder folder = RunFolder.create(abs, mode == Mode.FORCE)) {
      Path staging = folder.dir();
      Files.createDirectories(staging.resolve(PARTS));
      writeAtomically(staging.resolve(SPACE), spaceYaml);
      writeAtomically(staging.resolve(PARTS).resolve(INDEX), String.join("\n", ids) + "\n");
      folder.commit();
    } catch (IOException e) {
      throw new ConfigException("--out", "cannot create '" + target + "': " + e.getMessage());
    }
    return new ResultStore(abs, ids, true);
  }

  private static void checkSameSearch(Path target, Path abs, String spaceYaml, List<String> ids) {
    Path space = abs.resolve(SPACE);
    Path index = abs.resolve(PARTS).resolve(INDEX);
    String allowed =
        "; allowed: the SEARCH.yml, --set and --sample it was started with, or --force";
    if (!Files.isRegularFile(space) || !Files.isRegularFile(index)) {
      throw new ConfigException(
          "--resume",
          "folder '"
              + target
              + "' is not a search results folder (no "
              + SPACE
              + " or "
              + PARTS
              + "/"
              + INDEX
              + ")"
              + allowed);
    }
    try {
      if (!Files.readString(space, StandardCharsets.UTF_8).equals(spaceYaml)) {
        throw new ConfigException(
            "--resume",
            "'"
                + target.resolve(SPACE)
                + "' differs from the search config given (a changed key or --set)"
                + allowed);
      }
      List<String> stored =
          Files.readAllLines(index, StandardCharsets.UTF_8).stream()
              .filter(l -> !l.isBlank())
              .toList();
      if (!stored.equals(ids)) {
        throw new ConfigException(
            "--resume",
            "'"
                + target.resolve(PARTS).resolve(INDEX)
                + "' lists "
                + stored.size()
                + " deployments, not the "
                + ids.size()
                + " of this search (another --sample or catalog)"
                + allowed);
      }
    } catch (IOException e) {
      throw new ConfigException("--resume", "cannot read '" + target + "': " + e.getMessage());
    }
  }

  /** The results folder. */
  public Path dir() {
    return dir;
  }

  /** Whether this run created the folder (rather than resuming one). */
  public boolean created() {
    return created;
  }

  /** The deployments of this search that already have a result, in index order. */
  public Set<String> finished() {
    Set<String> out = new LinkedHashSet<>();
    for (String id : ids) {
      Path f = part(id);
      if (Files.isRegularFile(f) && readable(f)) {
        out.add(id);
      }
    }
    return out;
  }

  private static boolean readable(Path f) {
    try {
      JSON.readValue(f.toFile(), DeploymentSearch.Result.class);
      return true;
    } catch (IOException e) {
      // only a foreign or damaged file can fail here (parts are renamed into place whole): redo it
      return false;
    }
  }

  /** Saves one deployment's result; a second save of the same deployment replaces the first. */
  public void save(DeploymentSearch.Result r) {
    String id = r.deployment().deploymentId();
    if (!ids.contains(id)) {
      throw new IllegalArgumentException("deployment " + id + " is not part of this search");
    }
    try {
      writeAtomically(part(id), JSON.writeValueAsString(r));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save the result of deployment " + id, e);
    }
  }

  /** Every deployment's result, in deployment-id order; each must have been saved. */
  public List<DeploymentSearch.Result> readAll() {
    List<String> sorted = new ArrayList<>(ids);
    sorted.sort(Comparator.naturalOrder());
    List<DeploymentSearch.Result> out = new ArrayList<>();
    for (String id : sorted) {
      try {
        out.add(JSON.readValue(part(id).toFile(), DeploymentSearch.Result.class));
      } catch (IOException e) {
        throw new UncheckedIOException("no result for deployment " + id, e);
      }
    }
    return out;
  }

  /**
   * A fresh hidden folder inside the results folder for the final outputs; see {@link #publish}.
   */
  public Path stage() {
    try {
      return Files.createTempDirectory(dir, ".final-tmp-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Moves every entry of {@code stage} into the results folder, replacing an older copy (from a run
   * killed while publishing), then removes the stage and stale stages and part temporaries.
   */
  public void publish(Path stage) {
    try {
      List<Path> entries;
      try (Stream<Path> s = Files.list(stage)) {
        entries = s.sorted().toList();
      }
      for (Path e : entries) {
        Path to = dir.resolve(e.getFileName());
        if (Files.exists(to)) {
          Path old = Files.createTempDirectory(dir, ".old-");
          move(to, old.resolve(e.getFileName()));
          move(e, to);
          deleteTree(old);
        } else {
          move(e, to);
        }
      }
      cleanup();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot publish results into " + dir, e);
    }
  }

  /** Removes what killed runs leave: staging folders and part files not yet renamed. */
  public void cleanup() {
    try {
      for (Path root : List.of(dir, parts)) {
        try (Stream<Path> s = Files.list(root)) {
          for (Path p : s.filter(p -> p.getFileName().toString().startsWith(".")).toList()) {
            deleteTree(p);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes the folder; for a search that failed before finishing any deployment. */
  public void delete() {
    try {
      deleteTree(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path part(String id) {
    return parts.resolve(id + ".json");
  }

  /** Writes to a hidden temporary sibling, then renames it over {@code file}. */
  static void writeAtomically(Path file, String text) throws IOException {
    Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      move(tmp, file);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
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
