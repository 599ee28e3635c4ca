package io.llmcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Runs the {@code llmcap} command line in-process and captures what it prints. */
final class Cli {
  static final ObjectMapper JSON = new ObjectMapper();
  static final ObjectMapper YAML = new YAMLMapper();

  private Cli() {}

  /** Exit status and the text written to stdout and stderr. */
  record Result(int status, String out, String err) {
    /** Asserts exit 0, showing both streams when it is not. */
    Result ok() {
      assertEquals(0, status, () -> "exit status; stdout:\n" + out + "\nstderr:\n" + err);
      return this;
    }
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status;
    try (PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err)) {
      status = Main.execute(args, o, e);
    }
    return new Result(status, out.toString(), err.toString());
  }

  static JsonNode json(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode yaml(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path write(Path file, String text) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      return Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The repository root, as surefire passes it (falls back to the working directory's parent). */
  static Path root() {
    String p = System.getProperty("llmcap.root");
    if (p != null && Files.isDirectory(Path.of(p))) {
      return Path.of(p);
    }
    Path cwd = Path.of("").toAbsolutePath();
    return Files.isDirectory(cwd.resolve("profiles")) ? cwd : cwd.getParent();
  }

  /**
   * The arguments that replay a shared reference run ({@code data/reference-runs/<name>}) with its
   * exact requests over the shared measured profiles (synthetic attention) into {@code out}.
   */
  static List<String> replayReference(Path data, String name, Path out) {
    Path ref = data.resolve("reference-runs").resolve(name);
    Path profiles = data.resolve("profiles");
    return List.of(
        "simulate",
        "--reference-config",
        ref.resolve("config.json").toString(),
        "--requests",
        ref.resolve("requests.csv").toString(),
        "--profiles",
        profiles.toString(),
        "--profiles",
        profiles.resolve("synthetic-attention").toString(),
        "--out",
        out.toString());
  }

  /** The shared data folder, or null when surefire did not pass one. */
  static Path shared() {
    String p = System.getProperty("llmcap.shared");
    return p == null ? null : Path.of(p);
  }
}
