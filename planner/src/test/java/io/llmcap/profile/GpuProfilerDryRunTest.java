package io.llmcap.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.predictors.profile.ProfileFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU profiler's {@code --dry-run} (scripts/profile-gpu/profile_gpu.py), which needs neither a
 * GPU nor PyTorch: its plan is self-consistent, and the files it would write (written with empty
 * times by {@code --write-plan}) have the columns, shape values, TP degrees and folder layout that
 * llmcap's profile reader selects, so that measured files load as soon as they hold times.
 */
class GpuProfilerDryRunTest {
  private static final Pattern TOTAL =
      Pattern.compile("^total: (\\d+) measurements in (\\d+) rows");
  private static final Pattern MLP =
      Pattern.compile("^  mlp\\.csv: (\\d+) rows x (\\d+) ops = (\\d+) measurements$");
  private static final Pattern ATTENTION =
      Pattern.compile(
          "^  attention\\.csv: (\\d+) decode \\+ (\\d+) prefill rows x 2 ops = (\\d+) measurements$");
  private static final Pattern TOKENS = Pattern.compile("^  num_tokens \\((\\d+)\\): (.*)$");

  @TempDir Path tmp;

  private static Path root;
  private static Path script;

  @BeforeAll
  static void needsPython() {
    String p = System.getProperty("llmcap.root");
    root = p != null ? Path.of(p) : Path.of("").toAbsolutePath().getParent();
    script = root.resolve("scripts/profile-gpu/profile_gpu.py");
    assertTrue(Files.isRegularFile(script), script + " missing");
    boolean python;
    try {
      python = new Result(List.of("python3", "--version")).status == 0;
    } catch (UncheckedIOException e) {
      python = false;
    }
    Assumptions.assumeTrue(python, "python3 is not installed");
  }

  /** One finished run of a command: exit status, stdout and stderr. */
  private static final class Result {
    final int status;
    final String out;
    final String err;

    Result(List<String> command) {
      try {
        Path o = Files.createTempFile("profiler", ".out");
        Path e = Files.createTempFile("profiler", ".err");
        try {
          Process proc =
              new ProcessBuilder(command)
                  .directory(root.toFile())
                  .redirectOutput(o.toFile())
                  .redirectError(e.toFile())
                  .start();
          if (!proc.waitFor(60, TimeUnit.SECONDS)) {
            proc.destroyForcibly();
            throw new AssertionError("timed out: " + command);
          }
          status = proc.exitValue();
          out = Files.readString(o, StandardCharsets.UTF_8);
          err = Files.readString(e, StandardCharsets.UTF_8);
        } finally {
          Files.deleteIfExists(o);
          Files.deleteIfExists(e);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static Result profiler(String... args) {
    List<String> cmd = new ArrayList<>(List.of("python3", script.toString()));
    cmd.addAll(Arrays.asList(args));
    return new Result(cmd);
  }

  private static List<String> dataRows(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    return lines.subList(1, lines.size());
  }

  /**
   * Runs the dry run with --list and --write-plan and checks the printout against itself and the
   * files; returns the planned rows of each file per TP degree, {mlp, attention}.
   */
  private List<int[]> checkPlan(String model, List<Integer> tps, String... tpArgs)
      throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--dry-run",
                "--list",
                "--model",
                model,
                "--sku",
                "h200",
                "--write-plan",
                tmp.toString()));
    for (String tp : tpArgs) {
      args.add("--tp");
      args.add(tp);
    }
    Result r = profiler(args.toArray(new String[0]));
    assertEquals(0, r.status, r.err);
    assertEquals("", r.err);
    List<String> lines = r.out.lines().toList();

    long listed = lines.stream().filter(l -> l.startsWith("  measure ")).count();
    int total = -1;
    int totalRows = -1;
    int sum = 0;
    int rows = 0;
    List<int[]> perTp = new ArrayList<>();
    int tokenCount = -1;
    for (String l : lines) {
      Matcher m;
      if ((m = TOKENS.matcher(l)).matches()) {
        tokenCount = Integer.parseInt(m.group(1));
        assertEquals(tokenCount, m.group(2).split(" ").length, l);
      } else if ((m = MLP.matcher(l)).matches()) {
        int n = Integer.parseInt(m.group(1));
        assertEquals(tokenCount, n, "mlp rows = the printed num_tokens: " + l);
        assertEquals(n * Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), l);
        sum += Integer.parseInt(m.group(3));
        rows += n;
        perTp.add(new int[] {n, 0});
      } else if ((m = ATTENTION.matcher(l)).matches()) {
        int n = Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(2));
        assertEquals(2 * n, Integer.parseInt(m.group(3)), l);
        sum += Integer.parseInt(m.group(3));
        rows += n;
        perTp.get(perTp.size() - 1)[1] = n;
      } else if ((m = TOTAL.matcher(l)).find()) {
        total = Integer.parseInt(m.group(1));
        totalRows = Integer.parseInt(m.group(2));
      }
    }
    assertEquals(tps.size(), perTp.size(), r.out);
    assertTrue(total > 0, r.out);
    assertEquals(sum, total, "the per-file counts add up to the total");
    assertEquals(total, listed, "--list prints one line per measurement");
    assertEquals(rows, totalRows);
    for (int tp : tps) {
      assertTrue(
          lines.stream().anyMatch(l -> l.startsWith("  measure mlp TP" + tp + " mlp_up_proj ")),
          "TP" + tp + " listed");
    }

    // The written plan has the planned rows, in the layout and format the reader takes.
    Path dir = tmp.resolve("h200").resolve(model);
    int mlpRows = perTp.stream().mapToInt(a -> a[0]).sum();
    int attentionRows = perTp.stream().mapToInt(a -> a[1]).sum();
    assertEquals(mlpRows, dataRows(dir.resolve("mlp.csv")).size());
    assertEquals(attentionRows, dataRows(dir.resolve("attention.csv")).size());
    List<String> mlpHeader =
        List.of(Files.readAllLines(dir.resolve("mlp.csv")).get(0).split(",", -1));
    for (String op : ProfileFolder.MLP_OPS) {
      assertTrue(mlpHeader.contains("time_stats." + op + ".median"), op);
    }
    return perTp;
  }

  /**
   * The reader finds the planned files, selects rows for the model and TP degree (its columns and
   * shape filter pass) and stops only because the times are still empty.
   */
  private void assertReaderSelects(String model, int tp) {
    ModelSpec spec = Catalog.builtin().model(model, "model");
    ProfileFolder folder = ProfileFolder.open(tmp);
    ConfigException mlp =
        assertThrows(ConfigException.class, () -> folder.mlp(spec, "h200", tp), "mlp TP" + tp);
    assertTrue(
        mlp.getMessage().contains("no rows with a attn_pre_proj time")
            && mlp.getMessage().contains("num_tensor_parallel_workers=" + tp),
        mlp.getMessage());
    ConfigException attention =
        assertThrows(
            ConfigException.class, () -> folder.attention(spec, "h200", tp), "attention TP" + tp);
    assertTrue(
        attention.getMessage().contains("no rows with a attn_prefill time")
            && attention.getMessage().contains("num_tensor_parallel_workers=" + tp),
        attention.getMessage());
  }

  @Test
  void llama3At8bTp1() throws IOException {
    List<int[]> rows = checkPlan("meta-llama/Meta-Llama-3-8B", List.of(1), "1");
    assertTrue(rows.get(0)[0] > 100 && rows.get(0)[1] > 300, "default grid sizes");
    assertReaderSelects("meta-llama/Meta-Llama-3-8B", 1);
  }

  @Test
  void llama2At70bTp2To8() throws IOException {
    checkPlan("meta-llama/Llama-2-70b-hf", List.of(2, 4, 8), "2", "4,8");
    for (int tp : new int[] {2, 4, 8}) {
      assertReaderSelects("meta-llama/Llama-2-70b-hf", tp);
    }
    ModelSpec spec = Catalog.builtin().model("meta-llama/Llama-2-70b-hf", "model");
    ConfigException tp1 =
        assertThrows(ConfigException.class, () -> ProfileFolder.open(tmp).mlp(spec, "h200", 1));
    assertTrue(tp1.getMessage().contains("at TP 2, 4, 8 only"), tp1.getMessage());
  }

  @Test
  void unknownModelIsOneErrorLineWithStatusTwo() {
    Result r = profiler("--dry-run", "--model", "meta-llama/No-Such-Model", "--sku", "h200");
    assertEquals(2, r.status);
    assertEquals("", r.out);
    List<String> err = r.err.lines().toList();
    assertEquals(1, err.size(), r.err);
    assertTrue(err.get(0).startsWith("error: --model: unknown model 'meta-llama/No-Such-Model'"));
    assertTrue(err.get(0).contains("Qwen/Qwen-2-7B"), "names the allowed models");
  }

  @Test
  void badTpAndMissingSkuAreErrorsToo() {
    Result tp = profiler("--dry-run", "--model", "Qwen/Qwen-2-7B", "--sku", "h200", "--tp", "3");
    assertEquals(2, tp.status);
    assertEquals(1, tp.err.lines().count(), tp.err);
    assertTrue(tp.err.startsWith("error: --tp: 3 does not divide"), tp.err);
    Result sku = profiler("--dry-run", "--model", "Qwen/Qwen-2-7B");
    assertEquals(2, sku.status);
    assertEquals(1, sku.err.lines().count(), sku.err);
    assertTrue(sku.err.startsWith("error: "), sku.err);
  }
}
