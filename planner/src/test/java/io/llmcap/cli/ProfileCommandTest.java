package io.llmcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileCommandTest {
  @TempDir Path tmp;

  @Test
  void rooflineWritesComputeAndNetworkProfiles() {
    Cli.Result r =
        Cli.run(
                "profile",
                "roofline",
                "--model",
                "microsoft/phi-2",
                "--sku",
                "a40",
                "--node",
                "a40_pairwise_nvlink",
                "--out",
                tmp.toString())
            .ok();
    assertEquals(4, r.out().lines().count(), r.out());
    Path mlp = tmp.resolve("compute/a40/microsoft/phi-2/mlp.csv");
    assertTrue(Files.isRegularFile(mlp));
    assertTrue(Files.isRegularFile(tmp.resolve("compute/a40/microsoft/phi-2/attention.csv")));
    assertTrue(Files.isRegularFile(tmp.resolve("network/a40_pairwise_nvlink/send_recv.csv")));
    // phi-2 has no post-attention norm and cannot be split: 45 + 8 columns, TP 1 only.
    String header = Cli.lines(mlp).get(0);
    assertEquals(53, header.split(",").length);
    assertTrue(Cli.lines(mlp).stream().skip(1).allMatch(l -> l.endsWith(",1")));
  }

  @Test
  void networkOnlyWithoutModelAndSkuFromTheNode() {
    Cli.Result r = Cli.run("profile", "roofline", "--node", "h100_dgx", "--out", tmp.toString());
    r.ok();
    assertEquals(2, r.out().lines().count(), r.out());
    assertTrue(Files.isRegularFile(tmp.resolve("network/h100_dgx/all_reduce.csv")));
  }

  @Test
  void planListsTheShippedSet() {
    Cli.Result r = Cli.run("profile", "roofline", "--plan").ok();
    assertTrue(r.out().contains("meta-llama/Llama-2-70b-hf a100 a100_dgx"), r.out());
    // A 70B model does not fit in one A30 node.
    assertTrue(r.out().lines().noneMatch(l -> l.startsWith("meta-llama/Llama-2-70b-hf a30 ")));
  }

  @Test
  void userMistakesExitWithStatusTwo() {
    Cli.Result mismatch =
        Cli.run("profile", "roofline", "--sku", "h100", "--node", "a100_dgx", "--out", tmp + "");
    assertEquals(2, mismatch.status());
    assertTrue(mismatch.err().startsWith("error: --sku: node type 'a100_dgx' holds a100"));
    Cli.Result unknown = Cli.run("profile", "roofline", "--node", "a100_dgxx");
    assertEquals(2, unknown.status());
    assertTrue(unknown.err().contains("a100_dgx"), unknown.err());
    assertEquals(2, Cli.run("profile", "roofline").status());
    Cli.Result noData =
        Cli.run("profile", "calibrate", "--data", tmp.resolve("missing").toString());
    assertEquals(2, noData.status());
    assertTrue(noData.err().contains("--data"), noData.err());
  }

  /**
   * {@code llmcap profile calibrate} re-fits the shipped calibration.yaml byte for byte from the
   * shared measured profiles, and prints the held-out MAPE table then where it wrote.
   */
  @Test
  void calibrateReproducesTheShippedCalibrationFile() throws Exception {
    Path shared = Cli.shared();
    Path data = shared == null ? null : shared.resolve("data/profiles");
    Assumptions.assumeTrue(
        data != null && Files.isDirectory(data), "no measured profiles (llmcap.shared)");
    Path shipped = Cli.root().resolve("profiles/catalog/calibration.yaml");
    String date =
        Files.readString(shipped)
            .lines()
            .filter(l -> l.startsWith("calibrated_on:"))
            .findFirst()
            .orElseThrow()
            .substring("calibrated_on:".length())
            .trim()
            .replace("'", "")
            .replace("\"", "");
    Path out = tmp.resolve("calibration.yaml");
    Cli.Result r =
        Cli.run(
                "profile",
                "calibrate",
                "--data",
                data.toString(),
                "--out",
                out.toString(),
                "--date",
                date)
            .ok();
    assertEquals(Files.readString(shipped), Files.readString(out));
    List<String> lines = r.out().lines().toList();
    assertTrue(lines.get(0).startsWith("target "), lines.get(0));
    assertEquals("wrote " + out, lines.get(lines.size() - 1));
  }
}
