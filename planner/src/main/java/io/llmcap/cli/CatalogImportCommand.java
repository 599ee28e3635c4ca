package io.llmcap.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmcap.base.ConfigException;
import io.llmcap.base.Yaml;
import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.HfConfigImport;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.catalog.UserModels;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code llmcap catalog import CONFIG.json --name ORG/NAME [--out models.yaml]}: reads a Hugging
 * Face config.json and writes the model as a models.yaml entry (numbers, not a pointer), to stdout
 * or appended to a user models file that {@code --models} then loads.
 */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description =
        "Read a Hugging Face config.json (supported architectures: see docs/catalog.md) and print"
            + " the model as a models.yaml entry, or add it to a user models file with --out.")
final class CatalogImportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "CONFIG.json", description = "The model's config.json.")
  Path config;

  @Option(
      names = "--name",
      required = true,
      paramLabel = "ORG/NAME",
      description = "The name runs and searches will use (its Hugging Face id).")
  String name;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "A user models file to add the model to (created when absent).")
  Path out;

  @Override
  public Integer call() throws IOException {
    PrintWriter w = spec.commandLine().getOut();
    ModelSpec m = HfConfigImport.read(config, name);
    if (Catalog.builtin().findModel(name).isPresent()) {
      throw new ConfigException(
          "--name",
          "value '"
              + name
              + "' is already in the catalog; allowed: a new name (llmcap catalog lists"
              + " the models and their aliases)");
    }
    ObjectNode entry = HfConfigImport.toYaml(m);
    if (out == null) {
      ObjectNode file = Yaml.yaml().createObjectNode();
      file.putArray("models").add(entry);
      w.print(Yaml.yaml().writeValueAsString(file));
      w.flush();
      return 0;
    }
    ObjectNode file;
    if (Files.exists(out)) {
      // refuse names the file already has, and anything it cannot load
      for (ModelSpec existing : UserModels.read(out)) {
        if (existing.name().equals(name) || existing.aliases().contains(name)) {
          throw new ConfigException(
              out + ": " + name, "already in this models file; allowed: a new name");
        }
      }
      try (var in = Files.newInputStream(out)) {
        file = (ObjectNode) Yaml.readTree(in, out.toString());
      }
    } else {
      file = Yaml.yaml().createObjectNode();
      file.putArray("models");
    }
    ((ArrayNode) file.get("models")).add(entry);
    Files.writeString(out, Yaml.yaml().writeValueAsString(file));
    w.println("added " + name + " to " + out + " (load it with --models " + out + ")");
    return 0;
  }
}
