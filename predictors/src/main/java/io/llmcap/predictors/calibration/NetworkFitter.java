package io.llmcap.predictors.calibration;

import static io.llmcap.predictors.calibration.Fitting.fraction;
import static io.llmcap.predictors.calibration.Fitting.linkOf;
import static io.llmcap.predictors.calibration.Fitting.logit;
import static io.llmcap.predictors.calibration.Fitting.positive;
import static io.llmcap.predictors.calibration.Fitting.round;
import static io.llmcap.predictors.calibration.Fitting.withLink;

import io.llmcap.catalog.NodeSku;
import io.llmcap.predictors.roofline.Link;
import io.llmcap.predictors.roofline.RooflineCalibration.Fit;
import io.llmcap.predictors.roofline.RooflineCalibration.LinkGroup;
import io.llmcap.predictors.roofline.RooflineCalibration.NodeEntry;
import io.llmcap.predictors.roofline.RooflineParams;
import io.llmcap.predictors.roofline.RooflineProfileWriter;
import io.llmcap.timing.Operator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Fits the collectives of node types: per node type, collective and link, a bandwidth efficiency
 * and a latency fitted to the node's own measurements ({@link #fit}); then, per node type, a fit
 * for every link a deployment on it can use ({@link #entry}), its own, else its fit of the other
 * collective on the same link, else the nearest node type's ({@link #NEAREST_NODE}), else the
 * uncalibrated default.
 */
final class NetworkFitter {
  /** The collectives, in the order {@code calibration.yaml} lists them. */
  static final List<Operator> COLLECTIVES = List.of(Operator.ALL_REDUCE, Operator.SEND_RECV);

  /**
   * Node types without measurements of a (collective, link) borrow the same link's fit from these,
   * nearest first: 8-GPU all-to-all boxes from the H100 DGX; PCIe-only L40S servers from the
   * pairwise nodes' PCIe (4-GPU) all-reduces and their inter-node send/recv.
   */
  static final Map<String, List<String>> NEAREST_NODE =
      Map.of(
          "h200_dgx", List.of("h100_dgx"),
          "b200_dgx", List.of("h100_dgx"),
          "mi300x_oam", List.of("h100_dgx"),
          "l40s_pcie", List.of("a100_pairwise_nvlink", "h100_pairwise_nvlink"),
          "a40_pairwise_nvlink", List.of("a100_pairwise_nvlink"),
          "a100_pairwise_nvlink", List.of("h100_pairwise_nvlink"),
          "h100_pairwise_nvlink", List.of("a100_pairwise_nvlink"),
          "a100_dgx", List.of("h100_dgx"),
          "h100_dgx", List.of("a100_dgx"));

  private final ProfileDiscovery discovery;
  private final CalibrationReport report;

  /** Own fits: node type → collective → link. */
  private final Map<String, Map<Operator, Map<Link, LinkGroup>>> fits = new LinkedHashMap<>();

  NetworkFitter(ProfileDiscovery discovery, CalibrationReport report) {
    this.discovery = discovery;
    this.report = report;
  }

  /** Fits per collective and link of one node type's own measurements. */
  void fit(NodeSku node) {
    Map<Operator, Map<Link, LinkGroup>> out = new LinkedHashMap<>();
    Map<Link, List<Rows>> allReduce = discovery.allReduce(node);
    Map<Link, List<Rows>> sendRecv = discovery.sendRecv(node);
    out.put(Operator.ALL_REDUCE, fitLinks(node, Operator.ALL_REDUCE, allReduce));
    out.put(Operator.SEND_RECV, fitLinks(node, Operator.SEND_RECV, sendRecv));
    fits.put(node.name(), out);
  }

  private Map<Link, LinkGroup> fitLinks(
      NodeSku node, Operator collective, Map<Link, List<Rows>> in) {
    Map<Link, LinkGroup> out = new EnumMap<>(Link.class);
    RooflineParams defaults = RooflineParams.defaults();
    for (Map.Entry<Link, List<Rows>> e : in.entrySet()) {
      Link link = e.getKey();
      List<Rows> rows = HoldOut.split(e.getValue());
      Function<double[], RooflineParams> of =
          x ->
              withLink(
                  defaults,
                  collective,
                  link,
                  new RooflineParams.LinkFit(fraction(x[0]), positive(x[1])));
      double[] x =
          Fitting.fit(
              rows,
              of,
              new double[] {
                logit(defaults.network().defaultEff()), StrictMath.log(link.catalogLatencyUs(node))
              });
      RooflineParams.LinkFit f = linkOf(of.apply(x), collective, link);
      f = new RooflineParams.LinkFit(round(f.bandwidthEff()), round(f.latencyUs()));
      String name = collective.profileName();
      String path =
          discovery.relative(
              discovery.data().resolve("network").resolve(node.name()).resolve(name + ".csv"));
      Fit fit =
          report.fitted(
              node.name(),
              name + "/" + link.key(),
              rows,
              defaults,
              withLink(defaults, collective, link, f),
              new TreeSet<>(List.of(path)),
              s -> true);
      out.put(link, new LinkGroup(f, fit));
    }
    return out;
  }

  /** The node type's entry of {@code calibration.yaml}; after {@link #fit} of every node type. */
  NodeEntry entry(NodeSku node) {
    Map<Operator, Map<String, LinkGroup>> byCollective = new LinkedHashMap<>();
    for (Operator collective : COLLECTIVES) {
      Map<String, LinkGroup> links = new LinkedHashMap<>();
      for (Link link : linksUsed(node, collective)) {
        links.put(link.key(), linkGroup(node, collective, link));
      }
      byCollective.put(collective, links);
    }
    return new NodeEntry(
        byCollective.get(Operator.ALL_REDUCE), byCollective.get(Operator.SEND_RECV));
  }

  /** The links a deployment on this node can use for a collective. */
  private static List<Link> linksUsed(NodeSku node, Operator collective) {
    TreeSet<Link> links = new TreeSet<>();
    if (collective == Operator.ALL_REDUCE) {
      for (int tp : RooflineProfileWriter.TPS) {
        if (tp > 1 && tp <= node.devicesPerNode()) {
          links.add(Link.of(node, tp, false));
        }
      }
    } else {
      if (node.devicesPerNode() >= 2) {
        links.add(Link.of(node, 2, false));
      }
      links.add(Link.INTER_NODE);
    }
    return List.copyOf(links);
  }

  /**
   * A node's own fit of the collective on the link; else its fit of the other collective on the
   * same link (the link's measured speed says more than another node's); else the nearest node's
   * fit of the collective on that link; else the uncalibrated default.
   */
  private LinkGroup linkGroup(NodeSku node, Operator collective, Link link) {
    Operator other = collective == Operator.ALL_REDUCE ? Operator.SEND_RECV : Operator.ALL_REDUCE;
    LinkGroup own = fitOf(node.name(), collective, link);
    if (own != null) {
      return own;
    }
    LinkGroup sibling = fitOf(node.name(), other, link);
    if (sibling != null) {
      return new LinkGroup(
          sibling.params(),
          new Fit(
              node.name(),
              "no "
                  + collective.profileName()
                  + " measurement over "
                  + link.key()
                  + "; this node's "
                  + other.profileName()
                  + " fit over the same link",
              null,
              null,
              null,
              null,
              null));
    }
    for (String n : NEAREST_NODE.getOrDefault(node.name(), List.of())) {
      LinkGroup g = fitOf(n, collective, link);
      if (g != null) {
        return new LinkGroup(
            g.params(),
            CalibrationReport.borrowed(
                collective.profileName() + " " + link.key(), n, node.name()));
      }
    }
    RooflineParams.LinkFit def =
        new RooflineParams.LinkFit(
            RooflineParams.defaults().network().defaultEff(), link.catalogLatencyUs(node));
    return new LinkGroup(
        def,
        CalibrationReport.uncalibrated(
            "no "
                + collective.profileName()
                + " measurement over "
                + link.key()
                + " here or on a similar node"));
  }

  private LinkGroup fitOf(String node, Operator collective, Link link) {
    return fits.getOrDefault(node, Map.of()).getOrDefault(collective, Map.of()).get(link);
  }
}
