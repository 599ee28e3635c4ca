package io.llmcap;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pins simulator-core's package structure (docs/architecture.md): no cycles between its packages, a
 * fixed layer order, basics that depend on nothing, and no dependency on the modules or libraries
 * above it.
 */
class ArchitectureTest {
  /**
   * simulator-core's packages, bottom up: a package may depend only on packages listed before it. A
   * new package must be placed here (and described in docs/architecture.md).
   */
  static final List<String> LAYERS =
      List.of(
          "base", // errors, YAML binding, did-you-mean: depends on nothing in llmcap
          "kv", // KV blocks of one replica
          "plugin", // Plugin and Registry: the extension mechanism
          "config", // SimulationConfig, the typed run config
          "catalog", // models, SKUs, nodes, prices
          "workload", // request specs and request sources
          "timing", // execution-time predictor SPI, operators, stage composition, FLOPs
          "request", // a request's life in the engine and the batches it runs in
          "metrics", // per-request and per-batch collection and writers
          "scheduler", // replica schedulers and their rules
          "cluster", // routers
          "engine", // the event loop, pools, routing, speculation
          "output", // summary.json and the run folder
          "setup"); // ConfigLoader and the registry of every seam

  private static JavaClasses core;

  @BeforeAll
  static void importCore() {
    core =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.llmcap");
  }

  @Test
  void packagesAreFreeOfCycles() {
    slices().matching("io.llmcap.(*)..").should().beFreeOfCycles().check(core);
  }

  @Test
  void basicsDependOnNothingElseInLlmcap() {
    noClasses()
        .that()
        .resideInAPackage("io.llmcap.base..")
        .should()
        .dependOnClassesThat(
            resideInAPackage("io.llmcap..").and(not(resideInAPackage("io.llmcap.base.."))))
        .because("the basics (errors, YAML binding, did-you-mean) sit below every other package")
        .check(core);
  }

  @Test
  void packagesDependOnlyOnLowerLayers() {
    for (int i = 0; i < LAYERS.size(); i++) {
      String[] higher =
          LAYERS.subList(i + 1, LAYERS.size()).stream()
              .map(p -> "io.llmcap." + p + "..")
              .toArray(String[]::new);
      if (higher.length == 0) {
        continue;
      }
      noClasses()
          .that()
          .resideInAPackage("io.llmcap." + LAYERS.get(i) + "..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(higher)
          .because("a package depends only on the packages below it (ArchitectureTest.LAYERS)")
          .check(core);
    }
  }

  @Test
  void everyPackageHasALayer() {
    classes()
        .should()
        .resideInAnyPackage(
            LAYERS.stream().map(p -> "io.llmcap." + p + "..").toArray(String[]::new))
        .because("a new package takes a place in ArchitectureTest.LAYERS")
        .check(core);
  }

  @Test
  void coreNeverImportsTheModulesOrLibrariesAboveIt() {
    noClasses()
        .should()
        .dependOnClassesThat(
            resideInAnyPackage(
                "io.llmcap.predictors..",
                "io.llmcap.search..",
                "io.llmcap.cli..",
                "io.llmcap.report..",
                "io.llmcap.validate..",
                "io.llmcap.reference..",
                "org.apache.spark..",
                "scala..",
                "io.github.metarank..",
                "com.microsoft.ml.lightgbm.."))
        .because("simulator-core is the engine only: predictors and planner build on it")
        .check(core);
  }
}
