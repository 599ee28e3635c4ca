package io.llmcap.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmcap.base.ConfigException;
import io.llmcap.base.Yaml;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Models, GPU SKUs, node types and price books, loaded from {@code profiles/catalog/} (shipped in
 * the jar under {@code llmcap/catalog/}) or from a folder of the same layout.
 */
public final class Catalog {
  private static volatile Catalog builtin;

  private final Map<String, ModelSpec> models;
  private final Map<String, DeviceSku> skus;
  private final Map<String, NodeSku> nodes;
  private final Map<String, PriceBook> priceBooks;

  private record ModelsFile(List<ModelSpec> models) {}

  private record SkusFile(List<DeviceSku> skus) {}

  private record NodesFile(List<NodeSku> nodes) {}

  private record IndexFile(List<String> priceBooks) {}

  private Catalog(
      List<ModelSpec> models, List<DeviceSku> skus, List<NodeSku> nodes, List<PriceBook> books) {
    this.models = index(models, ModelSpec::name, "models.yaml");
    this.skus = index(skus, DeviceSku::name, "skus.yaml");
    this.nodes = index(nodes, NodeSku::name, "nodes.yaml");
    this.priceBooks = index(books, PriceBook::name, "price books");
    for (NodeSku n : nodes) {
      if (!this.skus.containsKey(n.sku())) {
        throw new ConfigException(
            "nodes.yaml: " + n.name() + ".sku", "unknown SKU '" + n.sku() + "'");
      }
    }
  }

  /** The catalog shipped inside the jar. */
  public static Catalog builtin() {
    Catalog c = builtin;
    if (c == null) {
      synchronized (Catalog.class) {
        if (builtin == null) {
          builtin = load(new ResourceSource());
        }
        c = builtin;
      }
    }
    return c;
  }

  /** A catalog folder on disk with {@code catalog.yaml}, {@code models.yaml}, ... */
  public static Catalog fromDirectory(Path dir) {
    return load(new DirectorySource(dir));
  }

  private interface Source {
    JsonNode read(String relative);
  }

  private record ResourceSource() implements Source {
    @Override
    public JsonNode read(String relative) {
      String name = "llmcap/catalog/" + relative;
      try (InputStream in = Catalog.class.getClassLoader().getResourceAsStream(name)) {
        if (in == null) {
          throw new IllegalStateException("catalog resource missing from the jar: " + name);
        }
        return Yaml.readTree(in, relative);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private record DirectorySource(Path dir) implements Source {
    @Override
    public JsonNode read(String relative) {
      Path p = dir.resolve(relative);
      try (InputStream in = Files.newInputStream(p)) {
        return Yaml.readTree(in, p.toString());
      } catch (IOException e) {
        throw new ConfigException(p.toString(), "cannot read catalog file: " + e.getMessage());
      }
    }
  }

  private static Catalog load(Source src) {
    IndexFile index = Yaml.bind(src.read("catalog.yaml"), IndexFile.class, "catalog.yaml");
    List<PriceBook> books = new ArrayList<>();
    for (String f : index.priceBooks()) {
      books.add(Yaml.bind(src.read(f), PriceBook.class, f));
    }
    return new Catalog(
        Yaml.bind(src.read("models.yaml"), ModelsFile.class, "models.yaml").models(),
        Yaml.bind(src.read("skus.yaml"), SkusFile.class, "skus.yaml").skus(),
        Yaml.bind(src.read("nodes.yaml"), NodesFile.class, "nodes.yaml").nodes(),
        books);
  }

  private static <T> Map<String, T> index(
      List<T> items, java.util.function.Function<T, String> key, String file) {
    Map<String, T> m = new LinkedHashMap<>();
    for (T t : items) {
      if (m.put(key.apply(t), t) != null) {
        throw new ConfigException(file, "duplicate entry '" + key.apply(t) + "'");
      }
    }
    return Collections.unmodifiableMap(m);
  }

  public ModelSpec model(String name, String field) {
    return lookup(models, name, field, "model");
  }

  public DeviceSku sku(String name, String field) {
    return lookup(skus, name, field, "GPU SKU");
  }

  public NodeSku node(String name, String field) {
    return lookup(nodes, name, field, "node type");
  }

  public PriceBook priceBook(String name, String field) {
    return lookup(priceBooks, name, field, "price book");
  }

  private static <T> T lookup(Map<String, T> map, String name, String field, String what) {
    T t = map.get(name);
    if (t == null) {
      throw ConfigException.unknown(field, what, name, map.keySet());
    }
    return t;
  }

  public Map<String, ModelSpec> models() {
    return models;
  }

  public Map<String, DeviceSku> skus() {
    return skus;
  }

  public Map<String, NodeSku> nodes() {
    return nodes;
  }

  public Map<String, PriceBook> priceBooks() {
    return priceBooks;
  }
}
