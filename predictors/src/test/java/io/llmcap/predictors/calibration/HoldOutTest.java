package io.llmcap.predictors.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.llmcap.timing.Operator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HoldOutTest {
  private static Rows.Sample row(double... x) {
    return new Rows.Sample(Operator.ADD, x, 1, false);
  }

  @Test
  void everyFifthDistinctFeatureVectorFromTheThirdIsHeldOutAcrossGroups() {
    // Distinct values 1..10 spread over two deployments, some repeated, out of order.
    Rows a = new Rows(p -> null, List.of(row(10), row(3), row(1), row(3), row(8)));
    Rows b = new Rows(p -> null, List.of(row(2), row(4), row(5), row(6), row(7), row(9)));
    List<Rows> split = HoldOut.split(List.of(a, b));
    List<Double> held = new ArrayList<>();
    for (Rows r : split) {
      for (Rows.Sample s : r.samples()) {
        if (s.test()) {
          held.add(s.x()[0]);
        }
      }
    }
    // sorted 1..10: indices 2 and 7 are 3 and 8; both rows of 3 are held out
    assertEquals(List.of(3.0, 3.0, 8.0), held.stream().sorted().toList());
    assertEquals(5, split.get(0).samples().size(), "rows kept, in order");
    assertEquals(10.0, split.get(0).samples().get(0).x()[0]);
  }

  @Test
  void vectorsCompareLexicographically() {
    Rows r =
        new Rows(
            p -> null, List.of(row(2, 1), row(1, 9), row(1, 2), row(2, 0), row(1, 5), row(3, 0)));
    List<Rows.Sample> s = HoldOut.split(List.of(r)).get(0).samples();
    // sorted: (1,2) (1,5) (1,9) (2,0) (2,1) (3,0): the third, (1,9), is held out
    for (Rows.Sample x : s) {
      assertEquals(x.x()[0] == 1 && x.x()[1] == 9, x.test(), x.x()[0] + "," + x.x()[1]);
    }
  }
}
