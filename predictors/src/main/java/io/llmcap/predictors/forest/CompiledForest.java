package io.llmcap.predictors.forest;

import io.llmcap.predictors.model.OpRegressor;
import java.util.Arrays;
import java.util.List;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.Model;
import org.tribuo.common.tree.LeafNode;
import org.tribuo.common.tree.Node;
import org.tribuo.common.tree.SplitNode;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.rtree.IndependentRegressionTreeModel;

/**
 * Regression trees flattened into arrays: the tables predict hundreds of thousands of keys, and
 * Tribuo's per-example API (an {@code Example} and a sparse vector per row and tree) takes minutes
 * for what array walks do in seconds. Same rule as Tribuo's trees: go right when the feature is
 * greater than the split value; an absent feature reads as 0, as in Tribuo's sparse vectors.
 */
final class CompiledForest implements OpRegressor {
  private final int[] roots;
  // Per node: column of the split feature (-1 for a leaf), split value or leaf output, children.
  private final int[] column;
  private final double[] value;
  private final int[] lessOrEqual;
  private final int[] greater;

  private CompiledForest(int[] roots, int[] column, double[] value, int[] le, int[] gt) {
    this.roots = roots;
    this.column = column;
    this.value = value;
    this.lessOrEqual = le;
    this.greater = gt;
  }

  static CompiledForest of(List<Model<Regressor>> trees, String[] featureNames) {
    Builder b = new Builder();
    int[] roots = new int[trees.size()];
    for (int t = 0; t < trees.size(); t++) {
      // CART regression makes one tree per output dimension; ours have one dimension, the time.
      IndependentRegressionTreeModel tree = (IndependentRegressionTreeModel) trees.get(t);
      ImmutableFeatureMap domain = tree.getFeatureIDMap();
      int[] columnOfId = new int[domain.size()];
      for (int id = 0; id < columnOfId.length; id++) {
        columnOfId[id] = Arrays.asList(featureNames).indexOf(domain.get(id).getName());
      }
      roots[t] = b.add(tree.getRoots().values().iterator().next(), columnOfId);
    }
    return new CompiledForest(
        roots,
        Arrays.copyOf(b.column, b.size),
        Arrays.copyOf(b.value, b.size),
        Arrays.copyOf(b.le, b.size),
        Arrays.copyOf(b.gt, b.size));
  }

  @Override
  public double[] predict(double[][] rows) {
    double[] out = new double[rows.length];
    for (int r = 0; r < rows.length; r++) {
      double[] x = rows[r];
      double sum = 0;
      for (int root : roots) {
        int n = root;
        while (column[n] >= 0) {
          n = x[column[n]] > value[n] ? greater[n] : lessOrEqual[n];
        }
        sum += value[n];
      }
      out[r] = sum / roots.length;
    }
    return out;
  }

  private static final class Builder {
    int size;
    int[] column = new int[1024];
    double[] value = new double[1024];
    int[] le = new int[1024];
    int[] gt = new int[1024];

    int add(Node<Regressor> node, int[] columnOfId) {
      int i = size++;
      if (i == column.length) {
        column = Arrays.copyOf(column, 2 * i);
        value = Arrays.copyOf(value, 2 * i);
        le = Arrays.copyOf(le, 2 * i);
        gt = Arrays.copyOf(gt, 2 * i);
      }
      if (node instanceof SplitNode<Regressor> split) {
        int col = columnOfId[split.getFeatureID()];
        if (col < 0) {
          throw new IllegalStateException("tree splits on a feature the samples do not have");
        }
        column[i] = col;
        value[i] = split.splitValue();
        int left = add(split.getLessThanOrEqual(), columnOfId);
        int right = add(split.getGreaterThan(), columnOfId);
        le[i] = left;
        gt[i] = right;
      } else {
        column[i] = -1;
        value[i] = ((LeafNode<Regressor>) node).getOutput().getValues()[0];
      }
      return i;
    }
  }
}
