package io.llmcap.workload;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Lengths drawn from a CSV with {@code num_prefill_tokens} and {@code num_decode_tokens} columns
 * (others are ignored). Like the reference, each row is scaled, truncated to ints and fitted into
 * {@code maxTokens} proportionally, then the rows are shuffled and served in order.
 *
 * <p>When every row has been served the rows are reshuffled (the random stream continues, which
 * amounts to a seed derived from the first) and served again, so a workload may ask for more
 * requests than the file has. The reference returns None there and crashes.
 */
public final class TraceLengths implements LengthGenerator {
  private final int[] prefill;
  private final int[] decode;
  private final SplittableRandom random;
  private int next;

  public TraceLengths(
      Path path, double prefillScale, double decodeScale, int maxTokens, long seed) {
    List<Lengths> rows = new ArrayList<>();
    try (Csv csv = Csv.open(path)) {
      int p = csv.column("num_prefill_tokens");
      int d = csv.column("num_decode_tokens");
      while (csv.next()) {
        rows.add(
            LengthClip.proportional(
                (int) (csv.tokens(p) * prefillScale),
                (int) (csv.tokens(d) * decodeScale),
                maxTokens));
      }
      if (rows.isEmpty()) {
        throw csv.fileError("the trace has no data rows");
      }
    }
    prefill = rows.stream().mapToInt(Lengths::prefill).toArray();
    decode = rows.stream().mapToInt(Lengths::decode).toArray();
    random = new SplittableRandom(seed);
    shuffle();
  }

  /** Number of rows in the trace. */
  public int size() {
    return prefill.length;
  }

  @Override
  public Lengths next() {
    if (next == prefill.length) {
      shuffle();
    }
    Lengths lengths = new Lengths(prefill[next], decode[next]);
    next++;
    return lengths;
  }

  /** Fisher–Yates over both columns at once, so rows stay intact. */
  private void shuffle() {
    for (int i = prefill.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      swap(prefill, i, j);
      swap(decode, i, j);
    }
    next = 0;
  }

  private static void swap(int[] a, int i, int j) {
    int t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}
