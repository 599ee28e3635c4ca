package io.llmcap.predictors.calibration;

import static io.llmcap.predictors.calibration.Fitting.fit;
import static io.llmcap.predictors.calibration.Fitting.fraction;
import static io.llmcap.predictors.calibration.Fitting.logit;
import static io.llmcap.predictors.calibration.Fitting.positive;
import static io.llmcap.predictors.calibration.Fitting.round;
import static io.llmcap.predictors.calibration.Fitting.withAttention;
import static io.llmcap.predictors.calibration.Fitting.withElementwise;
import static io.llmcap.predictors.calibration.Fitting.withGemm;
import static io.llmcap.predictors.calibration.Fitting.withKvSave;

import io.llmcap.predictors.calibration.ProfileDiscovery.Group;
import io.llmcap.predictors.calibration.ProfileDiscovery.Measured;
import io.llmcap.predictors.roofline.RooflineCalibration.AttentionGroup;
import io.llmcap.predictors.roofline.RooflineCalibration.ElementwiseGroup;
import io.llmcap.predictors.roofline.RooflineCalibration.Fit;
import io.llmcap.predictors.roofline.RooflineCalibration.GemmGroup;
import io.llmcap.predictors.roofline.RooflineCalibration.SkuEntry;
import io.llmcap.predictors.roofline.RooflineParams;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Fits a GPU SKU's compute parameter groups (GEMM, elementwise, attention) to the measured rows of
 * every SKU: each group to the SKU's own rows or, without them, borrowed from the nearest SKU that
 * has rows of its own ({@link #NEAREST_SKU}; so a borrowed group is always a fitted one, never a
 * chain). GEMMs are fitted first, then elementwise ops, then attention (its prefill memory side
 * uses the GEMM memory efficiency, the KV-cache save the elementwise launch). Each SKU's own fit of
 * a group is computed once.
 */
final class ComputeFitter {
  /** GEMM MAPE is reported from this many tokens on: below, launch overhead dominates. */
  static final int GEMM_MAPE_MIN_TOKENS = 64;

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

  private final Map<String, Measured> measured;
  private final CalibrationReport report;
  private final Map<String, GemmGroup> ownGemm = new LinkedHashMap<>();
  private final Map<String, ElementwiseGroup> ownElementwise = new LinkedHashMap<>();
  private final Map<String, AttentionGroup> ownAttention = new LinkedHashMap<>();

  /**
   * @param measured every SKU's rows, by SKU name
   * @param report where each own fit records itself
   */
  ComputeFitter(Map<String, Measured> measured, CalibrationReport report) {
    this.measured = measured;
    this.report = report;
  }

  /** The compute groups of {@code sku}, fitted or borrowed. */
  SkuEntry fitSku(String sku) {
    RooflineParams defaults = RooflineParams.defaults();
    String gemmFrom = nearest(sku, m -> m.has(Group.GEMM));
    GemmGroup gemm =
        gemmFrom == null
            ? new GemmGroup(defaults.gemm(), CalibrationReport.uncalibrated("no GEMM measurements"))
            : gemmOf(gemmFrom);
    String ewFrom = nearest(sku, m -> m.has(Group.ELEMENTWISE));
    ElementwiseGroup elementwise =
        ewFrom == null
            ? new ElementwiseGroup(
                defaults.elementwise(),
                CalibrationReport.uncalibrated("no elementwise measurements"))
            : elementwiseOf(ewFrom);
    String attnFrom = nearest(sku, m -> m.has(Group.PREFILL) && m.has(Group.DECODE));
    AttentionGroup attention =
        attnFrom == null
            ? new AttentionGroup(
                defaults.attention(), CalibrationReport.uncalibrated("no attention measurements"))
            : attentionOf(attnFrom);
    if (gemmFrom != null && !gemmFrom.equals(sku)) {
      gemm = new GemmGroup(gemm.params(), CalibrationReport.borrowed("GEMM", gemmFrom, sku));
    }
    if (ewFrom != null && !ewFrom.equals(sku)) {
      elementwise =
          new ElementwiseGroup(
              elementwise.params(), CalibrationReport.borrowed("elementwise", ewFrom, sku));
    }
    if (attnFrom != null && !attnFrom.equals(sku)) {
      attention =
          new AttentionGroup(
              attention.params(), CalibrationReport.borrowed("attention", attnFrom, sku));
    }
    return new SkuEntry(gemm, elementwise, attention);
  }

  private GemmGroup gemmOf(String sku) {
    return ownGemm.computeIfAbsent(sku, s -> fitGemm(s, measured.get(s)));
  }

  private ElementwiseGroup elementwiseOf(String sku) {
    return ownElementwise.computeIfAbsent(sku, s -> fitElementwise(s, measured.get(s)));
  }

  /** Attention of a SKU with attention rows, on top of its own or borrowed GEMM fit. */
  private AttentionGroup attentionOf(String sku) {
    AttentionGroup a = ownAttention.get(sku);
    if (a == null) {
      String gemmFrom = nearest(sku, m -> m.has(Group.GEMM));
      String ewFrom = nearest(sku, m -> m.has(Group.ELEMENTWISE));
      RooflineParams defaults = RooflineParams.defaults();
      a =
          fitAttention(
              sku,
              gemmFrom == null ? defaults.gemm() : gemmOf(gemmFrom).params(),
              ewFrom == null ? defaults.elementwise() : elementwiseOf(ewFrom).params());
      ownAttention.put(sku, a);
    }
    return a;
  }

  /** {@code sku} or the nearest SKU after it whose rows pass {@code has}; null when none does. */
  private String nearest(String sku, Predicate<Measured> has) {
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
    List<Rows> rows = HoldOut.split(m.of(Group.GEMM));
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
    Predicate<Rows.Sample> large = s -> s.x()[0] >= GEMM_MAPE_MIN_TOKENS;
    Fit fit = report.fitted(sku, "gemm", rows, base, withGemm(base, g), m.mlpSources(), large);
    return new GemmGroup(g, fit);
  }

  private ElementwiseGroup fitElementwise(String sku, Measured m) {
    List<Rows> rows = HoldOut.split(m.of(Group.ELEMENTWISE));
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
        report.fitted(
            sku, "elementwise", rows, base, withElementwise(base, e), m.mlpSources(), s -> true);
    return new ElementwiseGroup(e, fit);
  }

  private AttentionGroup fitAttention(
      String sku, RooflineParams.Gemm gemm, RooflineParams.Elementwise elementwise) {
    Measured m = measured.get(sku);
    RooflineParams defaults = RooflineParams.defaults();
    RooflineParams base = withElementwise(withGemm(defaults, gemm), elementwise);
    RooflineParams.Attention d = base.attention();

    List<Rows> prefill = HoldOut.split(m.of(Group.PREFILL));
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

    List<Rows> decode = HoldOut.split(m.of(Group.DECODE));
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
    String saveFrom = nearest(sku, x -> x.has(Group.KV_SAVE));
    List<Rows> save =
        saveFrom == null ? List.of() : HoldOut.split(measured.get(saveFrom).of(Group.KV_SAVE));
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
        report.fitted(
            sku,
            "attention",
            all,
            defaults,
            withAttention(base, a),
            m.attentionSources(),
            s -> true);
    if (saveFrom == null) {
      fit =
          CalibrationReport.withNote(
              fit, "kv_save_*: uncalibrated defaults (no KV-cache save measured)");
    } else if (!saveFrom.equals(sku)) {
      fit =
          CalibrationReport.withNote(
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
}
