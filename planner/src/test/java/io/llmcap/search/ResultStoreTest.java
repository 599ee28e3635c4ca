package io.llmcap.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.base.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-deployment result files behind {@code --resume}: whole, keyed by id, exact. */
class ResultStoreTest {
  static final String SPACE = "name: s\n";
  static final List<String> IDS = List.of("bbb", "aaa", "ccc");

  @TempDir Path tmp;

  /** A result with NaN metrics, nulls and awkward doubles, which must come back bit for bit. */
  static DeploymentSearch.Result result(String id, double maxQps) {
    DeploymentResult d =
        new DeploymentResult(
            id,
            settings(
                "model",
                "m/x",
                "workload",
                "chat",
                "sku",
                "a100",
                "node",
                "n",
                "tp",
                1,
                "pp",
                1,
                "replicas",
                2,
                "scheduler",
                "vllm",
                "chunk_size",
                null,
                "max_tokens_in_batch",
                4096,
                "batch_size_cap",
                64,
                "speculative_method",
                null,
                "num_speculative_tokens",
                null,
                "acceptance_rate",
                null),
            new DeploymentMetrics(
                2,
                4.42,
                maxQps,
                maxQps * 0.9,
                maxQps * 1.1,
                maxQps / 4.42,
                maxQps == 0 ? "ttft_p90" : null,
                false,
                true,
                0.1 + 0.2,
                Double.NaN,
                1e-300,
                Double.MIN_VALUE,
                0.06328931888004874,
                0,
                0,
                0,
                0,
                0,
                0,
                1.0 / 3,
                0.5,
                0.25,
                12.5,
                7,
                1234567890123L,
                1.5,
                "fp8",
                "bf16",
                4,
                "coreweave-2024-02"));
    ProbeResult p =
        new ProbeResult(id, 0, 42L, maxQps, true, null, 0.3, 0.01, 0.02, 0.0, 100, 30.5, false);
    return new DeploymentSearch.Result(d, List.of(p));
  }

  @Test
  void savesEachDeploymentOnceAndReadsItBackExactly() {
    ResultStore store = ResultStore.open(tmp.resolve("r"), SPACE, IDS, ResultStore.Mode.NEW);
    assertTrue(store.created());
    assertEquals(Set.of(), store.finished());
    store.save(result("ccc", 3));
    // a retried task delivers the same deployment again: it replaces, never adds
    store.save(result("ccc", 3));
    store.save(result("aaa", 0));
    assertEquals(Set.of("aaa", "ccc"), store.finished());
    store.save(result("bbb", 16));
    assertEquals(
        List.of(result("aaa", 0), result("bbb", 16), result("ccc", 3)),
        store.readAll(),
        "in deployment-id order, equal to what was saved (NaN included)");
    try (Stream<Path> s = Files.list(store.dir().resolve("parts"))) {
      assertEquals(4, s.count(), "three parts and the index, no temporaries");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThrows(IllegalArgumentException.class, () -> store.save(result("zzz", 1)));
  }

  @Test
  void resumeSeesWhatAKilledRunSavedAndIgnoresItsDebris() throws IOException {
    Path dir = tmp.resolve("r");
    ResultStore.open(dir, SPACE, IDS, ResultStore.Mode.NEW).save(result("aaa", 1));
    // what a kill can leave: a temporary part never renamed, a stage never published
    Files.writeString(dir.resolve("parts/.bbb.json123.tmp"), "{\"deploym");
    Files.createDirectories(dir.resolve(".final-tmp-1/deployments"));

    ResultStore again = ResultStore.open(dir, SPACE, IDS, ResultStore.Mode.RESUME);
    assertFalse(again.created());
    assertEquals(Set.of("aaa"), again.finished());
    again.cleanup();
    assertFalse(Files.exists(dir.resolve("parts/.bbb.json123.tmp")));
    assertFalse(Files.exists(dir.resolve(".final-tmp-1")));
    again.save(result("bbb", 2));
    again.save(result("ccc", 3));
    assertEquals(result("aaa", 1), again.readAll().get(0), "the killed run's result is kept");
  }

  /** A part file of the flat row shape (before the dimensions) is searched again on resume. */
  @Test
  void aPartOfAnotherShapeIsNotFinished() throws IOException {
    Path dir = tmp.resolve("r");
    ResultStore.open(dir, SPACE, IDS, ResultStore.Mode.NEW).save(result("aaa", 1));
    Files.writeString(
        dir.resolve("parts/bbb.json"),
        "{\"deployment\":{\"deploymentId\":\"bbb\",\"model\":\"m/x\",\"tp\":1},"
            + "\"probes\":[]}");
    assertEquals(
        Set.of("aaa"), ResultStore.open(dir, SPACE, IDS, ResultStore.Mode.RESUME).finished());
  }

  @Test
  void anExistingFolderIsRefusedReplacedOrResumedOnlyForTheSameSearch() {
    Path dir = tmp.resolve("r");
    ResultStore.open(dir, SPACE, IDS, ResultStore.Mode.NEW).save(result("aaa", 1));

    ConfigException refused =
        assertThrows(
            ConfigException.class, () -> ResultStore.open(dir, SPACE, IDS, ResultStore.Mode.NEW));
    assertTrue(
        refused.getMessage().contains("--resume") && refused.getMessage().contains("--force"));
    ConfigException other =
        assertThrows(
            ConfigException.class,
            () -> ResultStore.open(dir, "name: t\n", IDS, ResultStore.Mode.RESUME));
    assertTrue(other.getMessage().contains("differs"), other.getMessage());
    ConfigException sample =
        assertThrows(
            ConfigException.class,
            () -> ResultStore.open(dir, SPACE, IDS.subList(0, 2), ResultStore.Mode.RESUME));
    assertTrue(sample.getMessage().contains("lists 3 deployments, not the 2"), sample.getMessage());

    ResultStore fresh = ResultStore.open(dir, SPACE, IDS, ResultStore.Mode.FORCE);
    assertTrue(fresh.created());
    assertEquals(Set.of(), fresh.finished(), "--force starts over");
  }

  @Test
  void publishReplacesOlderOutputs() throws IOException {
    ResultStore store = ResultStore.open(tmp.resolve("r"), SPACE, IDS, ResultStore.Mode.NEW);
    Path first = store.stage();
    Files.writeString(first.resolve("deployments.csv"), "old\n");
    store.publish(first);
    Path second = store.stage();
    Files.writeString(second.resolve("deployments.csv"), "new\n");
    Files.createDirectories(second.resolve("report"));
    store.publish(second);
    assertEquals("new\n", Files.readString(store.dir().resolve("deployments.csv")));
    try (Stream<Path> s = Files.list(store.dir())) {
      assertEquals(
          List.of("deployments.csv", "parts", "report", "search.yml"),
          s.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  /** Column name, value, ...: a row's dimension cells. */
  static java.util.Map<String, Object> settings(Object... kv) {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
