package io.llmcap.predictors;

import io.llmcap.catalog.Deployment;
import io.llmcap.config.ConfigException;
import io.llmcap.config.SimulationConfig;
import io.llmcap.config.SimulationConfig.PredictorConfig;
import io.llmcap.predictors.lgbm.CachingTrainer;
import io.llmcap.predictors.lgbm.LightGbmTrainer;
import io.llmcap.predictors.lgbm.ModelCache;
import io.llmcap.predictors.model.OpTrainer;
import io.llmcap.predictors.profile.OpSamples;
import io.llmcap.predictors.profile.ProfileFolder;
import io.llmcap.predictors.roofline.RooflinePredictor;
import io.llmcap.predictors.table.OpTables;
import io.llmcap.predictors.table.ProfilePredictor;
import io.llmcap.predictors.table.TableLimits;
import io.llmcap.timing.ExecutionTimePredictor;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Builds the execution-time predictor a config asks for:
 *
 * <ul>
 *   <li>{@code roofline}: the built-in roofline model, no profiles needed;
 *   <li>{@code lightgbm}: one LightGBM regressor per operator trained on the profiles in {@code
 *       predictor.profiles} (default: the roofline profiles shipped in {@code profiles/roofline/}),
 *       tabulated and cached on disk ({@link ModelCache}: models by {@link CachingTrainer}, tables
 *       in namespace {@value #TABLES}).
 * </ul>
 *
 * <p>{@code predictor.profiles} is one folder in the reference layout, or several separated by
 * {@link File#pathSeparator} ({@code :} on Unix): each profile file is taken from the first folder
 * that has it, so {@code measured:synthetic-attention} completes measured MLP and network profiles
 * with attention profiles from another folder. Relative folders resolve against the config file's
 * folder.
 */
public final class Predictors {
  public static final String ROOFLINE = "roofline";
  public static final String LIGHTGBM = "lightgbm";
  private static final List<String> TYPES = List.of(ROOFLINE, LIGHTGBM);
  static final String TABLES = "tables";
  private static final Path SHIPPED = Path.of("profiles", "roofline");

  private Predictors() {}

  public static void check(PredictorConfig config) {
    if (!TYPES.contains(config.type())) {
      throw ConfigException.unknown("predictor.type", "predictor", config.type(), TYPES);
    }
  }

  /**
   * The predictor of a whole config: its table limits follow the workload and scheduler ({@link
   * TableLimits#of}); relative profile folders resolve against {@code baseDir}.
   */
  public static ExecutionTimePredictor create(
      SimulationConfig config, Deployment deployment, Path baseDir) {
    return create(config.predictor(), deployment, TableLimits.of(config), baseDir);
  }

  /**
   * For callers without a whole config: tables reach the reference's 16k-context limits ({@link
   * TableLimits#DEFAULT}) and relative profile folders resolve against the working directory.
   */
  public static ExecutionTimePredictor create(PredictorConfig config, Deployment deployment) {
    return create(config, deployment, TableLimits.DEFAULT, Path.of(""));
  }

  private static ExecutionTimePredictor create(
      PredictorConfig config, Deployment deployment, TableLimits limits, Path baseDir) {
    check(config);
    if (ROOFLINE.equals(config.type())) {
      return RooflinePredictor.calibrated(deployment);
    }
    ProfileFolder folder = ProfileFolder.overlay(profileRoots(config.profiles(), baseDir));
    return lightGbm(folder, deployment, limits, ModelCache.atDefaultRoot());
  }

  /** LightGBM tables over {@code folder}, from {@code cache} when an earlier run built them. */
  public static ProfilePredictor lightGbm(
      ProfileFolder folder, Deployment deployment, TableLimits limits, ModelCache cache) {
    List<OpSamples> samples = folder.forDeployment(deployment);
    LightGbmTrainer lightGbm = new LightGbmTrainer();
    // Trained models are cached too, so tables of other limits reuse them.
    OpTrainer trainer = new CachingTrainer(lightGbm, cache);
    String key =
        OpTables.key(
            "lightgbm " + lightGbm.settings().fingerprint(),
            samples,
            deployment.model(),
            deployment.tp(),
            deployment.pp(),
            deployment.node().name(),
            limits);
    OpTables tables =
        cache.getOrBuild(
            TABLES,
            key,
            () -> OpTables.build(trainer, samples, limits),
            new ModelCache.Codec<>() {
              @Override
              public void write(OpTables value, OutputStream out) throws IOException {
                value.write(out);
              }

              @Override
              public OpTables read(InputStream in) throws IOException {
                return OpTables.read(in);
              }
            });
    String roots = folder.roots().stream().map(Path::toString).collect(Collectors.joining(" + "));
    return new ProfilePredictor(deployment, tables, "lightgbm on profiles in " + roots);
  }

  /** The folders named by {@code predictor.profiles}, or the shipped roofline profiles. */
  static List<Path> profileRoots(String profiles, Path baseDir) {
    if (profiles == null || profiles.isBlank()) {
      return List.of(shippedRooflineProfiles());
    }
    List<Path> roots = new ArrayList<>();
    for (String p : profiles.split(Pattern.quote(File.pathSeparator))) {
      if (!p.isBlank()) {
        roots.add(baseDir.resolve(p.trim()));
      }
    }
    return roots;
  }

  /**
   * The {@code profiles/roofline/} folder of this installation: found above the code's location (a
   * checkout's {@code <module>/target/} jar or classes), else above the working directory.
   */
  public static Path shippedRooflineProfiles() {
    List<Path> starts = new ArrayList<>();
    try {
      starts.add(
          Path.of(Predictors.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
    } catch (URISyntaxException | SecurityException | NullPointerException e) {
      // no code location: fall back to the working directory alone
    }
    starts.add(Path.of("").toAbsolutePath());
    for (Path start : starts) {
      for (Path dir = start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
        if (Files.isDirectory(dir.resolve(SHIPPED))) {
          return dir.resolve(SHIPPED);
        }
      }
    }
    throw new ConfigException(
        "predictor.profiles",
        "no shipped roofline profiles (profiles/roofline/) above "
            + starts.stream().map(Path::toString).collect(Collectors.joining(" or "))
            + "; set predictor.profiles to a profile folder, or use predictor.type roofline");
  }
}
