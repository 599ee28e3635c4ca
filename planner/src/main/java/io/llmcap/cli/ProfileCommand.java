package io.llmcap.cli;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.DeviceSku;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.catalog.NodeSku;
import io.llmcap.predictors.calibration.RooflineCalibrator;
import io.llmcap.predictors.roofline.RooflineCalibration;
import io.llmcap.predictors.roofline.RooflineParams;
import io.llmcap.predictors.roofline.RooflineProfileWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code llmcap profile}: operator profiles without a GPU, and the roofline's calibration. */
@Command(
    name = "profile",
    mixinStandardHelpOptions = true,
    description = "Write roofline operator profiles; calibrate the roofline to measured ones.",
    subcommands = {ProfileCommand.Roofline.class, ProfileCommand.Calibrate.class})
final class ProfileCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code llmcap profile roofline}: calibrated roofline profiles in the reference format. */
  @Command(
      name = "roofline",
      mixinStandardHelpOptions = true,
      description = {
        "Write calibrated roofline profiles in the reference profiler's format:"
            + " compute/<sku>/<model>/mlp.csv and attention.csv for --model on --sku, and"
            + " network/<node>/all_reduce.csv and send_recv.csv for --node.",
        "Without --model, only the network profiles are written. --plan prints the"
            + " (model, SKU, node) triples the shipped profiles/roofline/ covers, one per line."
      })
  static final class Roofline implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", paramLabel = "M", description = "model (see `llmcap catalog`)")
    String model;

    @Option(names = "--sku", paramLabel = "S", description = "GPU SKU (default: the node's)")
    String sku;

    @Option(names = "--node", paramLabel = "N", description = "node type (required)")
    String node;

    @Option(names = "--plan", description = "print the shipped set's model, SKU and node triples")
    boolean plan;

    @Option(
        names = "--out",
        paramLabel = "DIR",
        defaultValue = "profiles/roofline",
        description = "profile root (default: ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() {
      Catalog catalog = Catalog.builtin();
      PrintWriter o = spec.commandLine().getOut();
      if (plan) {
        for (RooflineProfileWriter.Target t : RooflineProfileWriter.shippedTargets(catalog)) {
          o.println(t.model().name() + " " + t.sku().name() + " " + t.node().name());
        }
        return 0;
      }
      if (node == null) {
        throw new ConfigException("--node", "missing; allowed: " + catalog.nodes().keySet());
      }
      NodeSku n = catalog.node(node, "--node");
      DeviceSku s = catalog.sku(sku == null ? n.sku() : sku, "--sku");
      if (!n.sku().equals(s.name())) {
        throw new ConfigException(
            "--sku", "node type '" + n.name() + "' holds " + n.sku() + ", not " + s.name());
      }
      RooflineParams params = RooflineCalibration.builtin().params(s.name(), n.name());
      List<Path> written = new ArrayList<>();
      if (model != null) {
        ModelSpec m = catalog.model(model, "--model");
        written.addAll(RooflineProfileWriter.writeCompute(out, m, s, n, params));
      }
      written.addAll(RooflineProfileWriter.writeNetwork(out, s, n, params));
      for (Path p : written) {
        o.println(p);
      }
      return 0;
    }
  }

  /** {@code llmcap profile calibrate}: re-fits {@code calibration.yaml}. */
  @Command(
      name = "calibrate",
      mixinStandardHelpOptions = true,
      description = {
        "Fit the roofline's efficiencies per GPU SKU and node type to measured profiles and"
            + " write the calibration file (the catalog's calibration.yaml). Prints held-out"
            + " MAPE per op before and after."
      })
  static final class Calibrate implements Callable<Integer> {
    private static final String HEADER =
        """
        # Roofline calibration for llmcap: efficiencies per GPU SKU and collective fits per node
        # type, fitted to measured operator profiles. Written by `llmcap profile calibrate`
        # (scripts/calibrate-roofline.sh); do not edit by hand. Efficiencies are fractions of the
        # catalog's peak FLOP/s, HBM bandwidth or link bandwidth; *_ms and latency_us are overheads.
        # Each group's `fit` names its measured sources (relative to ../shared/data/profiles/),
        # its train/held-out row counts and held-out MAPE (%) per op with the uncalibrated
        # defaults and with these figures, or which SKU or node type it is borrowed from.
        # Links a node has no fit for use efficiency 0.6 and the catalog's latency.
        """;

    @Spec CommandSpec spec;

    static final class Source {
      @Option(
          names = "--data",
          paramLabel = "DIR",
          required = true,
          description = "measured profiles in the reference layout (e.g. ../shared/data/profiles)")
      Path data;

      @Option(
          names = "--serving",
          paramLabel = "MANIFEST.csv",
          required = true,
          description =
              "fit the serving-level engine costs (profiles/catalog/serving.yaml) to the measured"
                  + " serving experiments of a manifest, with the simulator in the loop")
      Path serving;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description =
            "calibration file to write (default: profiles/catalog/calibration.yaml, with --serving"
                + " profiles/catalog/serving.yaml)")
    Path out;

    @Option(
        names = "--date",
        paramLabel = "YYYY-MM-DD",
        description = "date recorded in the file (default: today)")
    String date;

    @Override
    public Integer call() {
      String on = date == null ? LocalDate.now().toString() : date;
      if (!on.matches("\\d{4}-\\d{2}-\\d{2}")) {
        throw ConfigException.invalid("--date", on, "a date as YYYY-MM-DD");
      }
      PrintWriter o = spec.commandLine().getOut();
      if (source.serving != null) {
        Path target = out != null ? out : Path.of("profiles/catalog/serving.yaml");
        String yaml = ServingCalibrationRun.run(source.serving, on, o);
        write(target, yaml);
        o.println("wrote " + target);
        return 0;
      }
      Path data = source.data;
      if (!Files.isDirectory(data)) {
        throw new ConfigException("--data", "'" + data + "' is not a directory");
      }
      RooflineCalibrator.Result r = new RooflineCalibrator(data, Catalog.builtin()).calibrate(on);
      Path target = out != null ? out : Path.of("profiles/catalog/calibration.yaml");
      write(target, r.calibration().toYaml(HEADER));
      o.print(r.report());
      o.println("wrote " + target);
      return 0;
    }

    /** Writes {@code text} to {@code file} atomically (a temporary file renamed into place). */
    private static void write(Path file, String text) {
      try {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = parent.resolve("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
