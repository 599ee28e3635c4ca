package io.llmcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins the outputs that a refactoring must leave byte-identical: the {@code summary.json} of the
 * three shared reference runs replayed with their exact requests, the quick start's {@code
 * summary.json} and {@code request_metrics.csv}, and the quick-start search's {@code
 * deployments.csv} and {@code probes.csv} (host time blanked). The SHA-256 of each is committed in
 * {@code fingerprints/outputs.sha256}.
 *
 * <p>A change that alters outputs on purpose regenerates the file with {@code mvn -pl planner
 * verify -Dtest=FingerprintTest -Dllmcap.fingerprints.update=true} and explains the difference in
 * its commit message.
 */
class FingerprintTest {
  private static final String FILE = "fingerprints/outputs.sha256";

  @Test
  void quickstartSimulationAndSearch(@TempDir Path tmp) throws IOException {
    Path run = tmp.resolve("simulate");
    // the pinned hash is of the CSV rows: ask for them (the default format is Parquet)
    Cli.run(
            "simulate",
            "--out",
            run.toString(),
            "--no-report",
            "--quiet",
            "--set",
            "metrics.format=csv")
        .ok();
    Map<String, String> got = new LinkedHashMap<>();
    got.put("simulate/summary.json", sha256(Files.readAllLines(run.resolve("summary.json"))));
    got.put(
        "simulate/request_metrics.csv",
        sha256(Files.readAllLines(run.resolve("request_metrics.csv"))));
    Path search = tmp.resolve("search");
    Path space = Cli.root().resolve("search-configs/quickstart.yml");
    Cli.run("search", space.toString(), "--master", "local[2]", "--out", search.toString()).ok();
    for (String csv : List.of("deployments.csv", "probes.csv")) {
      got.put("search/" + csv, sha256(SearchCommandTest.withoutWall(search.resolve(csv))));
    }
    check(got);
  }

  @Test
  void referenceRunReplays(@TempDir Path tmp) throws IOException {
    Path shared = Cli.shared();
    Path data = shared == null ? null : shared.resolve("data");
    Assumptions.assumeTrue(data != null && Files.isDirectory(data), "no shared data");
    Map<String, String> got = new LinkedHashMap<>();
    for (String name :
        List.of("S2_llama3_8b_sarathi", "S3_llama2_7b_vllm_2rep", "S4_llama2_70b_tp4_pp2")) {
      Path out = tmp.resolve(name);
      List<String> args = new ArrayList<>(Cli.replayReference(data, name, out));
      args.addAll(List.of("--no-report", "--quiet"));
      Cli.run(args.toArray(String[]::new)).ok();
      got.put(name + "/summary.json", sha256(Files.readAllLines(out.resolve("summary.json"))));
    }
    check(got);
  }

  /** Compares to the committed fingerprints, or rewrites them when asked to. */
  private static void check(Map<String, String> got) throws IOException {
    Path file = Cli.root().resolve("planner/src/test/resources").resolve(FILE);
    Map<String, String> pinned = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file)) {
      if (!line.isBlank() && !line.startsWith("#")) {
        String[] kv = line.trim().split("\\s+");
        pinned.put(kv[1], kv[0]);
      }
    }
    if (Boolean.getBoolean("llmcap.fingerprints.update")) {
      pinned.putAll(got);
      List<String> lines = new ArrayList<>();
      lines.add("# SHA-256 of outputs pinned by FingerprintTest (see its comment to regenerate)");
      pinned.forEach((k, v) -> lines.add(v + "  " + k));
      Files.write(file, lines);
      return;
    }
    for (Map.Entry<String, String> e : got.entrySet()) {
      assertEquals(pinned.get(e.getKey()), e.getValue(), "fingerprint of " + e.getKey());
    }
  }

  /**
   * SHA-256 of the lines, with the checkout's and the shared data's absolute paths (named in the
   * summary's predictor line) replaced by placeholders, so that any clone gets the same value.
   */
  private static String sha256(List<String> lines) {
    String root = Cli.root().toAbsolutePath().normalize().toString();
    Path shared = Cli.shared();
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String line : lines) {
        String l = line.replace(root, "<root>");
        if (shared != null) {
          l = l.replace(shared.toAbsolutePath().normalize().toString(), "<shared>");
        }
        md.update(l.getBytes(StandardCharsets.UTF_8));
        md.update((byte) '\n');
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
