package io.llmcap.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PresetTest {
  private static final Path TRACES =
      Path.of(System.getProperty("llmcap.shared", "../../shared"), "data", "traces");

  /** p50 and p90 of prompt and output lengths over {@code n} draws. */
  private static double[] quantiles(LengthGenerator g, int n) {
    int[] p = new int[n];
    int[] d = new int[n];
    for (int i = 0; i < n; i++) {
      Lengths l = g.next();
      p[i] = l.prefill();
      d[i] = l.decode();
    }
    return new double[] {quantile(p, 0.5), quantile(d, 0.5), quantile(p, 0.9), quantile(d, 0.9)};
  }

  private static double quantile(int[] values, double q) {
    int[] s = values.clone();
    Arrays.sort(s);
    return s[(int) Math.round(q * (s.length - 1))];
  }

  private static void assertWithin(double expected, double actual, double fraction, String what) {
    assertTrue(
        Math.abs(actual - expected) <= fraction * expected,
        what + ": expected " + expected + " ± " + (100 * fraction) + " %, got " + actual);
  }

  @Test
  void presetsAreNamedAndCarryTheirArrivalFits() {
    assertEquals(List.of("chat", "code", "summarization"), Preset.names());
    assertEquals(Preset.CODE, Preset.byName("code").orElseThrow());
    assertTrue(Preset.byName("Chat").isEmpty());
    assertEquals(1.0, Preset.SUMMARIZATION.arrivalCv());
    assertTrue(Double.isNaN(Preset.SUMMARIZATION.meanQps()));
    assertTrue(Preset.CHAT.meanQps() > 0 && Preset.CODE.arrivalCv() > 1);
  }

  /** Works without the traces: checks against the medians quoted in Preset's documentation. */
  @ParameterizedTest
  @CsvSource({"chat, 1020, 129", "code, 1469, 13", "summarization, 2730, 167"})
  void presetsReproduceTheirDocumentedMedians(String name, int p50, int d50) {
    double[] q = quantiles(Preset.byName(name).orElseThrow().lengths(1), 50_000);
    assertWithin(p50, q[0], 0.1, name + " prompt p50");
    assertWithin(d50, q[1], 0.1, name + " output p50");
  }

  @ParameterizedTest
  @CsvSource({
    "chat, splitwise_conv.csv",
    "code, splitwise_code.csv",
    "summarization, arxiv_summarization_stats_llama2_tokenizer_filtered_v2.csv"
  })
  void presetsReproduceTheirSourceTraces(String name, String file) throws IOException {
    Path path = TRACES.resolve(file);
    assumeTrue(Files.isReadable(path), "no shared traces at " + path.toAbsolutePath());
    List<String> lines = Files.readAllLines(path);
    List<String> header = Arrays.asList(lines.get(0).split(","));
    int pc = header.indexOf("num_prefill_tokens");
    int dc = header.indexOf("num_decode_tokens");
    int n = lines.size() - 1;
    int[] p = new int[n];
    int[] d = new int[n];
    for (int i = 0; i < n; i++) {
      String[] cells = lines.get(i + 1).split(",");
      p[i] = (int) Double.parseDouble(cells[pc]);
      d[i] = (int) Double.parseDouble(cells[dc]);
    }
    double[] fit = quantiles(Preset.byName(name).orElseThrow().lengths(2), 50_000);
    assertWithin(quantile(p, 0.5), fit[0], 0.1, name + " prompt p50");
    assertWithin(quantile(d, 0.5), fit[1], 0.1, name + " output p50");
    assertWithin(quantile(p, 0.9), fit[2], 0.1, name + " prompt p90");
    assertWithin(quantile(d, 0.9), fit[3], 0.1, name + " output p90");
  }

  @Test
  void normalCdfIsAccurate() {
    assertEquals(0.5, PresetLengths.phi(0), 1e-7);
    assertEquals(0.975002104851780, PresetLengths.phi(1.96), 1e-7);
    assertEquals(0.001349898031630, PresetLengths.phi(-3), 1e-7);
  }
}
