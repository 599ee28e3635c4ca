package io.llmcap.predictors.profile;

/**
 * Training rows for one operator, as selected from a profile: feature columns (named as in the
 * reference, e.g. {@code num_tokens}, or {@code batch_size, kv_cache_size}) and the median time in
 * milliseconds. {@code source} names the file and filter the rows came from, for error messages and
 * provenance.
 */
public record OpSamples(
    String op, String[] featureNames, double[][] features, double[] targetMs, String source) {

  public int size() {
    return targetMs.length;
  }
}
