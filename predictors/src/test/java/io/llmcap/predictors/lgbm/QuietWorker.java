package io.llmcap.predictors.lgbm;

/**
 * A second JVM for {@link LightGbmTrainerTest}: trains, predicts and trains again, so that anything
 * LightGBM's native code prints to stdout shows up in this process's output.
 */
public final class QuietWorker {
  private QuietWorker() {}

  public static void main(String[] args) {
    LightGbmTrainer trainer = new LightGbmTrainer();
    trainer.train(Synthetic.gemm()).predict(new double[][] {{1}, {100}});
    trainer.train(Synthetic.gemm());
    System.out.println("ok");
  }
}
