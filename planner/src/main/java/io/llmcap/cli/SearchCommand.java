package io.llmcap.cli;

import io.llmcap.base.ConfigException;
import io.llmcap.search.SearchJob;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code llmcap search}: the capacity search on Spark. Only {@link #call} touches {@link
 * SearchJob}, so that loading the command line never loads Spark (which {@code simulate} does not
 * have on its classpath).
 */
@Command(
    name = "search",
    mixinStandardHelpOptions = true,
    description = {
      "Find the deployment with the most QPS per dollar under the latency SLOs: every deployment"
          + " of a search space gets its maximum QPS by bisection over simulations, one Spark task"
          + " per deployment. Writes results/<name>/ (Parquet, CSV, Pareto report).",
      "Search-config keys and their defaults: see the README, section Search."
    })
final class SearchCommand implements Callable<Integer> {
  /** The master URLs Spark accepts, so that a typo is a user error rather than a stack trace. */
  private static final Pattern MASTER =
      Pattern.compile(
          "local|local\\[(\\*|[1-9][0-9]*)(,[1-9][0-9]*)?]|local-cluster\\[[0-9]+, *[0-9]+, *[0-9]+]"
              + "|spark://[^\\s/]+:[0-9]+(,[^\\s/]+:[0-9]+)*|yarn|k8s://\\S+");

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SEARCH.yml", description = "search space (YAML)")
  Path file;

  @Option(
      names = "--master",
      paramLabel = "URL",
      description =
          "Spark master (default local[*], or what spark-submit set): local[N], spark://host:port")
  String master;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "results folder (default results/<name>)")
  Path out;

  @Option(names = "--force", description = "replace an existing --out folder")
  boolean force;

  @Option(
      names = "--resume",
      description =
          "finish the search in an existing --out folder (one killed or stopped): search only the"
              + " deployments it has no result for, then write the results")
  boolean resume;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "override a search-config key (repeatable), e.g. --set search.max_probes=10"
              + " --set tensor_parallel=[1,2]")
  List<String> sets = new ArrayList<>();

  @Option(
      names = "--sample",
      paramLabel = "N",
      description = "search only N deployments drawn at random (seeded) from the space, for timing")
  Integer sample;

  @Override
  public Integer call() {
    if (force && resume) {
      throw new ConfigException(
          "--resume", "cannot be combined with --force; allowed: one of --resume or --force");
    }
    if (master != null && !MASTER.matcher(master).matches()) {
      throw ConfigException.invalid(
          "--master",
          master,
          "local, local[N], local[*], spark://HOST:PORT[,HOST:PORT...], yarn or"
              + " k8s://https://HOST:PORT");
    }
    return SearchJob.run(
        new SearchJob.Options(file, sets, master, out, force, resume, sample),
        spec.commandLine().getOut(),
        spec.commandLine().getErr());
  }
}
