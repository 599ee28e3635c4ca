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
import java.util.Collection;
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
  // the shipped catalog plus the CLI's --models files, for the length of one command
  private static volatile Catalog active;

  private final Map<String, ModelSpec> models;
  private final Map<String, String> aliases;
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
    this.aliases = aliases(this.models);
    for (ModelSpec m : models) {
      check(m, "models.yaml: " + m.name());
    }
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

  /**
   * The catalog shipped inside the jar, plus the user models files a command line named with {@code
   * --models} while that command runs ({@link #useModels}).
   */
  public static Catalog builtin() {
    Catalog a = active;
    return a != null ? a : shipped();
  }

  /** The catalog shipped inside the jar, without user models. */
  public static Catalog shipped() {
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

  /** Undoes {@link #useModels}. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Makes {@link #builtin()} include the models of {@code files} (user models files) until the
   * returned scope is closed. The CLI calls it once per command for {@code --models}; every part of
   * that command (search workers included, in one JVM) then finds the models by name.
   */
  public static Scope useModels(List<Path> files) {
    Catalog previous = active;
    Catalog c = shipped();
    for (Path f : files) {
      c = c.withModels(UserModels.read(f), f.toString());
    }
    active = c;
    return () -> active = previous;
  }

  /**
   * This catalog with {@code extra} models added; a name or alias that is already taken is refused
   * with {@code file} named.
   */
  public Catalog withModels(List<ModelSpec> extra, String file) {
    List<ModelSpec> all = new ArrayList<>(models.values());
    for (ModelSpec m : extra) {
      if (models.containsKey(m.name()) || aliases.containsKey(m.name())) {
        throw new ConfigException(
            file + ": " + m.name(),
            "model name already in the catalog"
                + (aliases.containsKey(m.name()) ? " as an alias of " + aliases.get(m.name()) : "")
                + "; allowed: a new name (or leave the model out: the catalog has it)");
      }
      check(m, file + ": " + m.name());
      all.add(m);
    }
    try {
      return new Catalog(
          all,
          List.copyOf(skus.values()),
          List.copyOf(nodes.values()),
          List.copyOf(priceBooks.values()));
    } catch (ConfigException e) {
      throw new ConfigException(file, e.getMessage(), e);
    }
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

  /** Alias -> model name; an alias may not be another model's name or alias. */
  private static Map<String, String> aliases(Map<String, ModelSpec> models) {
    Map<String, String> m = new LinkedHashMap<>();
    for (ModelSpec spec : models.values()) {
      for (String a : spec.aliases()) {
        String field = "models.yaml: " + spec.name() + ".aliases";
        if (models.containsKey(a)) {
          throw ConfigException.invalid(
              field, a, "a name no other model has ('" + a + "' is a model of its own)");
        }
        String other = m.put(a, spec.name());
        if (other != null) {
          throw ConfigException.invalid(
              field,
              a,
              "a name no other model has ('" + a + "' is already an alias of " + other + ")");
        }
      }
    }
    return Collections.unmodifiableMap(m);
  }

  /** A model's numbers must describe a buildable model. */
  static void check(ModelSpec m, String field) {
    if (m.numLayers() <= 0 || m.numQHeads() <= 0 || m.numKvHeads() <= 0 || m.embeddingDim() <= 0) {
      throw new ConfigException(
          field, "num_layers, num_q_heads, num_kv_heads and embedding_dim must be positive");
    }
    if (m.numQHeads() % m.numKvHeads() != 0) {
      throw ConfigException.invalid(
          field + ".num_kv_heads",
          m.numKvHeads(),
          "a divisor of num_q_heads (" + m.numQHeads() + ")");
    }
    if (m.headDim() <= 0) {
      throw ConfigException.invalid(field + ".head_dim", m.headDim(), "a positive width");
    }
    m.weightPrecision();
    MoeSpec moe = m.moe();
    if (moe != null) {
      if (moe.numExperts() <= 0 || moe.topK() <= 0 || moe.topK() > moe.numExperts()) {
        throw ConfigException.invalid(
            field + ".moe.top_k",
            moe.topK(),
            "between 1 and num_experts (" + moe.numExperts() + ")");
      }
      if (moe.expertHiddenDim() <= 0
          || moe.denseLayers() < 0
          || moe.denseLayers() >= m.numLayers()) {
        throw new ConfigException(
            field + ".moe",
            "expert_hidden_dim must be positive and dense_layers below num_layers ("
                + m.numLayers()
                + ")");
      }
    }
    SlidingWindow w = m.slidingWindow();
    if (w != null && (w.window() <= 0 || w.layers() <= 0 || w.layers() > m.numLayers())) {
      throw ConfigException.invalid(
          field + ".sliding_window.layers",
          w.layers(),
          "1 to num_layers (" + m.numLayers() + "), with a positive window");
    }
  }

  /** The model called {@code name} or one of its aliases, or an error naming {@code field}. */
  public ModelSpec model(String name, String field) {
    String canonical = aliases.get(name);
    return lookup(models, canonical != null ? canonical : name, field, "model");
  }

  /** The model called {@code name} or one of its aliases, if the catalog has it. */
  public java.util.Optional<ModelSpec> findModel(String name) {
    String canonical = aliases.getOrDefault(name, name);
    return java.util.Optional.ofNullable(models.get(canonical));
  }

  /** Alias -> model name, for every alias in the catalog. */
  public Map<String, String> aliases() {
    return aliases;
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

  /** The newest price book (ties: the one pricing more SKUs, then the first listed). */
  public PriceBook defaultPriceBook() {
    return defaultPriceBook(List.of());
  }

  /**
   * The newest price book that prices every one of {@code skus}, so that a search over them can
   * rank each by dollars; the newest book of all when none prices them all (ties: the one pricing
   * more SKUs, then the first listed).
   */
  public PriceBook defaultPriceBook(Collection<String> skus) {
    PriceBook newest = null;
    PriceBook newestComplete = null;
    for (PriceBook b : priceBooks.values()) {
      if (newer(b, newest)) {
        newest = b;
      }
      if (b.pricesPerGpuHour().keySet().containsAll(skus) && newer(b, newestComplete)) {
        newestComplete = b;
      }
    }
    if (newest == null) {
      throw new ConfigException(
          "catalog.yaml: price_books", "no price book; allowed: at least one");
    }
    return newestComplete != null ? newestComplete : newest;
  }

  private static boolean newer(PriceBook b, PriceBook than) {
    if (than == null) {
      return true;
    }
    int c = b.date().compareTo(than.date());
    return c > 0 || (c == 0 && b.pricesPerGpuHour().size() > than.pricesPerGpuHour().size());
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
