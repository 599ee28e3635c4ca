package io.llmcap.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmcap.base.ConfigException;
import io.llmcap.base.DidYouMean;
import io.llmcap.base.Yaml;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The implementations of one extension seam by name: the built-ins, then every implementation of
 * the seam's provider interface that {@link ServiceLoader} finds on the classpath (a jar with a
 * {@code META-INF/services/<provider interface>} file). Discovery happens once, on first use,
 * through both the thread's context class loader (where Spark puts {@code --jars}) and llmcap's
 * own.
 *
 * @param <P> the seam's provider interface
 */
public final class Registry<P extends Plugin<?>> {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

  private final String what;
  private final String typeField;
  private final String blockPath;
  private final Class<?> service;
  private final List<P> builtins;
  private volatile Map<String, P> all;

  /**
   * @param what the seam in words, for messages ("scheduler")
   * @param typeField the config key that names the implementation ("scheduler.type")
   * @param blockPath the config section that holds the plug-ins' own blocks ("scheduler")
   * @param service the provider interface that {@link ServiceLoader} looks up
   * @param builtins the built-in implementations, in the order error messages list them
   */
  public Registry(
      String what, String typeField, String blockPath, Class<?> service, List<P> builtins) {
    this.what = what;
    this.typeField = typeField;
    this.blockPath = blockPath;
    this.service = service;
    this.builtins = List.copyOf(builtins);
  }

  /** Every name: built-ins first, then the discovered ones in classpath order. */
  public List<String> names() {
    return List.copyOf(all().keySet());
  }

  /** The config section that holds the plug-ins' own blocks, as a dotted path. */
  public String blockPath() {
    return blockPath;
  }

  /**
   * The implementation called {@code name}.
   *
   * @throws ConfigException naming the type field, the closest name and every known name
   */
  public P get(String name) {
    P p = name == null ? null : all().get(name);
    if (p == null) {
      List<String> names = names();
      throw new ConfigException(
          typeField,
          "unknown "
              + what
              + " '"
              + name
              + "'"
              + (name == null ? "" : DidYouMean.hint(name, names))
              + "; allowed: "
              + String.join(", ", names)
              + " (a plug-in jar on the classpath adds more: LLMCAP_CLASSPATH)");
    }
    return p;
  }

  /**
   * Binds and validates the options of {@code p} from the section's plug-in blocks.
   *
   * @param blocks the blocks found in the section, by plug-in name (may be null)
   * @return the options record, or null when {@code p} has none
   * @throws ConfigException for a block no plug-in owns, an unknown key, a wrong type or a value
   *     the plug-in rejects
   */
  public <O> O options(Plugin<O> p, Map<String, JsonNode> blocks) {
    Map<String, JsonNode> given = blocks == null ? Map.of() : blocks;
    List<String> owners = new ArrayList<>();
    for (P q : all().values()) {
      if (q.defaultOptions() != null) {
        owners.add(q.name());
      }
    }
    for (String key : given.keySet()) {
      if (!owners.contains(key)) {
        throw new ConfigException(
            blockPath + "." + key,
            "unknown key '"
                + key
                + "'"
                + DidYouMean.hint(key, owners)
                + (owners.isEmpty()
                    ? "; no " + what + " plug-in on the classpath has options"
                    : "; " + what + " plug-ins with options: " + String.join(", ", owners)));
      }
    }
    O defaults = p.defaultOptions();
    if (defaults == null) {
      return null;
    }
    String field = blockPath + "." + p.name();
    ObjectNode node = Yaml.yaml().valueToTree(defaults);
    JsonNode user = given.get(p.name());
    if (user != null) {
      Yaml.merge(node, user, field);
    }
    @SuppressWarnings("unchecked")
    Class<O> type = (Class<O>) defaults.getClass();
    O bound;
    try {
      bound = Yaml.bind(node, type, "");
    } catch (ConfigException e) {
      String message =
          e.field().isEmpty() ? e.getMessage() : e.getMessage().substring(e.field().length() + 2);
      throw new ConfigException(e.field().isEmpty() ? field : field + "." + e.field(), message, e);
    }
    p.validate(bound, field);
    return bound;
  }

  /**
   * Adds the default block of every implementation with options to {@code section}, so that the
   * resolved config documents them and the loader accepts (and checks) their keys.
   *
   * @throws ConfigException when a plug-in's name clashes with a key the section already has
   */
  public void addDefaults(ObjectNode section) {
    for (P p : all().values()) {
      Object defaults = p.defaultOptions();
      if (defaults == null) {
        continue;
      }
      if (section.has(p.name())) {
        throw new ConfigException(
            blockPath + "." + p.name(),
            "the "
                + what
                + " plug-in "
                + p.getClass().getName()
                + " is named like an existing key; rename the plug-in");
      }
      section.set(p.name(), Yaml.yaml().valueToTree(defaults));
    }
  }

  private Map<String, P> all() {
    Map<String, P> m = all;
    if (m == null) {
      synchronized (this) {
        m = all;
        if (m == null) {
          m = discover();
          all = m;
        }
      }
    }
    return m;
  }

  private Map<String, P> discover() {
    Map<String, P> byName = new LinkedHashMap<>();
    for (P p : builtins) {
      byName.put(p.name(), p);
    }
    Set<Class<?>> seen = new HashSet<>();
    for (ClassLoader loader : loaders()) {
      try {
        for (Object o : ServiceLoader.load(service, loader)) {
          if (!seen.add(o.getClass())) {
            continue;
          }
          @SuppressWarnings("unchecked")
          P p = (P) o;
          String name = p.name();
          if (name == null || !NAME.matcher(name).matches()) {
            throw new ConfigException(
                "plug-in " + o.getClass().getName(),
                what
                    + " name '"
                    + name
                    + "' is not allowed; allowed: lower case letters, digits and '_', starting"
                    + " with a letter");
          }
          P clash = byName.putIfAbsent(name, p);
          if (clash != null) {
            throw new ConfigException(
                "plug-in " + o.getClass().getName(),
                "the "
                    + what
                    + " name '"
                    + name
                    + "' is taken by "
                    + clash.getClass().getName()
                    + "; rename one of them");
          }
        }
      } catch (ServiceConfigurationError e) {
        throw new ConfigException(
            "plug-in", "cannot load a " + what + " plug-in: " + e.getMessage(), e);
      }
    }
    return Collections.unmodifiableMap(byName);
  }

  private static List<ClassLoader> loaders() {
    List<ClassLoader> out = new ArrayList<>();
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    if (context != null) {
      out.add(context);
    }
    ClassLoader own = Registry.class.getClassLoader();
    if (own != null && own != context) {
      out.add(own);
    }
    return out;
  }
}
