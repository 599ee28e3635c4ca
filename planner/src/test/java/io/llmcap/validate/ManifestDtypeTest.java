package io.llmcap.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.Precision;
import io.llmcap.engine.Simulation;
import io.llmcap.setup.ConfigLoader;
import io.llmcap.validate.Validation.Outcome;
import io.llmcap.validate.Validation.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manifest's {@code dtype} and optional {@code kv_cache_dtype} columns (issue 14): vLLM's and
 * Hugging Face's names ({@code float16}, {@code bfloat16}, {@code fp8}, {@code fp8_e5m2}, ...) map
 * onto {@code cluster.dtype} and {@code cluster.kv_cache_dtype}; a value llmcap does not know fails
 * its row naming the column, and a known format it does not model is unsupported, naming it too.
 */
class ManifestDtypeTest {
  private static final Catalog CATALOG = Catalog.builtin();
  private static final String HEADER =
      "id,engine,model,gpu,node,tp,dtype,kv_cache_dtype,arrival,rate,num_requests,input_tokens,"
          + "output_tokens,e2e_mean_ms\n";

  /** A Llama-3-8B row on one H100 with these formats (blank: absent), 20 requests. */
  private static String row(String id, String dtype, String kv) {
    return id
        + ",vllm,meta-llama/Meta-Llama-3-8B,h100,h100_dgx,1,"
        + dtype
        + ","
        + kv
        + ",constant,4,20,300,30,500\n";
  }

  private static Manifest manifest(Path dir, String rows) throws IOException {
    return Manifest.read(Files.writeString(dir.resolve("m.csv"), HEADER + rows));
  }

  /** The deployment the row's config resolves to. */
  private static Deployment deployment(ManifestRow row) {
    return Simulation.prepare(ConfigLoader.bind(RowConfig.of(row, CATALOG)), CATALOG, Path.of("."))
        .deployment();
  }

  @Test
  void formatsMapOntoTheRunConfig(@TempDir Path dir) throws IOException {
    List<ManifestRow> rows =
        manifest(
                dir,
                row("blank", "", "")
                    + row("auto", "auto", "auto")
                    + row("half", "float16", "")
                    + row("bf", "bfloat16", "")
                    + row("fp8", "fp8", "")
                    + row("fp8kv", "FP8", "fp8")
                    + row("e5m2", "bf16", "fp8_e5m2")
                    + row("awq", "awq", "float16"))
            .rows();
    // blank and auto: the checkpoint's own weights (bf16 here), KV in the same 16 bits
    Precision[][] expected = {
      {Precision.BF16, Precision.BF16},
      {Precision.BF16, Precision.BF16},
      {Precision.FP16, Precision.FP16},
      {Precision.BF16, Precision.BF16},
      {Precision.FP8, Precision.BF16}, // vLLM's auto KV cache: the activations' 16 bits
      {Precision.FP8, Precision.FP8},
      {Precision.BF16, Precision.FP8}, // every fp8 variant of --kv-cache-dtype stores one byte
      {Precision.INT4, Precision.FP16}
    };
    for (int i = 0; i < rows.size(); i++) {
      Deployment d = deployment(rows.get(i));
      assertEquals(expected[i][0], d.weights(), rows.get(i).id());
      assertEquals(expected[i][1], d.kvCache(), rows.get(i).id());
    }
    assertTrue(
        RowConfig.of(rows.get(0), CATALOG).at("/cluster/dtype").isNull(),
        "a blank dtype leaves cluster.dtype at its default");
  }

  @Test
  void badAndUnmodelledFormatsAreOneReasonNamingTheColumn(@TempDir Path dir) throws IOException {
    Manifest m =
        manifest(
            dir,
            row("ok16", "float16", "")
                + row("ok8", "fp8", "fp8")
                + row("banana", "banana", "")
                + row("kvbad", "bf16", "float9")
                + row("kvint4", "bf16", "int4")
                + row("fp32", "float32", ""));
    List<Outcome> out =
        new Validation(CATALOG, List.of("predictor.type=roofline"), dir).run(m.rows(), o -> {});
    assertEquals(Status.ok, out.get(0).status(), out.get(0).reason());
    assertEquals(Status.ok, out.get(1).status(), out.get(1).reason());
    assertTrue(out.get(1).predicted().get(Metric.E2E_MEAN) > 0, "the fp8 row was simulated");
    assertEquals(Status.failed, out.get(2).status());
    assertEquals(
        "dtype: 'banana' is not a format llmcap knows; allowed: auto, float16/fp16,"
            + " bfloat16/bf16, fp8, int4 (awq, gptq), nvfp4, mxfp4",
        out.get(2).reason());
    assertEquals(Status.failed, out.get(3).status());
    assertTrue(
        out.get(3).reason().startsWith("kv_cache_dtype: 'float9' is not a format llmcap knows"),
        out.get(3).reason());
    assertEquals(Status.unsupported, out.get(4).status());
    assertEquals(
        "kv_cache_dtype 'int4': only 16-bit and fp8 KV caches are modelled", out.get(4).reason());
    assertEquals(Status.unsupported, out.get(5).status());
    assertEquals("dtype 'float32': 32-bit weights are not modelled", out.get(5).reason());
  }
}
