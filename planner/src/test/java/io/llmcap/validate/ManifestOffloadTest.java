package io.llmcap.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.llmcap.catalog.Catalog;
import io.llmcap.setup.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manifest's {@code cpu_kv_offload_gib} column (vLLM's {@code --kv-offloading-size}) maps onto
 * {@code scheduler.cpu_offload_gib}, the host-memory KV tier per replica: blank and 0 are no tier,
 * a negative size fails its row naming the column.
 */
class ManifestOffloadTest {
  private static final Catalog CATALOG = Catalog.builtin();

  @Test
  void offloadSizeMapsOntoTheRunConfig(@TempDir Path dir) throws IOException {
    String header =
        "id,engine,model,gpu,tp,cpu_kv_offload_gib,arrival,rate,num_requests,input_tokens,"
            + "output_tokens\n";
    StringBuilder rows = new StringBuilder(header);
    for (String gib : List.of("", "0", "8", "0.5", "-1")) {
      rows.append("r")
          .append(gib)
          .append(",vllm,meta-llama/Meta-Llama-3-8B,h100,1,")
          .append(gib)
          .append(",constant,4,20,300,30\n");
    }
    List<ManifestRow> r = Manifest.read(Files.writeString(dir.resolve("m.csv"), rows)).rows();
    double[] expected = {0, 0, 8, 0.5};
    for (int i = 0; i < expected.length; i++) {
      assertEquals(
          expected[i],
          ConfigLoader.bind(RowConfig.of(r.get(i), CATALOG)).scheduler().cpuOffloadGib(),
          r.get(i).id());
    }
    ManifestRow.RowError e =
        assertThrows(ManifestRow.RowError.class, () -> RowConfig.of(r.get(4), CATALOG));
    assertEquals("cpu_kv_offload_gib: '-1' must be ≥ 0 (0: off)", e.getMessage());
  }
}
