package io.llmcap.cli;

import io.llmcap.base.ConfigException;
import io.llmcap.setup.ConfigLoader;
import java.io.PrintWriter;
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

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(
        execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the CLI and returns its exit status, writing to the given streams. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Main());
    cl.getSubcommands()
        .get("simulate")
        .getCommandSpec()
        .usageMessage()
        .footer(Knobs.describeDefaults(ConfigLoader.defaults()));
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
