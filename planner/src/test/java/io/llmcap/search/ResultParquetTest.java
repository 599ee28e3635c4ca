package io.llmcap.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmcap.search.ResultColumns.Column;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalogUtils;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The search's Parquet datasets, written on the driver without Spark SQL, read back by Spark as the
 * same dataset Spark's own writer made of the same rows: schema, partition values (a model with '/'
 * and other escaped characters), nulls and doubles bit for bit.
 */
class ResultParquetTest {
  static final String SLASHED = "meta-llama/Llama-2-7b-hf";
  static final String ODD = "org/odd: =name%#?[1]";

  @TempDir static Path tmp;
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark =
        SparkSession.builder()
            .master("local[1]")
            .appName("ResultParquetTest")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  /** Results of three models (two with escaped characters) and two workloads, nulls and NaN. */
  static List<DeploymentSearch.Result> results() {
    return List.of(
        result("aaa", 3, SLASHED, "chat"),
        result("bbb", 0, ODD, "chat"),
        result("ccc", 16, SLASHED, "long docs"),
        result("ddd", 5, "plain", "chat"));
  }

  static DeploymentSearch.Result result(String id, double maxQps, String model, String workload) {
    DeploymentSearch.Result r = ResultStoreTest.result(id, maxQps);
    Map<String, Object> settings = new LinkedHashMap<>(r.deployment().settings());
    settings.put("model", model);
    settings.put("workload", workload);
    return new DeploymentSearch.Result(
        new DeploymentResult(id, settings, r.deployment().metrics()),
        List.of(
            r.probes().get(0),
            new ProbeResult(
                id, 1, 43L, maxQps * 2, false, "ttft_p90", 2.5, 0.3, Double.NaN, 1, 7, 9, true)));
  }

  @Test
  void sparkReadsTheDirectWritesAsItsOwn() {
    Path direct = tmp.resolve("direct");
    SearchJob.writeParquet(direct, results());
    Path viaSpark = tmp.resolve("spark");
    writeWithSpark(viaSpark, results());

    Dataset<Row> d = spark.read().parquet(direct.resolve("deployments").toString());
    Dataset<Row> s = spark.read().parquet(viaSpark.resolve("deployments").toString());
    assertEquals(s.schema(), d.schema(), "partition columns model and workload last, as Spark's");
    List<Row> rows = d.orderBy("deployment_id").collectAsList();
    assertEquals(s.orderBy("deployment_id").collectAsList(), rows);
    assertEquals(
        List.of(SLASHED, ODD, SLASHED, "plain"),
        rows.stream().map(r -> r.getAs("model")).toList(),
        "escaped characters survive partitioning");
    assertEquals("long docs", rows.get(2).getAs("workload"));
    // every value as the search computed it: nulls, NaN as null, doubles bit for bit
    List<Column> columns = DeploymentResult.columns();
    for (int i = 0; i < rows.size(); i++) {
      Object[] want = results().get(i).deployment().values(columns);
      for (int c = 0; c < columns.size(); c++) {
        assertEquals(want[c], rows.get(i).getAs(columns.get(c).name()), columns.get(c).name());
      }
    }
    // the documented names and types (SearchJob.schema), partition columns moved last
    List<String> expected = new ArrayList<>();
    List<String> partitions = new ArrayList<>();
    for (StructField f : SearchJob.schema(columns).fields()) {
      String t = f.name() + ":" + f.dataType().simpleString();
      (List.of("model", "workload").contains(f.name()) ? partitions : expected).add(t);
    }
    expected.addAll(partitions);
    assertEquals(expected, names(d));

    Dataset<Row> p = spark.read().parquet(direct.resolve("probes").toString());
    Dataset<Row> ps = spark.read().parquet(viaSpark.resolve("probes").toString());
    assertEquals(ps.schema(), p.schema());
    assertEquals(
        names(spark.createDataFrame(List.of(), SearchJob.schema(ProbeResult.class))), names(p));
    List<Row> probes = p.orderBy("deployment_id", "probe").collectAsList();
    assertEquals(ps.orderBy("deployment_id", "probe").collectAsList(), probes);
    assertEquals(8, probes.size());
    assertTrue(probes.get(0).isNullAt(probes.get(0).fieldIndex("failing_slo")));
    assertTrue(probes.get(1).isNullAt(probes.get(1).fieldIndex("batch_time_p99")), "NaN as null");
  }

  @Test
  void layoutAndFileSchemaFollowSparksWriter() throws IOException {
    Path dir = tmp.resolve("layout");
    SearchJob.writeParquet(dir, results());
    assertEquals(
        List.of(
            "deployments/_SUCCESS",
            "deployments/model=meta-llama%2FLlama-2-7b-hf/workload=chat/" + ResultParquet.FILE,
            "deployments/model=meta-llama%2FLlama-2-7b-hf/workload=long docs/" + ResultParquet.FILE,
            "deployments/model=org%2Fodd%3A %3Dname%25%23%3F%5B1%5D/workload=chat/"
                + ResultParquet.FILE,
            "deployments/model=plain/workload=chat/" + ResultParquet.FILE,
            "probes/_SUCCESS",
            "probes/" + ResultParquet.FILE),
        files(dir));
    // each column required or optional as the schema says, the partition columns left out
    MessageType file =
        footer(dir.resolve("deployments/model=plain/workload=chat/" + ResultParquet.FILE));
    List<String> want = new ArrayList<>();
    for (Column c : DeploymentResult.columns()) {
      if (!List.of("model", "workload").contains(c.name())) {
        want.add(c.name() + (c.nullable() ? " optional" : " required"));
      }
    }
    assertEquals(want, repetitions(file));
    want.clear();
    for (Column c : ResultColumns.of(ProbeResult.class)) {
      want.add(c.name() + (c.nullable() ? " optional" : " required"));
    }
    assertEquals(want, repetitions(footer(dir.resolve("probes/" + ResultParquet.FILE))));
  }

  @Test
  void sameRowsGiveTheSameBytes() throws IOException {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    SearchJob.writeParquet(a, results());
    SearchJob.writeParquet(b, results());
    List<String> files = files(a);
    assertEquals(files, files(b));
    for (String f : files) {
      assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
    }
  }

  @Test
  void escapesPartitionValuesAsSpark() {
    for (char c = 0; c < 0x3000; c++) {
      String v = "a" + c + "b";
      assertEquals(
          ExternalCatalogUtils.escapePathName(v), ResultParquet.escape(v), "char " + (int) c);
    }
    assertEquals(ExternalCatalogUtils.DEFAULT_PARTITION_NAME(), ResultParquet.escape(null));
    assertEquals(ExternalCatalogUtils.DEFAULT_PARTITION_NAME(), ResultParquet.escape(""));
  }

  @Test
  void anEmptyUnpartitionedDatasetStillHasItsSchema() {
    Path dir = tmp.resolve("empty");
    ResultParquet.write(dir, ResultColumns.of(ProbeResult.class), List.of(), List.of());
    Dataset<Row> p = spark.read().parquet(dir.toString());
    assertEquals(0, p.count());
    assertEquals(
        names(spark.createDataFrame(List.of(), SearchJob.schema(ProbeResult.class))), names(p));
  }

  /** The datasets as the search wrote them before: Spark SQL, one task. */
  static void writeWithSpark(Path dir, List<DeploymentSearch.Result> results) {
    List<Column> columns = DeploymentResult.columns();
    List<Row> rows = new ArrayList<>();
    List<Row> probes = new ArrayList<>();
    for (DeploymentSearch.Result r : results) {
      rows.add(RowFactory.create(r.deployment().values(columns)));
      for (ProbeResult p : r.probes()) {
        probes.add(RowFactory.create(ResultColumns.values(p)));
      }
    }
    spark
        .createDataFrame(rows, SearchJob.schema(columns))
        .repartition(1)
        .write()
        .partitionBy("model", "workload")
        .parquet(dir.resolve("deployments").toUri().toString());
    spark
        .createDataFrame(probes, SearchJob.schema(ProbeResult.class))
        .repartition(1)
        .write()
        .parquet(dir.resolve("probes").toUri().toString());
  }

  static List<String> names(Dataset<Row> d) {
    List<String> out = new ArrayList<>();
    for (StructField f : d.schema().fields()) {
      out.add(f.name() + ":" + f.dataType().simpleString());
    }
    return out;
  }

  static List<String> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString())
          .sorted()
          .toList();
    }
  }

  static MessageType footer(Path file) throws IOException {
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file))) {
      return r.getFooter().getFileMetaData().getSchema();
    }
  }

  static List<String> repetitions(MessageType schema) {
    return schema.getFields().stream()
        .map(
            f ->
                f.getName()
                    + (f.getRepetition() == Type.Repetition.OPTIONAL ? " optional" : " required"))
        .toList();
  }
}
