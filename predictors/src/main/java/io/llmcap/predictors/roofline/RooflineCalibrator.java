package io.llmcap.predictors.roofline;

import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.DeviceSku;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.catalog.NodeSku;
import io.llmcap.config.ConfigException;
import io.llmcap.predictors.profile.OpSamples;
import io.llmcap.predictors.profile.ProfileFolder;
import io.llmcap.predictors.roofline.RooflineCalibration.AttentionGroup;
import io.llmcap.predictors.roofline.RooflineCalibration.CalibrationFile;
import io.llmcap.predictors.roofline.RooflineCalibration.ElementwiseGroup;
import io.llmcap.predictors.roofline.RooflineCalibration.Fit;
import io.llmcap.predictors.roofline.RooflineCalibration.GemmGroup;
import io.llmcap.predictors.roofline.RooflineCalibration.LinkGroup;
import io.llmcap.predictors.roofline.RooflineCalibration.NodeEntry;
import io.llmcap.predictors.roofline.RooflineCalibration.SkuEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Fits {@link RooflineParams} per GPU SKU and node type to measured profiles in the reference
 * layout ({@code compute/<sku>/<org>/<model>/mlp.csv} and {@code attention.csv}, legacy {@code
 * compute-legacy/<sku>/attention_n_embd<E>_q<Q>_kv<K>_tp<T>.csv}, {@code
 * network/<node>/all_reduce.csv} and {@code send_recv.csv}), read through {@link ProfileFolder}.
 *
 * <p>Method: rows faster than the op's physical lower bound (100% of peak FLOP/s and bandwidth, no
 * overhead) are measurement errors and dropped. The distinct feature values of each group (token
 * counts, (batch, KV) pairs, message sizes) are sorted and every fifth one, starting with the
 * third, is held out; the rest train. Each parameter group minimises the mean absolute log error
 * over its training rows with {@link NelderMead} in an unconstrained space (logit for efficiencies,
 * log for positive figures), starting from {@link RooflineParams#defaults()}; fitted figures are
 * rounded to 4 significant digits and the held-out MAPE is that of the rounded figures. GEMMs are
 * fitted first, then elementwise ops, then attention (its prefill memory side uses the GEMM memory
 * efficiency, the KV-cache save the elementwise launch).
 */
public final class RooflineCalibrator {
  static final int[] TPS = {1, 2, 4, 8};
  static final List<String> GEMM_OPS =
      List.of("attn_pre_proj", "attn_post_proj", "mlp_up_proj", "mlp_down_proj");
  static final List<String> ELEMENTWISE_OPS =
      List.of("input_layernorm", "post_attention_layernorm", "attn_rope", "mlp_act", "add");

  /** GEMM MAPE is reported from this many tokens on: below, launch overhead dominates. */
  public static final int GEMM_MAPE_MIN_TOKENS = 64;

  /**
   * Where a SKU without its own measurements of a parameter group borrows them, nearest first: the
   * same architecture generation and form factor, then the closest measured part. H200 and B200 are
   * Hopper/Blackwell SXM parts like H100 (same kernels, same software stack); MI300X has no
   * measured AMD part, so the measured data-center flagship (H100) stands in; L40S is a PCIe GDDR6
   * card like the A40. A100 borrows only the KV-cache save from A30 (its attention profile has no
   * such column).
   */
  static final Map<String, List<String>> NEAREST_SKU =
      Map.of(
          "a100", List.of("h100", "a30"),
          "h100", List.of("a100"),
          "a40", List.of("a30", "a100"),
          "a30", List.of("a100"),
          "h200", List.of("h100", "a100"),
          "b200", List.of("h100", "a100"),
          "mi300x", List.of("h100", "a100"),
          "l40s", List.of("a40", "a30", "a100"));

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

  private static final Pattern LEGACY_ATTENTION =
      Pattern.compile("attention_n_embd(\\d+)_q(\\d+)_kv(\\d+)_tp(\\d+)\\.csv");
  private static final int SIGNIFICANT_DIGITS = 4;
  private static final int MAX_EVALS = 4000;

  private final Path data;
  private final Catalog catalog;
  private final ProfileFolder profiles;
  private final StringBuilder report = new StringBuilder();

  /** One measured row: the op, its profile features, the median time and whether it is held out. */
  record Sample(String op, double[] x, double y, boolean test) {}

  /** Rows of one deployment, with the roofline of that deployment under given parameters. */
  record Rows(Function<RooflineParams, RooflineOps> ops, List<Sample> samples) {}

  /** The outcome: the calibration and a human-readable before/after table. */
  public record Result(RooflineCalibration calibration, String report) {}

  public RooflineCalibrator(Path data, Catalog catalog) {
    this.data = data;
    this.catalog = catalog;
    this.profiles = ProfileFolder.open(data);
  }

  public Result calibrate(String date) {
    report.setLength(0);
    report.append(
        String.format(
            Locale.ROOT,
            "%-20s %-21s %-24s %7s %9s %9s%n",
            "target",
            "group",
            "op",
            "heldout",
            "MAPE def",
            "MAPE cal"));
    Map<String, SkuEntry> skus = new LinkedHashMap<>();
    Map<String, Measured> measured = new LinkedHashMap<>();
    for (DeviceSku sku : catalog.skus().values()) {
      measured.put(sku.name(), measure(sku));
    }
    for (DeviceSku sku : catalog.skus().values()) {
      skus.put(sku.name(), fitSku(sku.name(), measured));
    }
    Map<String, NodeEntry> nodes = new LinkedHashMap<>();
    Map<String, Map<String, Map<Link, LinkGroup>>> networkFits = new LinkedHashMap<>();
    for (NodeSku node : catalog.nodes().values()) {
      networkFits.put(node.name(), fitNetwork(node));
    }
    for (NodeSku node : catalog.nodes().values()) {
      nodes.put(node.name(), nodeEntry(node, networkFits));
    }
    String method =
        "Fitted by `llmcap profile calibrate` (RooflineCalibrator) to the measured profiles of the"
            + " reference profiler: rows faster than the physical bound dropped; every fifth"
            + " distinct feature value held out; mean absolute log error minimised by Nelder-Mead"
            + " on the rest; figures rounded to 4 significant digits. Held-out MAPE in percent, of"
            + " the uncalibrated defaults and of these figures; GEMM MAPE from "
            + GEMM_MAPE_MIN_TOKENS
            + " tokens on.";
    CalibrationFile file = new CalibrationFile(date, method, skus, nodes);
    return new Result(new RooflineCalibration(file), report.toString());
  }

  // ---------------------------------------------------------------------------------------------
  // Compute: reading

  /** The rows a SKU has, per parameter group, each with the relative paths they came from. */
  private record Measured(
      List<Rows> gemm,
      List<Rows> elementwise,
      List<Rows> prefill,
      List<Rows> decode,
      List<Rows> kvSave,
      TreeSet<String> mlpSources,
      TreeSet<String> attentionSources) {}

  private Measured measure(DeviceSku sku) {
    NodeSku node = RooflineProfileWriter.naturalNode(catalog, sku);
    List<Rows> gemm = new ArrayList<>();
    List<Rows> elementwise = new ArrayList<>();
    List<Rows> prefill = new ArrayList<>();
    List<Rows> decode = new ArrayList<>();
    List<Rows> kvSave = new ArrayList<>();
    TreeSet<String> mlpSources = new TreeSet<>();
    TreeSet<String> attentionSources = new TreeSet<>();
    Path computeDir = data.resolve("compute").resolve(sku.name());
    for (Path modelDir : modelDirs(computeDir)) {
      String name = computeDir.relativize(modelDir).toString().replace('\\', '/');
      ModelSpec model = catalog.models().get(name);
      if (model == null) {
        continue; // a profile of a model the catalog does not know: no shape to evaluate
      }
      for (int tp : tps(model)) {
        Deployment dep = new Deployment(model, sku, node, tp, 1);
        Function<RooflineParams, RooflineOps> roofline = p -> new RooflineOps(dep, p);
        if (Files.isRegularFile(modelDir.resolve("mlp.csv"))) {
          List<OpSamples> ops = selected(() -> profiles.mlp(model, sku.name(), tp));
          if (ops != null) {
            mlpSources.add(relative(modelDir.resolve("mlp.csv")));
            gemm.add(rows(roofline, ops, GEMM_OPS));
            elementwise.add(rows(roofline, ops, ELEMENTWISE_OPS));
          }
        }
        if (Files.isRegularFile(modelDir.resolve("attention.csv"))) {
          List<OpSamples> ops = selected(() -> profiles.attention(model, sku.name(), tp));
          if (ops != null) {
            attentionSources.add(relative(modelDir.resolve("attention.csv")));
            addAttention(roofline, ops, prefill, decode, kvSave);
          }
        }
      }
    }
    for (Path legacy : files(data.resolve("compute-legacy").resolve(sku.name()))) {
      Matcher m = LEGACY_ATTENTION.matcher(legacy.getFileName().toString());
      if (!m.matches()) {
        continue;
      }
      int tp = Integer.parseInt(m.group(4));
      ModelSpec model =
          catalog.models().values().stream()
              .filter(
                  s ->
                      s.embeddingDim() == Integer.parseInt(m.group(1))
                          && s.numQHeads() == Integer.parseInt(m.group(2))
                          && s.numKvHeads() == Integer.parseInt(m.group(3)))
              .findFirst()
              .orElse(null);
      if (model == null) {
        continue;
      }
      attentionSources.add(relative(legacy));
      Deployment dep = new Deployment(model, sku, node, tp, 1);
      addAttention(
          p -> new RooflineOps(dep, p),
          ProfileFolder.attentionFile(legacy, model, tp),
          prefill,
          decode,
          kvSave);
    }
    return new Measured(gemm, elementwise, prefill, decode, kvSave, mlpSources, attentionSources);
  }

  private static void addAttention(
      Function<RooflineParams, RooflineOps> roofline,
      List<OpSamples> ops,
      List<Rows> prefill,
      List<Rows> decode,
      List<Rows> kvSave) {
    prefill.add(rows(roofline, ops, List.of(ProfileFolder.ATTN_PREFILL)));
    decode.add(rows(roofline, ops, List.of(ProfileFolder.ATTN_DECODE)));
    kvSave.add(rows(roofline, ops, List.of(ProfileFolder.ATTN_KV_CACHE_SAVE)));
  }

  /** The samples of {@code ops} that are positive and not faster than physically possible. */
  private static Rows rows(
      Function<RooflineParams, RooflineOps> roofline, List<OpSamples> samples, List<String> ops) {
    RooflineOps ideal = roofline.apply(idealParams());
    List<Sample> out = new ArrayList<>();
    for (OpSamples s : samples) {
      if (!ops.contains(s.op())) {
        continue;
      }
      for (int i = 0; i < s.size(); i++) {
        double y = s.targetMs()[i];
        double[] x = s.features()[i];
        if (y > 0 && y >= ideal.predictMs(s.op(), x)) {
          out.add(new Sample(s.op(), x, y, false));
        }
      }
    }
    return new Rows(roofline, out);
  }

  /** Marks every fifth distinct feature vector, starting with the third, as held out. */
  private static List<Rows> split(List<Rows> groups) {
    TreeSet<List<Double>> keys = new TreeSet<>(RooflineCalibrator::compareKeys);
    for (Rows r : groups) {
      for (Sample s : r.samples()) {
        keys.add(key(s.x()));
      }
    }
    Map<List<Double>, Boolean> test = new TreeMap<>(RooflineCalibrator::compareKeys);
    int i = 0;
    for (List<Double> k : keys) {
      test.put(k, i++ % 5 == 2);
    }
    List<Rows> out = new ArrayList<>();
    for (Rows r : groups) {
      List<Sample> samples = new ArrayList<>();
      for (Sample s : r.samples()) {
        samples.add(new Sample(s.op(), s.x(), s.y(), test.get(key(s.x()))));
      }
      out.add(new Rows(r.ops(), samples));
    }
    return out;
  }

  private static List<Double> key(double[] x) {
    return Arrays.stream(x).boxed().toList();
  }

  private static int compareKeys(List<Double> a, List<Double> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = Double.compare(a.get(i), b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  // ---------------------------------------------------------------------------------------------
  // Compute: fitting

  private final Map<String, GemmGroup> ownGemm = new LinkedHashMap<>();
  private final Map<String, ElementwiseGroup> ownElementwise = new LinkedHashMap<>();
  private final Map<String, AttentionGroup> ownAttention = new LinkedHashMap<>();

  /**
   * Each group is fitted to the SKU's own rows or, without them, borrowed from the nearest SKU that
   * has rows of its own (so a borrowed group is always a fitted one, never a chain).
   */
  private SkuEntry fitSku(String sku, Map<String, Measured> measured) {
    RooflineParams defaults = RooflineParams.defaults();
    String gemmFrom = nearest(sku, measured, m -> !isEmpty(m.gemm()));
    GemmGroup gemm =
        gemmFrom == null
            ? new GemmGroup(defaults.gemm(), uncalibrated("no GEMM measurements"))
            : gemmOf(gemmFrom, measured);
    String ewFrom = nearest(sku, measured, m -> !isEmpty(m.elementwise()));
    ElementwiseGroup elementwise =
        ewFrom == null
            ? new ElementwiseGroup(
                defaults.elementwise(), uncalibrated("no elementwise measurements"))
            : elementwiseOf(ewFrom, measured);
    String attnFrom = nearest(sku, measured, m -> !isEmpty(m.prefill()) && !isEmpty(m.decode()));
    AttentionGroup attention =
        attnFrom == null
            ? new AttentionGroup(defaults.attention(), uncalibrated("no attention measurements"))
            : attentionOf(attnFrom, measured);
    if (gemmFrom != null && !gemmFrom.equals(sku)) {
      gemm = new GemmGroup(gemm.params(), borrowed("GEMM", gemmFrom, sku));
    }
    if (ewFrom != null && !ewFrom.equals(sku)) {
      elementwise =
          new ElementwiseGroup(elementwise.params(), borrowed("elementwise", ewFrom, sku));
    }
    if (attnFrom != null && !attnFrom.equals(sku)) {
      attention = new AttentionGroup(attention.params(), borrowed("attention", attnFrom, sku));
    }
    return new SkuEntry(gemm, elementwise, attention);
  }

  private GemmGroup gemmOf(String sku, Map<String, Measured> measured) {
    return ownGemm.computeIfAbsent(sku, s -> fitGemm(s, measured.get(s)));
  }

  private ElementwiseGroup elementwiseOf(String sku, Map<String, Measured> measured) {
    return ownElementwise.computeIfAbsent(sku, s -> fitElementwise(s, measured.get(s)));
  }

  /** Attention of a SKU with attention rows, on top of its own or borrowed GEMM fit. */
  private AttentionGroup attentionOf(String sku, Map<String, Measured> measured) {
    AttentionGroup a = ownAttention.get(sku);
    if (a == null) {
      String gemmFrom = nearest(sku, measured, m -> !isEmpty(m.gemm()));
      String ewFrom = nearest(sku, measured, m -> !isEmpty(m.elementwise()));
      RooflineParams defaults = RooflineParams.defaults();
      a =
          fitAttention(
              sku,
              measured,
              gemmFrom == null ? defaults.gemm() : gemmOf(gemmFrom, measured).params(),
              ewFrom == null ? defaults.elementwise() : elementwiseOf(ewFrom, measured).params());
      ownAttention.put(sku, a);
    }
    return a;
  }

  private static String nearest(
      String sku, Map<String, Measured> measured, Predicate<Measured> has) {
    List<String> order = new ArrayList<>();
    order.add(sku);
    order.addAll(NEAREST_SKU.getOrDefault(sku, List.of()));
    for (String s : order) {
      Measured m = measured.get(s);
      if (m != null && has.test(m)) {
        return s;
      }
    }
    return null;
  }

  private GemmGroup fitGemm(String sku, Measured m) {
    List<Rows> rows = split(m.gemm());
    RooflineParams base = RooflineParams.defaults();
    RooflineParams.Gemm d = base.gemm();
    Function<double[], RooflineParams> of =
        x ->
            withGemm(
                base,
                new RooflineParams.Gemm(
                    fraction(x[0]), positive(x[1]), fraction(x[2]), positive(x[3])));
    double[] x =
        fit(
            rows,
            of,
            new double[] {
              logit(d.effMax()),
              StrictMath.log(d.halfTokens()),
              logit(d.memoryEff()),
              StrictMath.log(d.launchMs())
            });
    RooflineParams.Gemm g = of.apply(x).gemm();
    g =
        new RooflineParams.Gemm(
            round(g.effMax()), round(g.halfTokens()), round(g.memoryEff()), round(g.launchMs()));
    Predicate<Sample> large = s -> s.x()[0] >= GEMM_MAPE_MIN_TOKENS;
    Fit fit = fitRecord(sku, "gemm", rows, base, withGemm(base, g), m.mlpSources(), large);
    return new GemmGroup(g, fit);
  }

  private ElementwiseGroup fitElementwise(String sku, Measured m) {
    List<Rows> rows = split(m.elementwise());
    RooflineParams base = RooflineParams.defaults();
    RooflineParams.Elementwise d = base.elementwise();
    Function<double[], RooflineParams> of =
        x ->
            withElementwise(
                base,
                new RooflineParams.Elementwise(
                    fraction(x[0]),
                    fraction(x[1]),
                    fraction(x[2]),
                    fraction(x[3]),
                    positive(x[4])));
    double[] x =
        fit(
            rows,
            of,
            new double[] {
              logit(d.normEff()),
              logit(d.ropeEff()),
              logit(d.actEff()),
              logit(d.addEff()),
              StrictMath.log(d.launchMs())
            });
    RooflineParams.Elementwise e = of.apply(x).elementwise();
    e =
        new RooflineParams.Elementwise(
            round(e.normEff()),
            round(e.ropeEff()),
            round(e.actEff()),
            round(e.addEff()),
            round(e.launchMs()));
    Fit fit =
        fitRecord(
            sku, "elementwise", rows, base, withElementwise(base, e), m.mlpSources(), s -> true);
    return new ElementwiseGroup(e, fit);
  }

  private AttentionGroup fitAttention(
      String sku,
      Map<String, Measured> measured,
      RooflineParams.Gemm gemm,
      RooflineParams.Elementwise elementwise) {
    Measured m = measured.get(sku);
    RooflineParams defaults = RooflineParams.defaults();
    RooflineParams base = withElementwise(withGemm(defaults, gemm), elementwise);
    RooflineParams.Attention d = base.attention();

    List<Rows> prefill = split(m.prefill());
    Function<double[], RooflineParams> prefillOf =
        x ->
            withAttention(
                base,
                new RooflineParams.Attention(
                    fraction(x[0]),
                    0.5 + 3.5 * fraction(x[1]),
                    positive(x[2]),
                    d.decodeEff(),
                    d.decodeHalfHeads(),
                    d.decodeLaunchMs(),
                    d.kvSaveEff(),
                    d.kvSaveLaunchMs()));
    RooflineParams.Attention p =
        prefillOf
            .apply(
                fit(
                    prefill,
                    prefillOf,
                    new double[] {
                      logit(d.prefillEff()), logit(1e-3), StrictMath.log(d.prefillLaunchMs())
                    }))
            .attention();

    List<Rows> decode = split(m.decode());
    Function<double[], RooflineParams> decodeOf =
        x ->
            withAttention(
                base,
                new RooflineParams.Attention(
                    d.prefillEff(),
                    d.prefillCausalFactor(),
                    d.prefillLaunchMs(),
                    fraction(x[0]),
                    positive(x[1]),
                    positive(x[2]),
                    d.kvSaveEff(),
                    d.kvSaveLaunchMs()));
    RooflineParams.Attention q =
        decodeOf
            .apply(
                fit(
                    decode,
                    decodeOf,
                    new double[] {logit(d.decodeEff()), 0, StrictMath.log(d.decodeLaunchMs())}))
            .attention();

    // The KV-cache save is measured only with some attention profiles; borrow it otherwise.
    String saveFrom = nearest(sku, measured, x -> !isEmpty(x.kvSave()));
    List<Rows> save = saveFrom == null ? List.of() : split(measured.get(saveFrom).kvSave());
    RooflineParams.Attention k = d;
    if (saveFrom != null) {
      Function<double[], RooflineParams> saveOf =
          x -> withAttention(base, withKvSave(d, fraction(x[0]), positive(x[1])));
      k =
          saveOf
              .apply(
                  fit(
                      save,
                      saveOf,
                      new double[] {logit(d.kvSaveEff()), StrictMath.log(d.kvSaveLaunchMs())}))
              .attention();
    }
    RooflineParams.Attention a =
        new RooflineParams.Attention(
            round(p.prefillEff()),
            round(p.prefillCausalFactor()),
            round(p.prefillLaunchMs()),
            round(q.decodeEff()),
            round(q.decodeHalfHeads()),
            round(q.decodeLaunchMs()),
            round(k.kvSaveEff()),
            round(k.kvSaveLaunchMs()));

    List<Rows> all = new ArrayList<>(prefill);
    all.addAll(decode);
    if (sku.equals(saveFrom)) {
      all.addAll(save);
    }
    Fit fit =
        fitRecord(
            sku,
            "attention",
            all,
            defaults,
            withAttention(base, a),
            m.attentionSources(),
            s -> true);
    if (saveFrom == null) {
      fit = withNote(fit, "kv_save_*: uncalibrated defaults (no KV-cache save measured)");
    } else if (!saveFrom.equals(sku)) {
      fit =
          withNote(
              fit,
              "kv_save_* fitted to "
                  + saveFrom
                  + "'s KV-cache save times ("
                  + sku
                  + "'s attention profile has none): "
                  + String.join(", ", measured.get(saveFrom).attentionSources()));
    }
    return new AttentionGroup(a, fit);
  }

  // ---------------------------------------------------------------------------------------------
  // Network

  /** Fits per collective and link of one node type's own measurements. */
  private Map<String, Map<Link, LinkGroup>> fitNetwork(NodeSku node) {
    Map<String, Map<Link, LinkGroup>> out = new LinkedHashMap<>();
    Map<Link, List<Rows>> allReduce = new EnumMap<>(Link.class);
    for (int tp : TPS) {
      if (tp == 1 || tp > node.devicesPerNode()) {
        continue;
      }
      // Hidden size 1: the samples count fp16 elements, as the per-element ops do.
      OpSamples s = selected(() -> profiles.allReduce(node.name(), tp, 1));
      if (s != null) {
        allReduce
            .computeIfAbsent(Link.of(node, tp, false), k -> new ArrayList<>())
            .add(rows(perElement(node, tp, 1), List.of(s), List.of(ProfileFolder.ALL_REDUCE)));
      }
    }
    Map<Link, List<Rows>> sendRecv = new EnumMap<>(Link.class);
    for (boolean multiNode : new boolean[] {false, true}) {
      OpSamples s = selected(() -> profiles.sendRecv(node.name(), multiNode, 1));
      // Two stages of one node, or as many stages as it takes to leave the node.
      int pp = multiNode ? node.devicesPerNode() + 1 : 2;
      if (s != null && (pp > node.devicesPerNode()) == multiNode) {
        sendRecv
            .computeIfAbsent(Link.of(node, 2, multiNode), k -> new ArrayList<>())
            .add(rows(perElement(node, 1, pp), List.of(s), List.of(ProfileFolder.SEND_RECV)));
      }
    }
    out.put(ProfileFolder.ALL_REDUCE, fitLinks(node, ProfileFolder.ALL_REDUCE, allReduce));
    out.put(ProfileFolder.SEND_RECV, fitLinks(node, ProfileFolder.SEND_RECV, sendRecv));
    return out;
  }

  private Map<Link, LinkGroup> fitLinks(NodeSku node, String collective, Map<Link, List<Rows>> in) {
    Map<Link, LinkGroup> out = new EnumMap<>(Link.class);
    RooflineParams defaults = RooflineParams.defaults();
    for (Map.Entry<Link, List<Rows>> e : in.entrySet()) {
      Link link = e.getKey();
      List<Rows> rows = split(e.getValue());
      Function<double[], RooflineParams> of =
          x ->
              withLink(
                  defaults,
                  collective,
                  link,
                  new RooflineParams.LinkFit(fraction(x[0]), positive(x[1])));
      double[] x =
          fit(
              rows,
              of,
              new double[] {
                logit(defaults.network().defaultEff()), StrictMath.log(link.catalogLatencyUs(node))
              });
      RooflineParams.LinkFit f = linkOf(of.apply(x), collective, link);
      f = new RooflineParams.LinkFit(round(f.bandwidthEff()), round(f.latencyUs()));
      String path =
          relative(data.resolve("network").resolve(node.name()).resolve(collective + ".csv"));
      Fit fit =
          fitRecord(
              node.name(),
              collective + "/" + link.key(),
              rows,
              defaults,
              withLink(defaults, collective, link, f),
              new TreeSet<>(List.of(path)),
              s -> true);
      out.put(link, new LinkGroup(f, fit));
    }
    return out;
  }

  private NodeEntry nodeEntry(NodeSku node, Map<String, Map<String, Map<Link, LinkGroup>>> fits) {
    Map<String, Map<String, LinkGroup>> byCollective = new LinkedHashMap<>();
    for (String collective : List.of(ProfileFolder.ALL_REDUCE, ProfileFolder.SEND_RECV)) {
      Map<String, LinkGroup> links = new LinkedHashMap<>();
      for (Link link : linksUsed(node, collective)) {
        links.put(link.key(), linkGroup(node, collective, link, fits));
      }
      byCollective.put(collective, links);
    }
    return new NodeEntry(
        byCollective.get(ProfileFolder.ALL_REDUCE), byCollective.get(ProfileFolder.SEND_RECV));
  }

  /** The links a deployment on this node can use for a collective. */
  private static List<Link> linksUsed(NodeSku node, String collective) {
    TreeSet<Link> links = new TreeSet<>();
    if (collective.equals(ProfileFolder.ALL_REDUCE)) {
      for (int tp : TPS) {
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
  private LinkGroup linkGroup(
      NodeSku node,
      String collective,
      Link link,
      Map<String, Map<String, Map<Link, LinkGroup>>> fits) {
    String other =
        collective.equals(ProfileFolder.ALL_REDUCE)
            ? ProfileFolder.SEND_RECV
            : ProfileFolder.ALL_REDUCE;
    LinkGroup own = fitOf(fits, node.name(), collective, link);
    if (own != null) {
      return own;
    }
    LinkGroup sibling = fitOf(fits, node.name(), other, link);
    if (sibling != null) {
      return new LinkGroup(
          sibling.params(),
          new Fit(
              node.name(),
              "no "
                  + collective
                  + " measurement over "
                  + link.key()
                  + "; this node's "
                  + other
                  + " fit over the same link",
              null,
              null,
              null,
              null,
              null));
    }
    for (String n : NEAREST_NODE.getOrDefault(node.name(), List.of())) {
      LinkGroup g = fitOf(fits, n, collective, link);
      if (g != null) {
        return new LinkGroup(g.params(), borrowed(collective + " " + link.key(), n, node.name()));
      }
    }
    RooflineParams.LinkFit def =
        new RooflineParams.LinkFit(
            RooflineParams.defaults().network().defaultEff(), link.catalogLatencyUs(node));
    return new LinkGroup(
        def,
        uncalibrated(
            "no " + collective + " measurement over " + link.key() + " here or on a similar node"));
  }

  private static LinkGroup fitOf(
      Map<String, Map<String, Map<Link, LinkGroup>>> fits,
      String node,
      String collective,
      Link link) {
    return fits.getOrDefault(node, Map.of()).getOrDefault(collective, Map.of()).get(link);
  }

  // ---------------------------------------------------------------------------------------------
  // Fitting machinery

  /** Minimises the mean absolute log error over the training rows. */
  private static double[] fit(
      List<Rows> rows, Function<double[], RooflineParams> of, double[] start) {
    return NelderMead.minimize(
        x -> {
          RooflineParams p;
          try {
            p = of.apply(x);
          } catch (IllegalArgumentException e) {
            return Double.MAX_VALUE; // outside the parameters' domain
          }
          double sum = 0;
          int n = 0;
          for (Rows r : rows) {
            RooflineOps ops = r.ops().apply(p);
            for (Sample s : r.samples()) {
              if (!s.test()) {
                sum += Math.abs(StrictMath.log(ops.predictMs(s.op(), s.x()) / s.y()));
                n++;
              }
            }
          }
          return n == 0 ? 0 : sum / n;
        },
        start,
        0.5,
        MAX_EVALS);
  }

  /** Held-out MAPE per op, before and after, and the table lines of the report. */
  private Fit fitRecord(
      String target,
      String group,
      List<Rows> rows,
      RooflineParams before,
      RooflineParams after,
      TreeSet<String> sources,
      Predicate<Sample> reported) {
    Map<String, double[]> mapeBefore = mape(rows, before, reported);
    Map<String, double[]> mapeAfter = mape(rows, after, reported);
    Map<String, Double> pctBefore = new LinkedHashMap<>();
    Map<String, Double> pctAfter = new LinkedHashMap<>();
    int train = 0;
    int test = 0;
    for (Rows r : rows) {
      for (Sample s : r.samples()) {
        if (s.test()) {
          test++;
        } else {
          train++;
        }
      }
    }
    for (String op : mapeAfter.keySet()) {
      double b = mapeBefore.get(op)[0] / mapeBefore.get(op)[1] * 100;
      double a = mapeAfter.get(op)[0] / mapeAfter.get(op)[1] * 100;
      pctBefore.put(op, Math.round(b * 10) / 10.0);
      pctAfter.put(op, Math.round(a * 10) / 10.0);
      report.append(
          String.format(
              Locale.ROOT,
              "%-20s %-21s %-24s %7d %8.1f%% %8.1f%%%n",
              target,
              group,
              op,
              (int) mapeAfter.get(op)[1],
              b,
              a));
    }
    return new Fit(null, null, List.copyOf(sources), train, test, pctBefore, pctAfter);
  }

  /** Per op: {sum of absolute percentage errors as fractions, count} over held-out rows. */
  private static Map<String, double[]> mape(
      List<Rows> rows, RooflineParams params, Predicate<Sample> reported) {
    Map<String, double[]> out = new TreeMap<>();
    for (Rows r : rows) {
      RooflineOps ops = r.ops().apply(params);
      for (Sample s : r.samples()) {
        if (s.test() && reported.test(s)) {
          double[] acc = out.computeIfAbsent(s.op(), k -> new double[2]);
          acc[0] += Math.abs(ops.predictMs(s.op(), s.x()) - s.y()) / s.y();
          acc[1]++;
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static RooflineParams idealParams() {
    RooflineParams ideal = RooflineParams.ideal();
    Map<Link, RooflineParams.LinkFit> links = new EnumMap<>(Link.class);
    for (Link l : Link.values()) {
      links.put(l, new RooflineParams.LinkFit(1, 0));
    }
    return new RooflineParams(
        ideal.gemm(),
        ideal.elementwise(),
        ideal.attention(),
        new RooflineParams.Network(links, links, 1, 0),
        0,
        ideal.source());
  }

  private static RooflineParams withGemm(RooflineParams p, RooflineParams.Gemm g) {
    return new RooflineParams(g, p.elementwise(), p.attention(), p.network(), 0, p.source());
  }

  private static RooflineParams withElementwise(RooflineParams p, RooflineParams.Elementwise e) {
    return new RooflineParams(p.gemm(), e, p.attention(), p.network(), 0, p.source());
  }

  private static RooflineParams withAttention(RooflineParams p, RooflineParams.Attention a) {
    return new RooflineParams(p.gemm(), p.elementwise(), a, p.network(), 0, p.source());
  }

  private static RooflineParams.Attention withKvSave(
      RooflineParams.Attention a, double eff, double launchMs) {
    return new RooflineParams.Attention(
        a.prefillEff(),
        a.prefillCausalFactor(),
        a.prefillLaunchMs(),
        a.decodeEff(),
        a.decodeHalfHeads(),
        a.decodeLaunchMs(),
        eff,
        launchMs);
  }

  private static RooflineParams withLink(
      RooflineParams p, String collective, Link link, RooflineParams.LinkFit fit) {
    RooflineParams.Network n = p.network();
    Map<Link, RooflineParams.LinkFit> ar = new EnumMap<>(Link.class);
    Map<Link, RooflineParams.LinkFit> sr = new EnumMap<>(Link.class);
    ar.putAll(n.allReduce());
    sr.putAll(n.sendRecv());
    (collective.equals(ProfileFolder.ALL_REDUCE) ? ar : sr).put(link, fit);
    return new RooflineParams(
        p.gemm(),
        p.elementwise(),
        p.attention(),
        new RooflineParams.Network(ar, sr, n.defaultEff(), n.ncclLaunchMs()),
        0,
        p.source());
  }

  private static RooflineParams.LinkFit linkOf(RooflineParams p, String collective, Link link) {
    return (collective.equals(ProfileFolder.ALL_REDUCE)
            ? p.network().allReduce()
            : p.network().sendRecv())
        .get(link);
  }

  private static Fit borrowed(String group, String from, String to) {
    return new Fit(
        from,
        "no " + group + " measurements for " + to + "; " + from + "'s fit (nearest measured)",
        null,
        null,
        null,
        null,
        null);
  }

  private static Fit uncalibrated(String why) {
    return new Fit(null, "uncalibrated default: " + why, null, null, null, null, null);
  }

  private static Fit withNote(Fit f, String note) {
    return new Fit(
        f.borrowedFrom(),
        note,
        f.sources(),
        f.trainRows(),
        f.testRows(),
        f.heldoutMapePctDefault(),
        f.heldoutMapePct());
  }

  private static boolean isEmpty(List<Rows> rows) {
    return rows.stream().allMatch(r -> r.samples().isEmpty());
  }

  private static double fraction(double x) {
    return 1 / (1 + StrictMath.exp(-x));
  }

  private static double logit(double f) {
    return StrictMath.log(f / (1 - f));
  }

  private static double positive(double x) {
    return StrictMath.exp(x);
  }

  /** 4 significant digits; a figure the fit drove towards 0 (below 1e-6) is 0. */
  static double round(double v) {
    if (Math.abs(v) < 1e-6) {
      return 0;
    }
    return new BigDecimal(v).round(new MathContext(SIGNIFICANT_DIGITS)).doubleValue();
  }

  /** TP degrees a model can be profiled at: dividing its heads, 1 when it cannot be split. */
  static int[] tps(ModelSpec model) {
    if (model.noTensorParallel()) {
      return new int[] {1};
    }
    return Arrays.stream(TPS).filter(tp -> model.numQHeads() % tp == 0).toArray();
  }

  private DeviceSku sku(NodeSku node) {
    return catalog.sku(node.sku(), "nodes.yaml: " + node.name() + ".sku");
  }

  private Function<RooflineParams, RooflineOps> perElement(NodeSku node, int tp, int pp) {
    DeviceSku sku = sku(node);
    return p -> RooflineOps.perElement(sku, node, tp, pp, p);
  }

  private String relative(Path p) {
    return data.relativize(p).toString().replace('\\', '/');
  }

  /** A profile selection, or null when the file has no rows for it (another TP, another node). */
  private static <T> T selected(java.util.function.Supplier<T> read) {
    try {
      return read.get();
    } catch (ConfigException e) {
      String m = e.getMessage();
      if (m.contains("no rows") || m.contains(" rows with ") || m.contains("not found")) {
        return null;
      }
      throw e;
    }
  }

  /** {@code <org>/<model>} folders under a SKU's compute folder, sorted. */
  private static List<Path> modelDirs(Path computeDir) {
    List<Path> out = new ArrayList<>();
    for (Path org : files(computeDir)) {
      if (Files.isDirectory(org)) {
        for (Path model : files(org)) {
          if (Files.isDirectory(model)) {
            out.add(model);
          }
        }
      }
    }
    return out;
  }

  private static List<Path> files(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
