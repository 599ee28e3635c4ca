package io.llmcap.cli;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.setup.ConfigLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code llmcap} command line. User mistakes exit with status 2 and one clear message. */
@Command(
    name = "llmcap",
    mixinStandardHelpOptions = true,
    version = "llmcap 0.1.0",
    description = "GPU-free capacity planning for LLM serving.",
    subcommands = {
      SimulateCommand.class,
      SearchCommand.class,
      CatalogCommand.class,
      BenchCommand.class,
      ProfileCommand.class,
      PredictorsCommand.class,
      ValidateCommand.class,
      ExplainCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  public static final int USER_ERROR = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Option(
      names = "--models",
      paramLabel = "FILE",
      scope = CommandLine.ScopeType.INHERIT,
      description =
          "A user models file (models.yaml layout; an entry may point at a Hugging Face config.json"
              + " with hf_config: PATH) whose models join the catalog for this command. Repeatable.")
  List<Path> models = new ArrayList<>();

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(
        execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /**
   * Runs the parsed command with the {@code --models} files (given at any level of the command
   * line) added to the catalog for its length.
   */
  private static int withUserModels(CommandLine.ParseResult parsed) {
    List<Path> files = new ArrayList<>();
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--models")) {
        List<Path> v = p.matchedOption("--models").getValue();
        for (Path f : v) {
          if (!files.contains(f)) {
            files.add(f);
          }
        }
      }
    }
    if (files.isEmpty()) {
      return new CommandLine.RunLast().execute(parsed);
    }
    try (Catalog.Scope scope = Catalog.useModels(files)) {
      return new CommandLine.RunLast().execute(parsed);
    } catch (ConfigException e) {
      // a bad models file is the user's mistake like any other
      parsed.commandSpec().commandLine().getErr().println("error: " + e.getMessage());
      return USER_ERROR;
    }
  }

  /** Runs the CLI and returns its exit status, writing to the given streams. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Main());
    cl.getSubcommands()
        .get("simulate")
        .getCommandSpec()
        .usageMessage()
        .footer(Knobs.describeDefaults(ConfigLoader.defaults()));
    cl.setExecutionStrategy(Main::withUserModels);
    cl.setOut(out);
    cl.setErr(err);
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          ex.getCommandLine().getErr().println("error: " + ex.getMessage() + " (see --help)");
          return USER_ERROR;
        });
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          if (ex instanceof ConfigException ce) {
            commandLine.getErr().println("error: " + ce.getMessage());
            return USER_ERROR;
          }
          throw ex;
        });
    return cl.execute(args);
  }
}
