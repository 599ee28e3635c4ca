package io.llmcap.base;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Jackson set up once for every YAML and JSON file llmcap reads: snake_case keys, unknown keys
 * rejected, and binding errors turned into {@link ConfigException}s that name the field.
 */
public final class Yaml {
  private static final ObjectMapper YAML =
      configure(
          YAMLMapper.builder(
                  YAMLFactory.builder()
                      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                      .build())
              .build());
  private static final ObjectMapper JSON = configure(JsonMapper.builder().build());

  // Jackson quotes the offending input as ("text") or (number) in its messages
  private static final Pattern QUOTED_VALUE =
      Pattern.compile("\\(\"([^\"]*)\"\\)|value \\(([^)]*)\\)");

  private Yaml() {}

  private static ObjectMapper configure(ObjectMapper m) {
    m.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    m.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    m.enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);
    m.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS);
    m.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    return m;
  }

  public static ObjectMapper yaml() {
    return YAML;
  }

  public static ObjectMapper json() {
    return JSON;
  }

  /** Parses YAML text into a tree; syntax errors name the file and line. */
  public static JsonNode readTree(InputStream in, String file) {
    try {
      JsonNode node = YAML.readTree(in);
      if (node == null || node.isMissingNode() || node.isNull()) {
        throw new ConfigException(file, "the file is empty");
      }
      return node;
    } catch (JsonProcessingException e) {
      String first = e.getOriginalMessage().lines().findFirst().orElse("syntax error");
      throw new ConfigException(file, "malformed YAML: " + first + location(e));
    } catch (IOException e) {
      throw new ConfigException(file, "cannot read: " + e.getMessage());
    }
  }

  /** Binds a tree to a record, naming the field path of any mismatch. */
  public static <T> T bind(JsonNode node, Class<T> type, String file) {
    try {
      return YAML.treeToValue(node, type);
    } catch (UnrecognizedPropertyException e) {
      List<String> known =
          e.getKnownPropertyIds() == null
              ? List.of()
              : e.getKnownPropertyIds().stream().map(Object::toString).sorted().toList();
      throw new ConfigException(
          path(file, e),
          "unknown key '"
              + e.getPropertyName()
              + "'"
              + DidYouMean.hint(e.getPropertyName(), known)
              + "; allowed keys: "
              + String.join(", ", known));
    } catch (InvalidFormatException e) {
      throw new ConfigException(
          path(file, e),
          "value '" + e.getValue() + "' is not a valid " + typeName(e.getTargetType()));
    } catch (MismatchedInputException e) {
      Matcher m = QUOTED_VALUE.matcher(String.valueOf(e.getOriginalMessage()));
      String value =
          m.find() ? "value '" + (m.group(1) != null ? m.group(1) : m.group(2)) + "' " : "";
      throw new ConfigException(
          path(file, e), value + "is not a valid " + typeName(e.getTargetType()));
    } catch (JsonMappingException e) {
      throw new ConfigException(path(file, e), e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw new ConfigException(file, e.getOriginalMessage());
    }
  }

  private static String path(String file, JsonMappingException e) {
    List<String> parts = new ArrayList<>();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        parts.add(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        int last = parts.size() - 1;
        if (last >= 0) {
          parts.set(last, parts.get(last) + "[" + r.getIndex() + "]");
        } else {
          parts.add("[" + r.getIndex() + "]");
        }
      }
    }
    String field = parts.stream().collect(Collectors.joining("."));
    if (file == null || file.isEmpty()) {
      return field;
    }
    return field.isEmpty() ? file : file + ": " + field;
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null
        ? ""
        : " (line "
            + e.getLocation().getLineNr()
            + ", column "
            + e.getLocation().getColumnNr()
            + ")";
  }

  private static String typeName(Class<?> t) {
    if (t == null) {
      return "value";
    }
    if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
      return "integer";
    }
    if (t == double.class || t == Double.class) {
      return "number";
    }
    if (t == boolean.class || t == Boolean.class) {
      return "boolean (true/false)";
    }
    if (t == String.class) {
      return "string";
    }
    if (List.class.isAssignableFrom(t)) {
      return "list";
    }
    if (t.isEnum()) {
      return "one of " + java.util.Arrays.toString(t.getEnumConstants()).toLowerCase();
    }
    return "mapping (" + t.getSimpleName() + ")";
  }

  /** Merges {@code overlay} into {@code base} in place, rejecting keys {@code base} lacks. */
  public static void merge(ObjectNode base, JsonNode overlay, String path) {
    merge(base, overlay, path, Map.of());
  }

  /**
   * As {@link #merge(ObjectNode, JsonNode, String)}, where a key whose default is null may hold a
   * mapping: {@code templates} gives, by dotted path, the keys and defaults the mapping is merged
   * into (strictly, as everywhere else); a null overlay turns such a block off again.
   */
  public static void merge(
      ObjectNode base, JsonNode overlay, String path, Map<String, ObjectNode> templates) {
    if (!overlay.isObject()) {
      throw new ConfigException(path.isEmpty() ? "config" : path, "expected a mapping of keys");
    }
    Iterator<Map.Entry<String, JsonNode>> it = overlay.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      String field = path.isEmpty() ? key : path + "." + key;
      JsonNode current = base.get(key);
      if (current == null) {
        throw unknownKey(field, key, base);
      }
      ObjectNode template = templates.get(field);
      if (template != null) {
        if (e.getValue().isNull()) {
          base.set(key, e.getValue());
          continue;
        }
        if (current.isNull() && e.getValue().isObject()) {
          current = template.deepCopy();
          base.set(key, current);
        }
      }
      if (current.isObject()) {
        if (e.getValue().isNull()) {
          throw new ConfigException(field, "expected a mapping of keys, got null");
        }
        merge((ObjectNode) current, e.getValue(), field, templates);
      } else {
        if (e.getValue().isContainerNode()) {
          throw new ConfigException(
              field, "expected a single value, got " + describe(e.getValue()));
        }
        base.set(key, e.getValue());
      }
    }
  }

  private static ConfigException unknownKey(String field, String key, ObjectNode level) {
    List<String> known = new ArrayList<>();
    level.fieldNames().forEachRemaining(known::add);
    return new ConfigException(
        field,
        "unknown key '"
            + key
            + "'"
            + DidYouMean.hint(key, known)
            + "; allowed keys here: "
            + String.join(", ", known));
  }

  private static String describe(JsonNode n) {
    return n.isArray() ? "a list" : "a mapping";
  }
}
