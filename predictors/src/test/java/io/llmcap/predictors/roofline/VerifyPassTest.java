package io.llmcap.predictors.roofline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.timing.ExecutionTime;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A speculative verify pass (a decode of k + 1 tokens) is costed as a chunk over its KV prefix. */
class VerifyPassTest {
  @Test
  void verifyPassAttendsLikeAPrefillChunk() {
    RooflinePredictor p = Fixtures.predictor(Fixtures.llama7b(1, 1));
    int kv = 1000;
    Fixtures.Batch verify =
        new Fixtures.Batch(new int[] {5}, new int[] {kv}, new boolean[] {false});
    Fixtures.Batch chunk = Fixtures.prefill(5, kv);
    Fixtures.Batch decode = Fixtures.decodes(1, kv);
    assertTrue(verify.isVerify(0));
    ExecutionTime v = p.predict(verify, 0);
    assertEquals(p.predict(chunk, 0), v, "same cost as a 5-token chunk on the same prefix");
    assertEquals(0, v.attnDecode());
    assertTrue(v.attnPrefill() > 0);
    // a lone verify pass is memory-bound like a decode; a large batch of them is not
    int n = 128;
    int[] tokens = new int[n];
    int[] processed = new int[n];
    Arrays.fill(tokens, 5);
    Arrays.fill(processed, kv);
    Fixtures.Batch verifies = new Fixtures.Batch(tokens, processed, new boolean[n]);
    assertEquals(p.predict(decode, 0).totalSeconds(), v.totalSeconds(), 0.01 * v.totalSeconds());
    assertTrue(
        p.predict(verifies, 0).totalSeconds()
            > p.predict(Fixtures.decodes(n, kv), 0).totalSeconds(),
        "128 verify passes of 5 tokens cost more than 128 decodes");
  }
}
