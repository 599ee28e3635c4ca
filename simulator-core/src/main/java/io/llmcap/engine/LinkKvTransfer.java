package io.llmcap.engine;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.catalog.NodeSku;
import io.llmcap.catalog.SlidingWindow;
import io.llmcap.request.Request;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The KV transfer of disaggregated serving, costed over the link between the two replicas:
 *
 * <pre>
 *   bytes   = prompt tokens × Σ layers (KV elements per token and layer, all heads) × KV-format bytes
 *             (a sliding-window layer moves at most its window of tokens)
 *   ranks   = min(GPUs of the prefill replica, GPUs of the decode replica): the KV is sharded over
 *             the ranks of each side, and each GPU sends or receives on its own link
 *   X       = bytes / (ranks × per-GPU link bandwidth)
 *   seconds = latency + X                                   (after the prefill ends)
 *   layerwise: latency + max(X / L, X − T × (L − 1) / L)    (T: the prefill's last iteration)
 * </pre>
 *
 * The layer-wise formula is a two-stage pipeline of L equal layers (compute T / L each, transfer X
 * / L each): it ends at max(T + X / L, T / L + X) after the iteration starts; subtract the T the
 * prefill takes anyway. When the link keeps up, only the last layer's transfer remains.
 *
 * <p>The link: NVLink when both replicas sit in one node whose GPUs all share the NVLink/NVSwitch
 * domain, PCIe when they share a node otherwise, and the GPUs' RDMA NICs ({@code
 * nic_bandwidth_gbps}, {@code nic_latency_us} in nodes.yaml) between nodes. Replicas are placed as
 * a scheduler would pack them: pools in order (prefill first), each replica into the current node
 * of its type while its GPUs fit, else into a new node; a replica larger than a node takes whole
 * nodes of its own.
 *
 * <p>Contention ({@link #start}): every GPU of a replica has one port of each link kind (its RDMA
 * NIC, its NVLink, its PCIe link), and a transfer needs {@code ranks} ports of its link's kind on
 * each side. Ports are granted first come, first served, in the order transfers start: a transfer
 * started at {@code now} takes the earliest-free ports of each side, its bytes go once the last of
 * them is free (free) and not before its first byte exists (first: {@code now}, or layer-wise the
 * end of the prefill's first layer, now − T × (L − 1) / L), and the ports stay busy until
 *
 * <pre>
 *   sent    = max(free, first) + latency + X
 *   arrives = max(now + seconds above, sent)
 * </pre>
 *
 * Without layer-wise transfer that is FIFO: the transfer starts at max(now, free) and takes latency
 * + X. Layer-wise, sent is the link's backlog with the bytes packed back to back from their first
 * chance (exact when the link is the bottleneck), so a transfer of the same prefill iteration uses
 * the link while an earlier one's layers wait for compute.
 */
final class LinkKvTransfer implements KvTransfer {
  private static final String[] KINDS = {"nvlink", "pcie", "rdma"};
  private final Placement placement;
  private final boolean layerwise;
  private final int[] gpus;
  // per replica, per link kind: when each of its GPUs' ports frees, ascending (null until used)
  private final double[][][] ports;

  LinkKvTransfer(List<Pool> pools, boolean layerwise) {
    this(
        pools.stream().map(Pool::deployment).toList(),
        pools.stream().map(p -> p.replicas().size()).toList(),
        layerwise);
  }

  LinkKvTransfer(List<Deployment> pools, List<Integer> replicas, boolean layerwise) {
    this.placement = Placement.of(pools, replicas);
    this.layerwise = layerwise;
    List<Integer> g = new ArrayList<>();
    for (int pi = 0; pi < pools.size(); pi++) {
      Deployment d = pools.get(pi);
      for (int i = 0; i < replicas.get(pi); i++) {
        g.add(d.tp() * d.pp());
      }
    }
    this.gpus = g.stream().mapToInt(Integer::intValue).toArray();
    this.ports = new double[gpus.length][KINDS.length][];
  }

  /** The bytes of the KV of {@code tokens} prompt tokens of {@code d}'s model, every layer. */
  static long bytes(Deployment d, int tokens) {
    ModelSpec m = d.model();
    long perLayer = (long) (m.kvElementsPerTokenPerLayer(1) * d.kvCache().bytesPerElement());
    SlidingWindow w = m.slidingWindow();
    int sliding = w == null || w.window() <= 0 ? 0 : w.layers();
    long full = (long) (m.numLayers() - sliding) * tokens;
    long windowed = sliding == 0 ? 0 : (long) sliding * Math.min(tokens, w.window());
    return perLayer * (full + windowed);
  }

  /**
   * Seconds from the end of the prefill (or the end of the wait for decode-side room) until the KV
   * is on the decode replica.
   *
   * @param tokens prompt tokens whose KV moves
   * @param prefillSeconds the request's last prefill iteration (overlapped when layer-wise)
   */
  static double seconds(
      Deployment from,
      Deployment to,
      Link link,
      int tokens,
      boolean layerwise,
      double prefillSeconds) {
    double x = wireSeconds(from, to, link, tokens);
    return link.latencySeconds() + afterPrefill(from, x, layerwise, prefillSeconds);
  }

  /** GPUs that send (and receive) in parallel: the narrower side's. */
  static int ranks(Deployment from, Deployment to) {
    return Math.min(from.tp() * from.pp(), to.tp() * to.pp());
  }

  /** X: the bytes over the ranks' links, latency aside. */
  private static double wireSeconds(Deployment from, Deployment to, Link link, int tokens) {
    return bytes(from, tokens) / (ranks(from, to) * link.bytesPerSecond());
  }

  /** Of X, what remains after the prefill ends (all of it unless layer-wise). */
  private static double afterPrefill(
      Deployment from, double x, boolean layerwise, double prefillSeconds) {
    if (!layerwise) {
      return x;
    }
    int layers = from.model().numLayers();
    return Math.max(x / layers, x - prefillSeconds * (layers - 1) / layers);
  }

  /**
   * Starts a transfer at {@code now} from replica {@code a} to replica {@code b} (global ids) on
   * the ports earlier transfers leave free (see the class comment), and holds its ports until it
   * arrives.
   *
   * @return seconds from {@code now} until the KV is on {@code b}
   */
  double start(
      Deployment from, int a, Deployment to, int b, int tokens, double prefillSeconds, double now) {
    Link link = placement.link(a, b);
    double x = wireSeconds(from, to, link, tokens);
    double alone = link.latencySeconds() + afterPrefill(from, x, layerwise, prefillSeconds);
    int ranks = ranks(from, to);
    double[] out = ports(a, link);
    double[] in = ports(b, link);
    double free = Math.max(out[ranks - 1], in[ranks - 1]);
    // the first byte can leave once the prefill's first layer has run (layer-wise) or it has ended
    double first =
        layerwise
            ? now - prefillSeconds * (from.model().numLayers() - 1) / from.model().numLayers()
            : now;
    double sent = Math.max(free, first) + link.latencySeconds() + x;
    hold(out, ranks, sent);
    hold(in, ranks, sent);
    // exactly the uncontended cost when the ports are free in time
    return free <= first ? alone : Math.max(alone, sent - now);
  }

  private double[] ports(int replica, Link link) {
    int k = Arrays.asList(KINDS).indexOf(link.kind());
    double[] p = ports[replica][k];
    if (p == null) {
      p = new double[gpus[replica]];
      Arrays.fill(p, Double.NEGATIVE_INFINITY);
      ports[replica][k] = p;
    }
    return p;
  }

  /** The {@code n} earliest-free ports (the first n, ascending) are busy until {@code until}. */
  private static void hold(double[] p, int n, double until) {
    Arrays.fill(p, 0, n, until);
    Arrays.sort(p);
  }

  @Override
  public double seconds(Request request, Pool from, Pool to) {
    return seconds(request, from, from.firstReplica(), to, to.firstReplica(), 0);
  }

  @Override
  public double seconds(
      Request request, Pool from, int fromReplica, Pool to, int toReplica, double prefillSeconds) {
    return seconds(
        from.deployment(),
        to.deployment(),
        placement.link(fromReplica, toReplica),
        request.prefillTokens(),
        layerwise,
        prefillSeconds);
  }

  @Override
  public double start(
      Request request,
      Pool from,
      int fromReplica,
      Pool to,
      int toReplica,
      double prefillSeconds,
      double now) {
    return start(
        from.deployment(),
        fromReplica,
        to.deployment(),
        toReplica,
        request.prefillTokens(),
        prefillSeconds,
        now);
  }

  @Override
  public long bytes(Request request, Pool from) {
    return bytes(from.deployment(), request.prefillTokens());
  }

  /** A link's kind, per-GPU bandwidth and latency. */
  record Link(String kind, double bytesPerSecond, double latencySeconds) {
    static Link nvlink(NodeSku n) {
      return new Link("nvlink", n.nvlinkBandwidthGbps() * 1e9, n.nvlinkLatencyUs() * 1e-6);
    }

    static Link pcie(NodeSku n) {
      return new Link("pcie", n.pcieBandwidthGbps() * 1e9, n.pcieLatencyUs() * 1e-6);
    }

    static Link nic(NodeSku a, NodeSku b) {
      return new Link(
          "rdma",
          Math.min(a.nicBandwidthGbps(), b.nicBandwidthGbps()) * 1e9,
          Math.max(a.nicLatencyUs(), b.nicLatencyUs()) * 1e-6);
    }
  }

  /** Which node each replica (by global id) sits in; see the class comment. */
  static final class Placement {
    private final int[] nodeOf;
    private final boolean[] wholeNodes;
    private final NodeSku[] type;
    private final int[] poolOf;
    private final int prefillReplicas;

    private Placement(int[] nodeOf, boolean[] wholeNodes, NodeSku[] nodeType, int[] poolOf, int p) {
      this.nodeOf = nodeOf;
      this.wholeNodes = wholeNodes;
      this.type = nodeType;
      this.poolOf = poolOf;
      this.prefillReplicas = p;
    }

    static Placement of(List<Deployment> pools, List<Integer> replicas) {
      int n = replicas.stream().mapToInt(Integer::intValue).sum();
      int[] nodeOf = new int[n];
      boolean[] whole = new boolean[n];
      NodeSku[] type = new NodeSku[n];
      int[] poolOf = new int[n];
      Map<String, int[]> open = new HashMap<>(); // node type → {node id, GPUs left}
      int nodes = 0;
      int id = 0;
      for (int pi = 0; pi < pools.size(); pi++) {
        Deployment d = pools.get(pi);
        NodeSku node = d.node();
        int gpus = d.devicesPerReplica();
        for (int i = 0; i < replicas.get(pi); i++, id++) {
          type[id] = node;
          poolOf[id] = pi;
          if (gpus > node.devicesPerNode()) {
            nodeOf[id] = nodes;
            whole[id] = true;
            nodes += (gpus + node.devicesPerNode() - 1) / node.devicesPerNode();
            continue;
          }
          int[] cur = open.get(node.name());
          if (cur == null || cur[1] < gpus) {
            cur = new int[] {nodes++, node.devicesPerNode()};
            open.put(node.name(), cur);
          }
          nodeOf[id] = cur[0];
          cur[1] -= gpus;
        }
      }
      return new Placement(nodeOf, whole, type, poolOf, replicas.get(0));
    }

    /** The link between replicas {@code a} and {@code b}. */
    Link link(int a, int b) {
      NodeSku n = type[a];
      if (nodeOf[a] == nodeOf[b] && !wholeNodes[a] && !wholeNodes[b]) {
        return n.nvlinkGroupSize() >= n.devicesPerNode() ? Link.nvlink(n) : Link.pcie(n);
      }
      if (!n.hasNic() || !type[b].hasNic()) {
        return null;
      }
      return Link.nic(n, type[b]);
    }

    /** Every prefill replica reaches every decode replica, or one error naming the pool's node. */
    void check(String f) {
      for (int a = 0; a < prefillReplicas; a++) {
        for (int b = prefillReplicas; b < nodeOf.length; b++) {
          if (link(a, b) == null) {
            boolean prefillLacks = !type[a].hasNic();
            NodeSku lacking = prefillLacks ? type[a] : type[b];
            throw ConfigException.invalid(
                f + (prefillLacks ? "prefill" : "decode") + ".node",
                lacking.name(),
                "a node type with an RDMA NIC (nodes.yaml nic_bandwidth_gbps): the KV of prefill"
                    + " replica "
                    + a
                    + " must reach decode replica "
                    + b
                    + " in another node, and "
                    + lacking.name()
                    + " has none");
          }
        }
      }
    }

    int node(int replica) {
      return nodeOf[replica];
    }

    int pool(int replica) {
      return poolOf[replica];
    }
  }
}
