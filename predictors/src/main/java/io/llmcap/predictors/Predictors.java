package io.llmcap.predictors;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Deployment;
import io.llmcap.config.SimulationConfig;
import io.llmcap.config.SimulationConfig.PredictorConfig;
import io.llmcap.config.SimulationConfig.SchedulerConfig;
import io.llmcap.engine.Simulation;
import io.llmcap.plugin.Registry;
import io.llmcap.predictors.engine.EngineCostPredictor;
import io.llmcap.predictors.engine.ServingParams;
import io.llmcap.predictors.forest.RandomForestTrainer;
import io.llmcap.predictors.lgbm.CachingTrainer;
import io.llmcap.predictors.lgbm.LightGbmTrainer;
import io.llmcap.predictors.lgbm.ModelCache;
import io.llmcap.predictors.model.OpTrainer;
import io.llmcap.predictors.profile.OpSamples;
import io.llmcap.predictors.profile.ProfileFolder;
import io.llmcap.predictors.roofline.RooflineCalibration;
import io.llmcap.predictors.roofline.RooflineParams;
import io.llmcap.predictors.roofline.RooflinePredictor;
import io.llmcap.predictors.table.OpTables;
import io.llmcap.predictors.table.ProfilePredictor;
import io.llmcap.predictors.table.TableLimits;
import io.llmcap.scheduler.Schedulers;
import io.llmcap.timing.EngineFeatures;
import io.llmcap.timing.ExecutionTimePredictor;
import io.llmcap.timing.PredictorContext;
import io.llmcap.timing.PredictorProvider;
import io.llmcap.timing.PredictorRegistry;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Builds the execution-time predictor a config asks for, by name through {@link PredictorRegistry}.
 * The built-ins, registered in this module's {@code
 * META-INF/services/io.llmcap.timing.PredictorProvider}:
 *
 * <ul>
 *   <li>{@code roofline}: the built-in roofline model, no profiles needed;
 *   <li>{@code lightgbm}: one LightGBM regressor per operator trained on the profiles in {@code
 *       predictor.profiles} (default: the roofline profiles shipped in {@code profiles/roofline/}),
 *       tabulated and cached on disk ({@link ModelCache}: models by {@link CachingTrainer}, tables
 *       in namespace {@value #TABLES}).
 *   <li>{@code random_forest}: the reference simulator's model, a random forest per operator over
 *       the same profiles ({@link RandomForestTrainer}), tabulated and cached the same way; what
 *       {@code --reference-config} selects when the reference used one.
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
  public static final String RANDOM_FOREST = "random_forest";
  static final String TABLES = "tables";
  private static final Path SHIPPED = Path.of("profiles", "roofline");

  /**
   * Tables already loaded in this JVM, by cache key: the tasks of a search that share a deployment
   * shape on one executor read the tables from disk once. Least recently used first out; 16 tables
   * of the largest (16k-token) limits take about 80 MB.
   */
  private static final Map<String, OpTables> LOADED =
      Collections.synchronizedMap(
          new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, OpTables> eldest) {
              return size() > 16;
            }
          });

  private Predictors() {}

  /** Checks the name, the built-in and plug-in predictors alike, and the predictor's own block. */
  public static void check(PredictorConfig config) {
    Registry<PredictorProvider<?>> r = PredictorRegistry.registry();
    r.options(r.get(config.type()), config.plugins());
  }

  /**
   * The predictor of a whole config: its table limits follow the workload and scheduler ({@link
   * TableLimits#of}); relative profile folders resolve against {@code baseDir}.
   */
  public static ExecutionTimePredictor create(
      SimulationConfig config, Deployment deployment, Path baseDir) {
    return create(config, deployment, baseDir, ServingParams.builtin());
  }

  /**
   * As {@link #create(SimulationConfig, Deployment, Path)}, with the engine costs of the run's
   * scheduler ({@link EngineFeatures}) under the given serving-level parameters.
   */
  public static ExecutionTimePredictor create(
      SimulationConfig config, Deployment deployment, Path baseDir, ServingParams serving) {
    return create(config, deployment, config.scheduler(), baseDir, serving);
  }

  /**
   * As {@link #create(SimulationConfig, Deployment, Path, ServingParams)} for one pool's scheduler.
   */
  private static ExecutionTimePredictor create(
      SimulationConfig config,
      Deployment deployment,
      SchedulerConfig scheduler,
      Path baseDir,
      ServingParams serving) {
    ExecutionTimePredictor p =
        create(new PredictorContext(config.predictor(), deployment, config, baseDir));
    EngineFeatures features = Schedulers.rules(scheduler.type()).engineFeatures(scheduler);
    if (features.equals(EngineFeatures.NONE)) {
      return p;
    }
    RooflineParams params =
        RooflineCalibration.builtin().params(deployment.sku().name(), deployment.node().name());
    return new EngineCostPredictor(p, deployment, features, params, serving);
  }

  /**
   * For callers without a whole config: tables reach the reference's 16k-context limits ({@link
   * TableLimits#DEFAULT}) and relative profile folders resolve against the working directory.
   */
  public static ExecutionTimePredictor create(PredictorConfig config, Deployment deployment) {
    return create(new PredictorContext(config, deployment, null, Path.of("")));
  }

  /**
   * One predictor per pool of {@code sim}, in the order of {@link Simulation#deployments()} (one
   * for an aggregated run; prefill then decode for a disaggregated one, whose pools may differ in
   * SKU, node and sharding). Pools of one deployment share their predictor.
   */
  public static List<ExecutionTimePredictor> forPools(
      SimulationConfig config, Simulation sim, Path baseDir) {
    Map<List<Object>, ExecutionTimePredictor> made = new LinkedHashMap<>();
    List<ExecutionTimePredictor> out = new ArrayList<>();
    List<Deployment> deployments = sim.deployments();
    List<SchedulerConfig> schedulers = sim.schedulers();
    for (int i = 0; i < deployments.size(); i++) {
      Deployment d = deployments.get(i);
      SchedulerConfig s = schedulers.get(i);
      out.add(
          made.computeIfAbsent(
              List.of(d, s), k -> create(config, d, s, baseDir, ServingParams.builtin())));
    }
    return out;
  }

  /**
   * The predictor of a run's speculative draft model ({@link Simulation#draftDeployment()}), built
   * like the target's; null when the run has no draft model.
   */
  public static ExecutionTimePredictor draft(
      SimulationConfig config, Simulation sim, Path baseDir) {
    Deployment d = sim.draftDeployment();
    return d == null ? null : create(config, d, baseDir);
  }

  private static ExecutionTimePredictor create(PredictorContext ctx) {
    return create(PredictorRegistry.registry().get(ctx.predictor().type()), ctx);
  }

  private static <O> ExecutionTimePredictor create(PredictorProvider<O> p, PredictorContext ctx) {
    return p.create(ctx, PredictorRegistry.registry().options(p, ctx.predictor().plugins()));
  }

  /** The built-in roofline model: no profiles needed. */
  public static final class Roofline implements PredictorProvider<Void> {
    @Override
    public String name() {
      return ROOFLINE;
    }

    @Override
    public ExecutionTimePredictor create(PredictorContext ctx, Void options) {
      return RooflinePredictor.calibrated(ctx.deployment());
    }
  }

  /** LightGBM over the profiles in {@code predictor.profiles}, tabulated and cached. */
  public static final class LightGbm implements PredictorProvider<Void> {
    @Override
    public String name() {
      return LIGHTGBM;
    }

    @Override
    public ExecutionTimePredictor create(PredictorContext ctx, Void options) {
      ExecutionTimePredictor roofline = rooflineWithoutShippedProfiles(ctx, LIGHTGBM);
      return roofline != null
          ? roofline
          : lightGbm(folder(ctx), ctx.deployment(), limits(ctx), ModelCache.atDefaultRoot());
    }
  }

  /**
   * Options of {@code predictor.random_forest}; the defaults are the reference's (250 trees, depth
   * 32, leaves of one row).
   */
  public record ForestOptions(int trees, int maxDepth, int minSamplesLeaf) {
    @Override
    public String toString() {
      return "trees=" + trees + " max_depth=" + maxDepth + " min_samples_leaf=" + minSamplesLeaf;
    }
  }

  /** A random forest per operator over the profiles in {@code predictor.profiles}. */
  public static final class RandomForest implements PredictorProvider<ForestOptions> {
    @Override
    public String name() {
      return RANDOM_FOREST;
    }

    @Override
    public ForestOptions defaultOptions() {
      return new ForestOptions(250, 32, 1);
    }

    @Override
    public void validate(ForestOptions o, String field) {
      atLeast(field + ".trees", o.trees(), 1, 5000);
      atLeast(field + ".max_depth", o.maxDepth(), 1, 64);
      atLeast(field + ".min_samples_leaf", o.minSamplesLeaf(), 1, 1_000_000);
    }

    private static void atLeast(String field, int v, int min, int max) {
      if (v < min || v > max) {
        throw ConfigException.invalid(field, v, "an integer from " + min + " to " + max);
      }
    }

    @Override
    public ExecutionTimePredictor create(PredictorContext ctx, ForestOptions o) {
      ExecutionTimePredictor roofline = rooflineWithoutShippedProfiles(ctx, RANDOM_FOREST);
      if (roofline != null) {
        return roofline;
      }
      RandomForestTrainer forest =
          new RandomForestTrainer(
              new RandomForestTrainer.Settings(o.trees(), o.maxDepth(), o.minSamplesLeaf(), 42));
      return tables(
          folder(ctx),
          ctx.deployment(),
          limits(ctx),
          ModelCache.atDefaultRoot(),
          "random_forest " + forest.settings().fingerprint(),
          forest,
          "random forest (" + o + ")");
    }
  }

  /**
   * The roofline, for a profile-trained predictor that has no profiles to train on: when {@code
   * predictor.profiles} is unset (the shipped roofline profiles) and the deployment is an MoE model
   * (the profile format has no MoE operators) or a (SKU, model) without shipped profiles. The
   * shipped profiles are generated from this same roofline ({@code RooflineProfileWriter}), so the
   * predictor costs the same physics without the tables; one info line on stderr says so. Null when
   * the profiles exist or the user named a profile folder (whose errors then stand).
   */
  static ExecutionTimePredictor rooflineWithoutShippedProfiles(PredictorContext ctx, String type) {
    String profiles = ctx.predictor().profiles();
    if (profiles != null && !profiles.isBlank()) {
      return null;
    }
    Deployment d = ctx.deployment();
    String why;
    if (d.model().isMoe()) {
      why = "a mixture-of-experts model (profiles have no MoE operators)";
    } else if (!hasShippedProfiles(d)) {
      why = "no shipped profiles of " + d.sku().name() + " / " + d.model().name();
    } else {
      return null;
    }
    String key = type + " " + d.sku().name() + " " + d.model().name();
    if (INFORMED.add(key)) {
      System.err.println(
          "info: predictor "
              + type
              + " falls back to the calibrated roofline for "
              + d.model().name()
              + " on "
              + d.sku().name()
              + ": "
              + why);
    }
    return RooflinePredictor.calibrated(d);
  }

  /** (predictor, SKU, model) fallbacks already announced in this JVM: one info line each. */
  private static final java.util.Set<String> INFORMED =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private static boolean hasShippedProfiles(Deployment d) {
    Path compute =
        shippedRooflineProfiles()
            .resolve("compute")
            .resolve(d.sku().name())
            .resolve(d.model().name());
    return Files.isRegularFile(compute.resolve("mlp.csv"))
        && Files.isRegularFile(compute.resolve("attention.csv"));
  }

  private static ProfileFolder folder(PredictorContext ctx) {
    return ProfileFolder.overlay(profileRoots(ctx.predictor().profiles(), ctx.baseDir()));
  }

  private static TableLimits limits(PredictorContext ctx) {
    return ctx.run() == null ? TableLimits.DEFAULT : TableLimits.of(ctx.run());
  }

  /** LightGBM tables over {@code folder}, from {@code cache} when an earlier run built them. */
  public static ProfilePredictor lightGbm(
      ProfileFolder folder, Deployment deployment, TableLimits limits, ModelCache cache) {
    LightGbmTrainer lightGbm = new LightGbmTrainer();
    // Trained models are cached too, so tables of other limits reuse them.
    return tables(
        folder,
        deployment,
        limits,
        cache,
        "lightgbm " + lightGbm.settings().fingerprint(),
        new CachingTrainer(lightGbm, cache),
        "lightgbm");
  }

  /**
   * Tables of {@code trainer}'s predictions over {@code folder}, from {@code cache} when an earlier
   * run built them; {@code fingerprint} names the trainer and its settings in the cache key.
   */
  private static ProfilePredictor tables(
      ProfileFolder folder,
      Deployment deployment,
      TableLimits limits,
      ModelCache cache,
      String fingerprint,
      OpTrainer trainer,
      String label) {
    ProfilePredictor.requireDense(deployment.model());
    List<OpSamples> samples = folder.forDeployment(deployment);
    String key =
        OpTables.key(
            fingerprint,
            samples,
            deployment.model(),
            deployment.tp(),
            deployment.pp(),
            deployment.node().name(),
            limits);
    // Not computeIfAbsent: that would hold the map's lock while another key trains.
    OpTables tables = LOADED.get(key);
    if (tables == null) {
      tables =
          cache.getOrBuild(
              TABLES,
              key,
              () -> OpTables.build(trainer, samples, limits),
              ModelCache.Codec.of(OpTables::write, OpTables::read));
      LOADED.put(key, tables);
    }
    String roots = folder.roots().stream().map(Path::toString).collect(Collectors.joining(" + "));
    return new ProfilePredictor(deployment, tables, label + " on profiles in " + roots);
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
