package io.llmcap.parquet;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.Util;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type.Repetition;
import org.apache.parquet.schema.Types;

/**
 * A Parquet file written row by row with flat, typed columns (int32, int64, double, boolean, UTF-8
 * string; optional where the column is nullable: a nullable double's NaN is written as null),
 * zstd-compressed, through parquet-hadoop's local-file API (no Hadoop file system). Readable by
 * pandas (pyarrow), Spark and DuckDB. The bytes depend on the rows alone (no time stamps), so the
 * same rows give the same file.
 */
public final class ParquetTable implements AutoCloseable {
  /** A column type. */
  public enum Kind {
    INT,
    LONG,
    DOUBLE,
    BOOLEAN,
    /** UTF-8, annotated as a string (Spark's and pyarrow's string type) */
    STRING
  }

  /** A column: name, kind, and whether it may be null (a nullable double column: null for NaN). */
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
  private final long[] longs; // int, long and boolean (0 or 1) columns
  private final double[] doubles;
  private final Binary[] strings;
  private final boolean[] nulls;
  private final ParquetWriter<ParquetTable> writer;
  private final Path file;

  public ParquetTable(Path file, String name, List<Column> columns) {
    this.file = file;
    this.columns = columns.toArray(Column[]::new);
    this.longs = new long[this.columns.length];
    this.doubles = new double[this.columns.length];
    this.strings = new Binary[this.columns.length];
    this.nulls = new boolean[this.columns.length];
    Types.MessageTypeBuilder b = Types.buildMessage();
    for (Column c : this.columns) {
      Repetition r = c.nullable() ? Repetition.OPTIONAL : Repetition.REQUIRED;
      switch (c.kind()) {
        case INT -> b.primitive(PrimitiveTypeName.INT32, r).named(c.name());
        case LONG -> b.primitive(PrimitiveTypeName.INT64, r).named(c.name());
        case DOUBLE -> b.primitive(PrimitiveTypeName.DOUBLE, r).named(c.name());
        case BOOLEAN -> b.primitive(PrimitiveTypeName.BOOLEAN, r).named(c.name());
        case STRING ->
            b.primitive(PrimitiveTypeName.BINARY, r)
                .as(LogicalTypeAnnotation.stringType())
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
    nulls[i] = false;
    return this;
  }

  /** Sets column {@code i} (a double column) of the current row. */
  public ParquetTable set(int i, double v) {
    doubles[i] = v;
    nulls[i] = false;
    return this;
  }

  /** Sets column {@code i} (a boolean column) of the current row. */
  public ParquetTable set(int i, boolean v) {
    longs[i] = v ? 1 : 0;
    nulls[i] = false;
    return this;
  }

  /** Sets column {@code i} (a string column) of the current row; null for a nullable column. */
  public ParquetTable set(int i, String v) {
    if (v == null) {
      return setNull(i);
    }
    strings[i] = Binary.fromString(v);
    nulls[i] = false;
    return this;
  }

  /** Sets column {@code i} (a nullable column) of the current row to null. */
  public ParquetTable setNull(int i) {
    if (!columns[i].nullable()) {
      throw new IllegalArgumentException("column " + columns[i].name() + " is not nullable");
    }
    nulls[i] = true;
    return this;
  }

  /**
   * Sets column {@code i} of the current row from a boxed value: null, a {@link Number} for an int,
   * long or double column (converted to the column's width), a {@link Boolean} or a {@link String}.
   */
  public ParquetTable setValue(int i, Object v) {
    if (v == null) {
      return setNull(i);
    }
    Column c = columns[i];
    return switch (c.kind()) {
      case INT, LONG -> set(i, ((Number) v).longValue());
      case DOUBLE -> set(i, ((Number) v).doubleValue());
      case BOOLEAN -> set(i, (boolean) (Boolean) v);
      case STRING -> set(i, (String) v);
    };
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
    sortFooterEncodings(file);
  }

  /**
   * Sorts each column chunk's list of encodings in the footer of {@code file}: parquet-mr collects
   * them in a HashSet of enums, whose order changes from one JVM to the next (identity hashes), so
   * without this the same rows would not give the same bytes. Only the footer, at the end of the
   * file, is rewritten.
   */
  static void sortFooterEncodings(Path file) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = ch.size();
      ByteBuffer tail = read(ch, size - 8, 8).order(ByteOrder.LITTLE_ENDIAN);
      long start = size - 8 - tail.getInt(0);
      byte[] footer = read(ch, start, (int) (size - 8 - start)).array();
      FileMetaData meta = Util.readFileMetaData(new ByteArrayInputStream(footer));
      for (RowGroup g : meta.getRow_groups()) {
        for (ColumnChunk c : g.getColumns()) {
          c.getMeta_data().getEncodings().sort(Comparator.comparingInt(Encoding::getValue));
        }
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(footer.length + 8);
      Util.writeFileMetaData(meta, out);
      int length = out.size();
      out.write(tail.putInt(0, length).array());
      ch.truncate(start);
      ch.write(ByteBuffer.wrap(out.toByteArray()), start);
    }
  }

  private static ByteBuffer read(FileChannel ch, long at, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining()) {
      if (ch.read(b, at + b.position()) < 0) {
        throw new IOException("truncated Parquet file");
      }
    }
    return b;
  }

  private void emit(RecordConsumer rc) {
    rc.startMessage();
    for (int i = 0; i < columns.length; i++) {
      Column c = columns[i];
      if (c.nullable() && (nulls[i] || c.kind() == Kind.DOUBLE && Double.isNaN(doubles[i]))) {
        continue;
      }
      rc.startField(c.name(), i);
      switch (c.kind()) {
        case INT -> rc.addInteger((int) longs[i]);
        case LONG -> rc.addLong(longs[i]);
        case DOUBLE -> rc.addDouble(doubles[i]);
        case BOOLEAN -> rc.addBoolean(longs[i] != 0);
        case STRING -> rc.addBinary(strings[i]);
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
