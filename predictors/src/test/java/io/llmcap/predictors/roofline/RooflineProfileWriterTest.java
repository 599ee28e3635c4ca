package io.llmcap.predictors.roofline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.DeviceSku;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.catalog.NodeSku;
import io.llmcap.predictors.profile.OpSamples;
import io.llmcap.predictors.profile.ProfileFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RooflineProfileWriterTest {
  private static final Path SHIPPED =
      Path.of(System.getProperty("llmcap.root", "..")).resolve("profiles/roofline");

  private final Catalog catalog = Catalog.builtin();
  private final RooflineCalibration calibration = RooflineCalibration.builtin();

  @TempDir Path tmp;

  private List<Path> write(String model, String sku) {
    ModelSpec m = catalog.model(model, "test");
    DeviceSku s = catalog.sku(sku, "test");
    NodeSku n = RooflineProfileWriter.naturalNode(catalog, s);
    RooflineParams p = calibration.params(sku, n.name());
    List<Path> files = new ArrayList<>(RooflineProfileWriter.writeCompute(tmp, m, s, n, p));
    files.addAll(RooflineProfileWriter.writeNetwork(tmp, s, n, p));
    return files;
  }

  @Test
  void regeneratingMatchesTheShippedProfilesByteForByte() throws IOException {
    for (String[] target :
        new String[][] {{"meta-llama/Llama-2-7b-hf", "a100"}, {"Qwen/Qwen-2-7B", "a30"}}) {
      for (Path file : write(target[0], target[1])) {
        Path shipped = SHIPPED.resolve(tmp.relativize(file));
        assertTrue(
            Files.isRegularFile(shipped),
            shipped + " missing: run scripts/generate-roofline-profiles.sh");
        assertArrayEquals(
            Files.readAllBytes(shipped),
            Files.readAllBytes(file),
            shipped + " is stale: run scripts/generate-roofline-profiles.sh");
      }
    }
  }

  @Test
  void shippedSetCoversTheCatalogWithinItsSizeBudget() throws IOException {
    Set<String> expected = new TreeSet<>();
    for (RooflineProfileWriter.Target t : RooflineProfileWriter.shippedTargets(catalog)) {
      String dir = "compute/" + t.sku().name() + "/" + t.model().name() + "/";
      expected.add(dir + "mlp.csv");
      expected.add(dir + "attention.csv");
    }
    for (String node : catalog.nodes().keySet()) {
      expected.add("network/" + node + "/all_reduce.csv");
      expected.add("network/" + node + "/send_recv.csv");
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(SHIPPED)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    Set<String> actual =
        files.stream()
            .map(f -> SHIPPED.relativize(f).toString().replace('\\', '/'))
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(expected, actual);
    long bytes = 0;
    for (Path f : files) {
      bytes += Files.size(f);
    }
    System.out.printf("shipped roofline profiles: %d files, %.1f MB%n", files.size(), bytes / 1e6);
    assertTrue(bytes <= 40L << 20, "shipped profiles take " + bytes + " bytes, over 40 MiB");
    assertEquals(9 * 7 + 4, RooflineProfileWriter.shippedTargets(catalog).size());
  }

  @Test
  void profilesReadBackAsTheRooflineTheyTabulate() {
    write("meta-llama/Meta-Llama-3-8B", "h100");
    ProfileFolder folder = ProfileFolder.open(tmp);
    ModelSpec model = catalog.model("meta-llama/Meta-Llama-3-8B", "test");
    DeviceSku sku = catalog.sku("h100", "test");
    NodeSku node = catalog.node("h100_dgx", "test");
    RooflineParams params = calibration.params("h100", "h100_dgx");
    for (int tp : new int[] {1, 2, 4, 8}) {
      RooflineOps ops = new RooflineOps(new Deployment(model, sku, node, tp, 1), params);
      List<OpSamples> samples = new ArrayList<>(folder.mlp(model, "h100", tp));
      samples.addAll(folder.attention(model, "h100", tp));
      for (OpSamples s : samples) {
        assertTrue(s.size() > 0, s.op());
        assertMatches(ops, s);
      }
      if (tp > 1) {
        assertMatches(ops, folder.allReduce("h100_dgx", tp, model.embeddingDim()));
      }
    }
    assertMatches(
        new RooflineOps(new Deployment(model, sku, node, 1, 2), params),
        folder.sendRecv("h100_dgx", false, model.embeddingDim()));
    assertMatches(
        new RooflineOps(new Deployment(model, sku, node, 1, 16), params),
        folder.sendRecv("h100_dgx", true, model.embeddingDim()));
    OpSamples decode = folder.attention(model, "h100", 1).get(1);
    assertEquals(
        RooflineProfileWriter.decodeBatchSizes().length
            * RooflineProfileWriter.decodeKvLengths(8192).length,
        decode.size());
  }

  private static void assertMatches(RooflineOps ops, OpSamples s) {
    for (int i = 0; i < s.size(); i++) {
      double expected = ops.predictMs(s.op(), s.features()[i]);
      double actual = s.targetMs()[i];
      // 4 significant digits: within 0.05% of the prediction.
      assertEquals(expected, actual, expected * 5e-4, s.op() + " at " + s.features()[i][0]);
    }
  }

  @Test
  void opsAreMonotoneInTokensKvAndMessageSize() {
    write("Qwen/Qwen-72B", "a40");
    ProfileFolder folder = ProfileFolder.open(tmp);
    ModelSpec model = catalog.model("Qwen/Qwen-72B", "test");
    for (int tp : new int[] {1, 8}) {
      for (OpSamples s : folder.mlp(model, "a40", tp)) {
        assertMonotone(s, 0, -1);
      }
      List<OpSamples> attention = folder.attention(model, "a40", tp);
      OpSamples prefill = attention.get(0);
      assertMonotone(prefill, 1, 0); // in the chunk at each KV prefix
      assertMonotone(prefill, 0, 1); // in the KV prefix at each chunk
      OpSamples decode = attention.get(1);
      assertMonotone(decode, 0, 1);
      assertMonotone(decode, 1, 0);
      assertMonotone(attention.get(2), 0, -1);
    }
    assertMonotone(folder.allReduce("a40_pairwise_nvlink", 2, model.embeddingDim()), 0, -1);
    assertMonotone(folder.sendRecv("a40_pairwise_nvlink", true, model.embeddingDim()), 0, -1);
  }

  /** Non-decreasing in feature {@code along} among rows with equal feature {@code fixed}. */
  private static void assertMonotone(OpSamples s, int along, int fixed) {
    List<Integer> rows = new ArrayList<>();
    for (int i = 0; i < s.size(); i++) {
      rows.add(i);
    }
    double[][] x = s.features();
    rows.sort(
        Comparator.<Integer>comparingDouble(i -> fixed < 0 ? 0 : x[i][fixed])
            .thenComparingDouble(i -> x[i][along]));
    for (int k = 1; k < rows.size(); k++) {
      int a = rows.get(k - 1);
      int b = rows.get(k);
      if (fixed < 0 || x[a][fixed] == x[b][fixed]) {
        assertTrue(
            s.targetMs()[b] >= s.targetMs()[a],
            s.op() + " decreases from " + x[a][along] + " to " + x[b][along]);
      }
    }
  }

  @Test
  void gridsFollowTheReferenceWhereTheyShould() {
    int[] tokens = RooflineProfileWriter.tokenGrid(4096);
    assertEquals(1, tokens[0]);
    assertEquals(4096, tokens[tokens.length - 1]);
    assertEquals(
        16384,
        RooflineProfileWriter.tokenGrid(32768)[RooflineProfileWriter.tokenGrid(32768).length - 1]);
    long[] sizes = RooflineProfileWriter.messageSizes();
    assertEquals(993, sizes.length);
    assertEquals(2048, sizes[0]);
    assertEquals(64L << 20, sizes[sizes.length - 1]);
    assertEquals("0.01235", RooflineProfileWriter.format(0.0123456));
    assertEquals("1234", RooflineProfileWriter.format(1234.4));
    assertEquals("0.5", RooflineProfileWriter.format(0.5));
    assertEquals("0", RooflineProfileWriter.format(0));
  }
}
