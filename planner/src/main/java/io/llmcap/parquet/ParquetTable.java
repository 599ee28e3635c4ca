package io.llmcap.parquet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * A Parquet file written row by row with flat, typed columns (int32, int64, double; a double NaN is
 * written as null), zstd-compressed, through parquet-hadoop's local-file API (no Hadoop file
 * system). Readable by pandas (pyarrow), Spark and DuckDB.
 */
public final class ParquetTable implements AutoCloseable {
  /** A column type. */
  public enum Kind {
    INT,
    LONG,
    DOUBLE
  }

  /** A column: name, kind, and whether it may be null (a double column, null for NaN). */
  public record Column(String name, Kind kind, boolean nullable) {
    public static Column ofInt(String name) {
      return new Column(name, Kind.INT, false);
    }

    public static Column ofLong(String name) {
      return new Column(name, Kind.LONG, false);
    }

    public static Column ofDouble(String name) {
      return new Column(name, Kind.DOUBLE, false);
    }

    /** A double column whose NaN values are written as null. */
    public static Column ofNullableDouble(String name) {
      return new Column(name, Kind.DOUBLE, true);
    }
  }

  private final Column[] columns;
  private final long[] longs;
  private final double[] doubles;
  private final ParquetWriter<ParquetTable> writer;

  public ParquetTable(Path file, String name, List<Column> columns) {
    this.columns = columns.toArray(Column[]::new);
    this.longs = new long[this.columns.length];
    this.doubles = new double[this.columns.length];
    Types.MessageTypeBuilder b = Types.buildMessage();
    for (Column c : this.columns) {
      switch (c.kind()) {
        case INT -> b.required(PrimitiveTypeName.INT32).named(c.name());
        case LONG -> b.required(PrimitiveTypeName.INT64).named(c.name());
        case DOUBLE ->
            (c.nullable()
                    ? b.optional(PrimitiveTypeName.DOUBLE)
                    : b.required(PrimitiveTypeName.DOUBLE))
                .named(c.name());
      }
    }
    MessageType schema = b.named(name);
    try {
      // no dictionaries: times and ids are nearly all distinct, and for the small int columns the
      // dictionary's hash lookups cost more time (a fifth of the writing) than zstd leaves to gain
      writer =
          new Builder(file, schema)
              .withDictionaryEncoding(false)
              .withConf(conf())
              .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
              .withCompressionCodec(CompressionCodecName.ZSTD)
              .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_1_0)
              .withRowGroupSize(ROW_GROUP_BYTES)
              .withPageWriteChecksumEnabled(false)
              .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Bytes buffered per row group before it is flushed: three tables stream at once, so this bounds
   * the writers' memory (about 3 x 32 MiB) however long the run.
   */
  static final long ROW_GROUP_BYTES = 32L << 20;

  /** zstd level 1: about as small as the default level 3 on these columns, and faster. */
  private static ParquetConfiguration conf() {
    PlainParquetConfiguration c = new PlainParquetConfiguration();
    c.set("parquet.compression.codec.zstd.level", "1");
    return c;
  }

  /** Sets column {@code i} (an int or long column) of the current row. */
  public ParquetTable set(int i, long v) {
    longs[i] = v;
    return this;
  }

  /** Sets column {@code i} (a double column) of the current row. */
  public ParquetTable set(int i, double v) {
    doubles[i] = v;
    return this;
  }

  /** Writes the current row. */
  public void endRow() {
    try {
      writer.write(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }

  private void emit(RecordConsumer rc) {
    rc.startMessage();
    for (int i = 0; i < columns.length; i++) {
      Column c = columns[i];
      if (c.nullable() && Double.isNaN(doubles[i])) {
        continue;
      }
      rc.startField(c.name(), i);
      switch (c.kind()) {
        case INT -> rc.addInteger((int) longs[i]);
        case LONG -> rc.addLong(longs[i]);
        case DOUBLE -> rc.addDouble(doubles[i]);
      }
      rc.endField(c.name(), i);
    }
    rc.endMessage();
  }

  private static final class Support extends WriteSupport<ParquetTable> {
    private final MessageType schema;
    private RecordConsumer rc;

    Support(MessageType schema) {
      this.schema = schema;
    }

    @Override
    public WriteContext init(org.apache.hadoop.conf.Configuration conf) {
      return new WriteContext(schema, new HashMap<>());
    }

    @Override
    public WriteContext init(ParquetConfiguration conf) {
      return new WriteContext(schema, new HashMap<>());
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      rc = recordConsumer;
    }

    @Override
    public void write(ParquetTable row) {
      row.emit(rc);
    }
  }

  private static final class Builder extends ParquetWriter.Builder<ParquetTable, Builder> {
    private final MessageType schema;

    Builder(Path file, MessageType schema) {
      super(new LocalOutputFile(file));
      this.schema = schema;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<ParquetTable> getWriteSupport(org.apache.hadoop.conf.Configuration c) {
      return new Support(schema);
    }

    @Override
    protected WriteSupport<ParquetTable> getWriteSupport(ParquetConfiguration c) {
      return new Support(schema);
    }
  }
}
