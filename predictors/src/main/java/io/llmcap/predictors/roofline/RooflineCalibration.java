package io.llmcap.predictors.roofline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.llmcap.base.ConfigException;
import io.llmcap.base.Yaml;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The roofline parameters fitted per GPU SKU and node type to measured profiles: {@code
 * profiles/catalog/calibration.yaml}, shipped in the jar under {@code llmcap/catalog/} and written
 * by {@code io.llmcap.predictors.calibration.RooflineCalibrator}. Each parameter group says which
 * files it was fitted to and its held-out error, or which SKU or node it was borrowed from.
 */
public final class RooflineCalibration {
  static final String RESOURCE = "llmcap/catalog/calibration.yaml";

  // Like llmcap's YAML reader (snake_case keys), but one line per value however long: people
  // read this file too.
  private static final ObjectMapper WRITER =
      new YAMLMapper(
              YAMLFactory.builder()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .disable(YAMLGenerator.Feature.SPLIT_LINES)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                  .build())
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

  private static volatile RooflineCalibration builtin;

  private final CalibrationFile file;

  /** The whole file. Maps are ordered as written. */
  public record CalibrationFile(
      String calibratedOn,
      String method,
      Map<String, SkuEntry> skus,
      Map<String, NodeEntry> nodes) {}

  public record SkuEntry(GemmGroup gemm, ElementwiseGroup elementwise, AttentionGroup attention) {}

  public record GemmGroup(RooflineParams.Gemm params, Fit fit) {}

  public record ElementwiseGroup(RooflineParams.Elementwise params, Fit fit) {}

  public record AttentionGroup(RooflineParams.Attention params, Fit fit) {}

  /** Per collective, fits keyed by link ({@code nvlink}, {@code pcie}, {@code inter_node}). */
  public record NodeEntry(Map<String, LinkGroup> allReduce, Map<String, LinkGroup> sendRecv) {}

  public record LinkGroup(RooflineParams.LinkFit params, Fit fit) {}

  /**
   * Provenance and quality of one parameter group: either fitted ({@code sources}, row counts,
   * held-out MAPE in percent per op before and after calibration) or {@code borrowedFrom} another
   * SKU or node type, with the reason in {@code note}.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Fit(
      String borrowedFrom,
      String note,
      List<String> sources,
      Integer trainRows,
      Integer testRows,
      Map<String, Double> heldoutMapePctDefault,
      Map<String, Double> heldoutMapePct) {}

  public RooflineCalibration(CalibrationFile file) {
    this.file = file;
  }

  /** The calibration shipped inside the jar. */
  public static RooflineCalibration builtin() {
    RooflineCalibration c = builtin;
    if (c == null) {
      synchronized (RooflineCalibration.class) {
        if (builtin == null) {
          try (InputStream in =
              RooflineCalibration.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
              throw new IllegalStateException("calibration missing from the jar: " + RESOURCE);
            }
            builtin = parse(in, "calibration.yaml");
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
        c = builtin;
      }
    }
    return c;
  }

  public static RooflineCalibration read(Path path) {
    try (InputStream in = Files.newInputStream(path)) {
      return parse(in, path.toString());
    } catch (IOException e) {
      throw new ConfigException(path.toString(), "cannot read calibration: " + e.getMessage());
    }
  }

  private static RooflineCalibration parse(InputStream in, String name) {
    return new RooflineCalibration(Yaml.bind(Yaml.readTree(in, name), CalibrationFile.class, name));
  }

  public CalibrationFile file() {
    return file;
  }

  /**
   * The parameters for {@code sku} on {@code node}. A SKU the file does not know (a user's own
   * catalog) gets the uncalibrated defaults; a node it does not know gets the default collective
   * efficiency and the catalog's latencies. Either way {@link RooflineParams#source()} says so.
   */
  public RooflineParams params(String sku, String node) {
    RooflineParams defaults = RooflineParams.defaults();
    SkuEntry s = file.skus().get(sku);
    if (s == null) {
      return new RooflineParams(
          defaults.gemm(),
          defaults.elementwise(),
          defaults.attention(),
          defaults.network(),
          0,
          "uncalibrated defaults: no calibration for SKU '" + sku + "'");
    }
    NodeEntry n = file.nodes().get(node);
    RooflineParams.Network network =
        n == null
            ? defaults.network()
            : new RooflineParams.Network(
                links(n.allReduce()),
                links(n.sendRecv()),
                defaults.network().defaultEff(),
                defaults.network().ncclLaunchMs());
    return new RooflineParams(
        s.gemm().params(),
        s.elementwise().params(),
        s.attention().params(),
        network,
        0,
        "calibrated for "
            + sku
            + " / "
            + node
            + (n == null ? " (node uncalibrated)" : "")
            + ", calibration of "
            + file.calibratedOn());
  }

  private static Map<Link, RooflineParams.LinkFit> links(Map<String, LinkGroup> groups) {
    Map<Link, RooflineParams.LinkFit> out = new EnumMap<>(Link.class);
    if (groups != null) {
      groups.forEach((k, v) -> out.put(link(k), v.params()));
    }
    return out;
  }

  private static Link link(String key) {
    for (Link l : Link.values()) {
      if (l.key().equals(key)) {
        return l;
      }
    }
    throw ConfigException.invalid(
        "calibration.yaml: nodes.*.link", key.toLowerCase(Locale.ROOT), "nvlink, pcie, inter_node");
  }

  /** The file as YAML, after {@code header} (comment lines). */
  public String toYaml(String header) {
    try {
      return header + WRITER.writeValueAsString(file);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
