package io.llmcap.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmcap.base.ConfigException;
import io.llmcap.base.Yaml;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A user models file: the layout of {@code models.yaml} ({@code models:} a list), where an entry is
 * either a full model spec or {@code {name, hf_config, aliases, source}}: a Hugging Face {@code
 * config.json} (path relative to this file) read by {@link HfConfigImport}.
 */
public final class UserModels {
  private UserModels() {}

  private record FileShape(List<JsonNode> models) {}

  /** An entry that points at a config.json instead of listing the numbers. */
  private record HfEntry(String name, String hfConfig, List<String> aliases, String source) {}

  public static List<ModelSpec> read(Path file) {
    JsonNode root;
    try (InputStream in = Files.newInputStream(file)) {
      root = Yaml.readTree(in, file.toString());
    } catch (IOException e) {
      throw new ConfigException(
          file.toString(),
          "cannot read models file: " + e.getMessage() + "; allowed: a readable file");
    }
    FileShape shape = Yaml.bind(root, FileShape.class, file.toString());
    if (shape.models() == null || shape.models().isEmpty()) {
      throw new ConfigException(file + ": models", "missing or empty; allowed: a list of models");
    }
    Path dir = file.toAbsolutePath().getParent();
    List<ModelSpec> out = new ArrayList<>();
    for (int i = 0; i < shape.models().size(); i++) {
      JsonNode n = shape.models().get(i);
      String at = file + ": models[" + i + "]";
      if (n.has("hf_config")) {
        HfEntry e = Yaml.bind(n, HfEntry.class, at);
        if (e.name() == null || e.name().isBlank()) {
          throw new ConfigException(at + ".name", "missing; allowed: the model's name (ORG/NAME)");
        }
        Path config = dir.resolve(e.hfConfig());
        ModelSpec m = HfConfigImport.read(config, e.name());
        out.add(withAliasesAndSource(m, e.aliases(), e.source()));
      } else {
        out.add(Yaml.bind(n, ModelSpec.class, at));
      }
    }
    return out;
  }

  private static ModelSpec withAliasesAndSource(ModelSpec m, List<String> aliases, String source) {
    return new ModelSpec(
        m.name(),
        m.numLayers(),
        m.numQHeads(),
        m.numKvHeads(),
        m.embeddingDim(),
        m.mlpHiddenDim(),
        m.vocabSize(),
        m.useGatedMlp(),
        m.maxPositionEmbeddings(),
        m.norm(),
        m.activation(),
        m.postAttnNorm(),
        m.noTensorParallel(),
        source != null ? source : m.source(),
        m.headDim(),
        m.tiedEmbeddings(),
        m.dtype(),
        m.moe(),
        m.mla(),
        m.slidingWindow(),
        m.attentionSinks(),
        aliases);
  }
}
