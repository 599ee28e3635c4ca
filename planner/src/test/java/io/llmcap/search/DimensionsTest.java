package io.llmcap.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.config.SimulationConfig;
import io.llmcap.search.ResultColumns.Column;
import io.llmcap.search.SearchSpace.PredictorEntry;
import io.llmcap.setup.ConfigLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The search dimensions: each one's values, columns, id parts and config; the expansion of the
 * shipped search configs as before the dimensions existed; and a dimension added as one class.
 */
class DimensionsTest {
  private static final Catalog CATALOG = Catalog.builtin();

  /** A space that uses every built-in dimension's variants: PP, knobs, lengths, speculation. */
  private static final String SPACE =
      """
      name: dims
      models: [{name: meta-llama/Llama-2-7b-hf}]
      clusters: [{sku: a100, node: a100_pairwise_nvlink, gpus: 4}]
      tensor_parallel: [1, 2]
      pipeline_parallel: [1, 2]
      schedulers:
        - {type: vllm}
        - {type: sarathi, chunk_sizes: [256, 512], max_tokens_in_batch: [2048]}
      batch_size_caps: [32]
      workloads:
        - {name: chat, preset: chat, requests: 50, min_duration: 5, start_qps: 2}
        - {name: fixed, length_type: fixed, prefill_tokens: 100, decode_tokens: 20}
        - {name: traced, trace_file: lengths.csv, max_tokens: 2048}
      speculative:
        - {method: none}
        - {method: draft_model, draft_model: meta-llama/Llama-2-7b-hf, num_speculative_tokens: 3}
      predictor: {type: roofline}
      """;

  private static Path write(Path dir, String text) throws IOException {
    Files.writeString(
        dir.resolve("lengths.csv"), "num_prefill_tokens,num_decode_tokens\n100,10\n200,20\n");
    return Files.writeString(dir.resolve("space.yml"), text);
  }

  private static Path searchConfigs() {
    return Path.of(System.getProperty("user.dir")).getParent().resolve("search-configs");
  }

  /**
   * Ids, descriptions and skips of every shipped search config, as the 11-deep loop gave them. A
   * deliberate change to a shipped config regenerates the pin with {@code
   * -Dllmcap.expansion.update=true}.
   */
  @Test
  void shippedSearchConfigsExpandAsBefore() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(searchConfigs())) {
      files = s.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
    }
    StringBuilder sb = new StringBuilder();
    for (Path f : files) {
      Expansion x = Expansion.of(SearchSpaces.load(f), CATALOG, f.getParent());
      sb.append("# ").append(f.getFileName()).append('\n');
      for (DeploymentSpec d : x.deployments()) {
        sb.append(d.id()).append(' ').append(Expansion.describe(d)).append('\n');
      }
      for (Expansion.Skipped k : x.skipped()) {
        sb.append("skip ").append(k.description()).append(" | ").append(k.reason()).append('\n');
      }
    }
    if (Boolean.getBoolean("llmcap.expansion.update")) {
      // A deliberate change to a shipped search config: rewrite the pinned expansion.
      Files.writeString(
          searchConfigs()
              .getParent()
              .resolve("planner/src/test/resources/search/expansion-ids.txt"),
          sb.toString());
      return;
    }
    String pinned;
    try (var in = getClass().getResourceAsStream("/search/expansion-ids.txt")) {
      pinned = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertEquals(pinned, sb.toString());
  }

  /** The typed config of every probe binds to the config the old --set strings gave. */
  @Test
  void probeConfigsAreThoseOfTheSetStrings(@TempDir Path tmp) throws IOException {
    SearchSpace s = SearchSpaces.load(write(tmp, SPACE));
    Expansion x = Expansion.of(s, CATALOG, tmp);
    assertEquals(2 * 2 * 3 * 3 * 2 - x.skipped().size(), x.deployments().size());
    assertTrue(x.deployments().size() > 20, "" + x.skipped());
    List<PredictorEntry> predictors =
        List.of(s.predictor(), new PredictorEntry("roofline", "profiles"));
    for (DeploymentSpec d : x.deployments()) {
      for (PredictorEntry p : predictors) {
        for (double qps : new double[] {0.5, 8, 1234.5678, 1e-4}) {
          SimulationConfig typed = ConfigLoader.bind(d.toConfig(qps, 7, p, tmp));
          SimulationConfig strings = ConfigLoader.bind(oldToConfig(d, qps, 7, p, tmp));
          assertEquals(strings, typed, Expansion.describe(d));
        }
      }
    }
  }

  @Test
  void builtInDimensionValuesColumnsIdsAndConfig(@TempDir Path tmp) throws IOException {
    SearchSpace s = SearchSpaces.load(write(tmp, SPACE));
    DeploymentSpec outer = DeploymentSpec.partial(Dimensions.DEFAULT, new Object[11]);
    assertEquals(List.of(1, 2), Dimensions.TP.values(s, outer));
    assertEquals(List.of(new Column("tp", Integer.class, false)), Dimensions.TP.columns());
    List<String> key = new ArrayList<>();
    Dimensions.TP.id(2, key);
    Dimensions.SPECULATIVE.id(null, key);
    Dimensions.CHUNK_SIZE.id(null, key);
    assertEquals(List.of("tp2", "csnull"), key, "plain decoding adds nothing; a null chunk does");
    ProbeConfig c = new ProbeConfig(tmp);
    Dimensions.TP.configure(2, null, c);
    assertEquals(2, c.tree().path("cluster").path("tensor_parallel").asInt());
    // a dimension's values are validated where the YAML is read, naming the field
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> SearchSpaces.load(write(tmp, SPACE + "batch_size_caps: [0]\n")));
    assertTrue(e.getMessage().contains("batch_size_caps[0]"), e.getMessage());
    // the scheduler's knobs depend on the scheduler chosen further out
    Expansion x = Expansion.of(s, CATALOG, tmp);
    DeploymentSpec sarathi =
        x.deployments().stream()
            .filter(d -> d.scheduler().equals("sarathi") && d.pp() == 2)
            .findFirst()
            .orElseThrow();
    assertEquals(2048, sarathi.maxTokensInBatch());
    SimulationConfig cfg = ConfigLoader.bind(sarathi.toConfig(1, 42, s.predictor(), tmp));
    assertEquals(64, cfg.scheduler().batchSizeCap(), "the cap is per micro-batch");
  }

  @Test
  void deploymentColumnsAreTheDocumentedOnes() {
    assertEquals(
        List.of(
            "deployment_id",
            "model",
            "workload",
            "sku",
            "node",
            "tp",
            "pp",
            "replicas",
            "scheduler",
            "chunk_size",
            "max_tokens_in_batch",
            "batch_size_cap",
            "speculative_method",
            "num_speculative_tokens",
            "acceptance_rate",
            "gpus",
            "dollars_per_hour",
            "max_qps",
            "max_qps_low",
            "max_qps_high",
            "capacity_per_dollar",
            "failing_slo",
            "non_monotone",
            "bracket_closed",
            "ttft_p50",
            "ttft_p90",
            "ttft_p99",
            "tbt_p50",
            "tbt_p99",
            "batch_time_p99",
            "tpot_p50",
            "e2e_p50",
            "e2e_p90",
            "e2e_p99",
            "scheduling_delay_p99",
            "output_tokens_per_s",
            "mfu",
            "kv_usage_mean",
            "batch_size_mean",
            "probes",
            "simulated_requests",
            "wall_s",
            // appended in issue 14: what ran, and the price book
            "dtype",
            "kv_cache_dtype",
            "ep",
            "price_book",
            // appended in issue 15: the layout, its pools and the transfer metrics
            "layout",
            "prefill_sku",
            "prefill_node",
            "prefill_tp",
            "prefill_pp",
            "prefill_ep",
            "prefill_replicas",
            "decode_sku",
            "decode_node",
            "decode_tp",
            "decode_pp",
            "decode_ep",
            "decode_replicas",
            "kv_transfer_p50",
            "kv_transfer_p90",
            "kv_transfer_p99",
            "kv_transfer_mean",
            "decode_kv_wait_p99",
            "decode_kv_wait_mean",
            // appended in issue 16: the router, the CPU tier and the prefix hit rates
            "router",
            "router_options",
            "cpu_offload_gib",
            "prefix_hit_rate",
            "prefix_hit_rate_gpu",
            "prefix_hit_rate_cpu"),
        DeploymentResult.columns().stream().map(Column::name).toList());
  }

  /** Adding a dimension: one class ({@link PrefixCachingDimension}) and one registration. */
  @Test
  void aDimensionIsOneClass(@TempDir Path tmp) throws IOException {
    Dimensions dims = Dimensions.DEFAULT.with(new PrefixCachingDimension());
    Path file = write(tmp, SPACE);
    List<String> before =
        Expansion.of(SearchSpaces.load(file), CATALOG, tmp).deployments().stream()
            .map(DeploymentSpec::id)
            .toList();
    // absent, the new dimension changes no id and no order
    assertEquals(
        before,
        Expansion.of(SearchSpaces.load(file, List.of(), dims), CATALOG, tmp, dims)
            .deployments()
            .stream()
            .map(DeploymentSpec::id)
            .toList());

    SearchSpace s = SearchSpaces.load(file, List.of("prefix_caching=[true, false]"), dims);
    List<DeploymentSpec> both = Expansion.of(s, CATALOG, tmp, dims).deployments();
    assertEquals(2 * before.size(), both.size());
    assertTrue(SearchJob.spaceYaml(s).contains("prefix_caching"), "a resumed search compares them");
    assertFalse(SearchJob.spaceYaml(SearchSpaces.load(file)).contains("dimensions"));
    DeploymentSpec off = both.get(1);
    assertEquals(false, off.get(new PrefixCachingDimension()));
    assertFalse(before.contains(off.id()));
    assertNotEquals(both.get(0).id(), off.id());
    assertFalse(
        ConfigLoader.bind(off.toConfig(1, 42, s.predictor(), tmp)).scheduler().prefixCaching());
    assertTrue(
        Expansion.describe(off).endsWith(" / prefix_caching false"), Expansion.describe(off));
    // its column comes last among the dimensions'
    List<String> columns = DeploymentResult.columns(dims).stream().map(Column::name).toList();
    assertEquals("prefix_caching", columns.get(columns.indexOf("acceptance_rate") + 1));
    assertEquals(false, off.cells().get(off.cells().size() - 1));
    // and the search config's YAML names its values in errors; other keys are still unknown
    ConfigException bad =
        assertThrows(
            ConfigException.class,
            () -> SearchSpaces.load(file, List.of("prefix_caching=[true, 2]"), dims));
    assertTrue(bad.getMessage().contains("prefix_caching[1]"), bad.getMessage());
    ConfigException unknown =
        assertThrows(
            ConfigException.class,
            () -> SearchSpaces.load(file, List.of("prefix_caching=[false]")));
    assertTrue(unknown.getMessage().contains("unknown key 'prefix_caching'"), unknown.getMessage());
    assertFalse(unknown.getMessage().contains("dimensions"), unknown.getMessage());
    assertThrows(
        ConfigException.class,
        () -> SearchSpaces.load(file, List.of("dimensions={prefix_caching: [false]}"), dims));
  }

  /** An MoE model on two H100s: TP 1 and 2, with the precision and EP keys when given. */
  private static final String MOE_SPACE =
      """
      name: moe
      models: [{name: Qwen/Qwen3-30B-A3B}, {name: meta-llama/Llama-2-7b-hf}]
      clusters: [{sku: h100, node: h100_dgx, gpus: 2}]
      tensor_parallel: [1, 2]
      schedulers: [{type: vllm_v1}]
      workloads: [{name: fixed, length_type: fixed, prefill_tokens: 100, decode_tokens: 20}]
      predictor: {type: roofline}
      """;

  /**
   * dtypes, kv_cache_dtypes and expert_parallel: values (aliases kept as the canonical id; auto and
   * false are the defaults), ids (a default adds nothing), the probe config and what is skipped.
   */
  @Test
  void precisionAndExpertParallelDimensions(@TempDir Path tmp) throws IOException {
    Path file = write(tmp, MOE_SPACE);
    List<String> plain =
        Expansion.of(SearchSpaces.load(file), CATALOG, tmp).deployments().stream()
            .map(DeploymentSpec::id)
            .toList();
    SearchSpace s =
        SearchSpaces.load(
            file,
            List.of(
                "dtypes=[bfloat16, float8]",
                "kv_cache_dtypes=[auto, fp8]",
                "expert_parallel=[false, true]"));
    assertEquals(List.of("bf16", "fp8"), s.dimensions().get("dtypes"));
    assertEquals(java.util.Arrays.asList(null, "fp8"), s.dimensions().get("kv_cache_dtypes"));
    Expansion x = Expansion.of(s, CATALOG, tmp);
    // per model: TP1 2 dtypes x 2 KV (EP on is EP off with one GPU), TP2 2 x 2 x 2
    List<DeploymentSpec> qwen =
        x.deployments().stream().filter(d -> d.model().startsWith("Qwen")).toList();
    assertEquals(4 + 8, qwen.size(), x.skipped().toString());
    // a dense model has no experts: EP on is skipped with the simulation's reason, naming the key
    List<Expansion.Skipped> dense =
        x.skipped().stream().filter(k -> k.description().contains("Llama-2-7b")).toList();
    assertEquals(4, dense.size(), x.skipped().toString());
    assertTrue(
        dense.get(0).reason().startsWith("cluster.expert_parallel: value '2'"),
        dense.get(0).reason());
    assertTrue(
        dense.get(0).description().endsWith(" / expert parallel"), dense.get(0).description());

    DeploymentSpec fp8 =
        qwen.stream()
            .filter(
                d ->
                    d.tp() == 2
                        && "fp8".equals(d.get(Dimensions.DTYPE))
                        && "fp8".equals(d.get(Dimensions.KV_CACHE_DTYPE))
                        && d.get(Dimensions.EXPERT_PARALLEL))
            .findFirst()
            .orElseThrow();
    SimulationConfig c = ConfigLoader.bind(fp8.toConfig(1, 42, s.predictor(), tmp));
    assertEquals("fp8", c.cluster().dtype());
    assertEquals("fp8", c.cluster().kvCacheDtype());
    assertEquals(2, c.cluster().expertParallel(), "EP = TP x DP");
    assertTrue(
        Expansion.describe(fp8).endsWith(" / weights fp8 / KV cache fp8 / expert parallel"),
        Expansion.describe(fp8));
    // a named format is part of the id (even the checkpoint's own bf16): only auto keeps old ids
    assertTrue(x.deployments().stream().map(DeploymentSpec::id).noneMatch(plain::contains));
    // no columns of their own: the cells are those of a search without the keys
    assertEquals(Dimensions.DEFAULT.columns().size(), fp8.cells().size());

    // auto, auto, off: the very deployments (and ids) of the search without the keys
    SearchSpace defaults =
        SearchSpaces.load(
            file, List.of("dtypes=[auto]", "kv_cache_dtypes=[auto]", "expert_parallel=[false]"));
    assertEquals(
        plain,
        Expansion.of(defaults, CATALOG, tmp).deployments().stream()
            .map(DeploymentSpec::id)
            .toList());

    // bad values: one error naming the key and the entry, the value and what is allowed
    for (String[] bad :
        new String[][] {
          {"dtypes=[bf16, banana]", "dtypes[1]: value 'banana' is not allowed; allowed: auto"},
          {"dtypes=[bf16, bfloat16]", "dtypes: lists bf16 twice"},
          {"dtypes=[]", "dtypes: must be a non-empty list"},
          {"kv_cache_dtypes=[int4]", "kv_cache_dtypes[0]: value 'int4' is not allowed"},
          {"expert_parallel=[1]", "expert_parallel[0]: value '1' is not allowed; allowed: true"},
          {"expert_parallel=true", "expert_parallel: must be a non-empty list of true/false"}
        }) {
      ConfigException e =
          assertThrows(
              ConfigException.class, () -> SearchSpaces.load(file, List.of(bad[0])), bad[0]);
      assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
    }
  }

  /** A vllm_v1 and a sarathi scheduler on two H100s, TP1 only. */
  private static final String ROUTING_SPACE =
      """
      name: routing
      models: [{name: meta-llama/Meta-Llama-3-8B}]
      clusters: [{sku: h100, node: h100_dgx, gpus: 2}]
      schedulers: [{type: vllm_v1}, {type: sarathi}]
      workloads: [{name: fixed, length_type: fixed, prefill_tokens: 100, decode_tokens: 20}]
      predictor: {type: roofline}
      """;

  /**
   * routers and cpu_offload_gib: the defaults (round_robin, 0) keep the ids of a search without the
   * keys; the others set the probe's router and scheduler.cpu_offload_gib, are named in the id and
   * the description; the tier is tried only with vllm_v1; bad values fail naming the entry.
   */
  @Test
  void routerAndCpuOffloadDimensions(@TempDir Path tmp) throws IOException {
    Path file = write(tmp, ROUTING_SPACE);
    List<String> plain =
        Expansion.of(SearchSpaces.load(file), CATALOG, tmp).deployments().stream()
            .map(DeploymentSpec::id)
            .toList();
    assertEquals(2, plain.size());
    SearchSpace s =
        SearchSpaces.load(
            file, List.of("routers=[round_robin, lor, {name: random}]", "cpu_offload_gib=[0, 64]"));
    List<DeploymentSpec> all = Expansion.of(s, CATALOG, tmp).deployments();
    // vllm_v1: 3 routers x 2 tiers; sarathi has no CPU tier: 3 routers
    assertEquals(6 + 3, all.size());
    List<DeploymentSpec> defaults =
        all.stream()
            .filter(d -> d.get(Dimensions.ROUTER) == null && d.get(Dimensions.CPU_OFFLOAD) == 0)
            .toList();
    assertEquals(plain, defaults.stream().map(DeploymentSpec::id).toList());
    DeploymentSpec lor64 =
        all.stream()
            .filter(
                d ->
                    d.get(Dimensions.ROUTER) != null
                        && d.get(Dimensions.ROUTER).name().equals("lor")
                        && d.get(Dimensions.CPU_OFFLOAD) == 64)
            .findFirst()
            .orElseThrow();
    SimulationConfig c = ConfigLoader.bind(lor64.toConfig(1, 42, s.predictor(), tmp));
    assertEquals("lor", c.router());
    assertEquals(64.0, c.scheduler().cpuOffloadGib());
    assertEquals("vllm_v1", c.scheduler().type());
    assertTrue(
        Expansion.describe(lor64).endsWith(" / router lor / CPU tier 64 GiB"),
        Expansion.describe(lor64));
    SimulationConfig rr = ConfigLoader.bind(defaults.get(0).toConfig(1, 42, s.predictor(), tmp));
    assertEquals("round_robin", rr.router());
    assertEquals(0.0, rr.scheduler().cpuOffloadGib());
    assertEquals(
        all.size(), all.stream().map(DeploymentSpec::id).distinct().count(), "distinct ids");
    // no columns of their own: the cells are those of a search without the keys
    assertEquals(Dimensions.DEFAULT.columns().size(), lor64.cells().size());
    // the same option block written in another key order is the same router
    assertEquals(
        "{\"a\":1,\"b\":{\"c\":2,\"d\":3}}",
        RouterDimension.canonical(io.llmcap.base.Yaml.yaml().readTree("{b: {d: 3, c: 2}, a: 1}"))
            .toString());

    for (String[] bad :
        new String[][] {
          {"routers=[lor, nope]", "routers[1]: unknown router 'nope'"},
          {"routers=[lor, lor]", "routers: lists lor twice"},
          {"routers=[round_robin, {name: round_robin}]", "routers: lists round_robin twice"},
          {"routers=[]", "routers: must be a non-empty list of router names"},
          {"routers=lor", "routers: must be a non-empty list of router names"},
          {"routers=[3]", "routers[0]: value '3' is not allowed"},
          {"routers=[{name: lor, weight: 2}]", "routers[0].weight: unknown key 'weight'"},
          {"routers=[{options: {}}]", "routers[0].name: missing"},
          {"routers=[{name: lor, options: 5}]", "routers[0].options: value '5' is not allowed"},
          {"routers=[{name: lor, options: {w: 1}}]", "routers[0].options"},
          {"cpu_offload_gib=[-1]", "cpu_offload_gib[0]: value '-1' is not allowed; allowed: GiB"},
          {"cpu_offload_gib=[64, 64.0]", "cpu_offload_gib: lists 64 twice"},
          {"cpu_offload_gib=[big]", "cpu_offload_gib[0]: value 'big' is not allowed"},
          {"cpu_offload_gib=64", "cpu_offload_gib: must be a non-empty list of sizes"}
        }) {
      ConfigException e =
          assertThrows(
              ConfigException.class, () -> SearchSpaces.load(file, List.of(bad[0])), bad[0]);
      assertTrue(e.getMessage().contains(bad[1]), bad[0] + " -> " + e.getMessage());
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
  }

  /**
   * A workload with sessions: its block goes to the probe's workload.sessions (no preset: the
   * sessions give the lengths), its id differs, and a workload without one keeps the id text the
   * record had before sessions existed.
   */
  @Test
  void workloadSessions(@TempDir Path tmp) throws IOException {
    String sessions =
        ROUTING_SPACE.replace(
            "workloads: [{name: fixed, length_type: fixed, prefill_tokens: 100, decode_tokens: 20}]",
            "workloads:\n"
                + "  - {name: fixed, length_type: fixed, prefill_tokens: 100, decode_tokens: 20}\n"
                + "  - {name: conv, sessions: {type: chat, turns: 5, system_prompt_tokens: 700,"
                + " think_time: 2.5, length_cv: 0}}");
    Path file = write(tmp, sessions);
    SearchSpace s = SearchSpaces.load(file);
    Expansion x = Expansion.of(s, CATALOG, tmp);
    List<String> plain =
        Expansion.of(SearchSpaces.load(write(tmp, ROUTING_SPACE)), CATALOG, tmp)
            .deployments()
            .stream()
            .map(DeploymentSpec::id)
            .toList();
    List<DeploymentSpec> fixed =
        x.deployments().stream().filter(d -> d.workload().name().equals("fixed")).toList();
    assertEquals(plain, fixed.stream().map(DeploymentSpec::id).toList());
    DeploymentSpec conv =
        x.deployments().stream()
            .filter(d -> d.workload().name().equals("conv"))
            .findFirst()
            .orElseThrow();
    SimulationConfig c = ConfigLoader.bind(conv.toConfig(3.5, 42, s.predictor(), tmp));
    assertNull(c.workload().preset());
    assertEquals("chat", c.workload().sessions().type());
    assertEquals(5.0, c.workload().sessions().turns());
    assertEquals(700, c.workload().sessions().systemPromptTokens());
    assertEquals(2.5, c.workload().sessions().thinkTime());
    assertEquals(0.0, c.workload().sessions().lengthCv());
    // the keys left out keep defaults.yaml's
    assertEquals(
        ConfigLoader.defaults().path("workload").path("sessions").path("output_tokens").asDouble(),
        c.workload().sessions().outputTokens());
    // the search still bisects requests per second
    assertEquals(3.5, c.workload().interval().qps());
    assertEquals(
        "WorkloadEntry[name=fixed, preset=null, traceFile=null, lengthType=fixed,"
            + " prefillTokens=100, decodeTokens=20, requests=512, minDuration=60.0,"
            + " maxTokens=4096, startQps=1.0]",
        fixed.get(0).workload().idText());
    assertTrue(conv.workload().idText().contains(", sessions=SessionsEntry[type=chat"));
    assertFalse(
        SearchJob.spaceYaml(SearchSpaces.load(write(tmp, ROUTING_SPACE))).contains("sessions"));

    String base = "workloads=[{name: conv, ";
    for (String[] bad :
        new String[][] {
          {base + "sessions: {type: banana}}]", "workloads[0].sessions.type: value 'banana'"},
          {base + "sessions: {turns: 3}}]", "workloads[0].sessions.type: value 'null'"},
          {base + "sessions: {type: chat}, preset: chat}]", "give none of preset"},
          {base + "sessions: {type: trace}}]", "workloads[0].sessions.file: missing"},
          {
            base + "sessions: {type: trace, file: nope.jsonl}}]", "workloads[0].sessions.file: file"
          },
          {base + "sessions: {type: chat, turns: 0.5}}]", "workloads[0].sessions.turns"},
          {base + "sessions: {type: chat, think_time: -1}}]", "workloads[0].sessions.think_time"},
          {base + "sessions: {type: chat, turnz: 3}}]", "turnz"},
          {"workloads=[{name: conv}]", "or a sessions block"}
        }) {
      ConfigException e =
          assertThrows(
              ConfigException.class,
              () -> Expansion.of(SearchSpaces.load(file, List.of(bad[0])), CATALOG, tmp),
              bad[0]);
      assertTrue(e.getMessage().contains(bad[1]), bad[0] + " -> " + e.getMessage());
    }
  }

  /**
   * search-configs/multi-turn.yml: 2 shapes x 4 routers x 2 CPU tiers, each probe a chat-session
   * workload.
   */
  @Test
  void multiTurnConfigExpands() {
    Path f = searchConfigs().resolve("multi-turn.yml");
    SearchSpace s = SearchSpaces.load(f);
    Expansion x = Expansion.of(s, CATALOG, f.getParent());
    assertEquals(16, x.deployments().size(), x.skipped().toString());
    for (DeploymentSpec d : x.deployments()) {
      SimulationConfig c = ConfigLoader.bind(d.toConfig(4, 42, s.predictor(), f.getParent()));
      assertEquals("chat", c.workload().sessions().type());
      assertEquals(4, d.gpus());
    }
  }

  @Test
  void aPartialPointHasNoId() {
    assertNull(DeploymentSpec.partial(Dimensions.DEFAULT, new Object[11]).id());
  }

  /** The probe config as built before the dimensions: {@code --set} strings, one per key. */
  private static ObjectNode oldToConfig(
      DeploymentSpec d, double qps, long seed, PredictorEntry predictor, Path baseDir) {
    ObjectNode t = ConfigLoader.defaults();
    var workload = d.workload();
    var speculative = d.speculative();
    List<String> sets =
        new ArrayList<>(
            List.of(
                "name=" + d.id(),
                "seed=" + seed,
                "cluster.model=" + d.model(),
                "cluster.sku=" + d.sku(),
                "cluster.node=" + d.node(),
                "cluster.tensor_parallel=" + d.tp(),
                "cluster.pipeline_parallel=" + d.pp(),
                "cluster.replicas=" + d.replicas(),
                "router=round_robin",
                "scheduler.type=" + d.scheduler(),
                "scheduler.batch_size_cap=" + (long) d.batchSizeCap() * d.pp(),
                "scheduler.chunk_size=" + (d.chunkSize() == null ? 512 : d.chunkSize()),
                "scheduler.max_tokens_in_batch="
                    + (d.maxTokensInBatch() == null ? workload.maxTokens() : d.maxTokensInBatch()),
                "workload.num_requests=" + d.requests(qps),
                "workload.max_tokens=" + workload.maxTokens(),
                "workload.interval.type=poisson",
                "workload.interval.qps=" + qps,
                "predictor.type=" + predictor.type(),
                "metrics.batch_metrics=false",
                "metrics.chrome_trace=false"));
    if (speculative != null) {
      sets.add("speculative.method=" + speculative.method());
      if (speculative.draftModel() != null) {
        sets.add("speculative.draft_model=" + speculative.draftModel());
      }
      sets.add("speculative.num_speculative_tokens=" + speculative.numSpeculativeTokens());
      sets.add("speculative.acceptance_rate=" + speculative.acceptanceRate());
    }
    if (predictor.profiles() != null) {
      sets.add("predictor.profiles=" + baseDir.resolve(predictor.profiles()).toAbsolutePath());
    }
    if (workload.preset() != null) {
      sets.add("workload.preset=" + workload.preset());
    } else if (workload.traceFile() != null) {
      sets.add("workload.preset=null");
      sets.add("workload.length.type=trace");
      sets.add("workload.length.file=" + baseDir.resolve(workload.traceFile()).toAbsolutePath());
    } else {
      sets.add("workload.preset=null");
      sets.add("workload.length.type=fixed");
      sets.add("workload.length.prefill_tokens=" + workload.prefillTokens());
      sets.add("workload.length.decode_tokens=" + workload.decodeTokens());
    }
    for (String s : sets) {
      ConfigLoader.set(t, s);
    }
    return t;
  }
}
