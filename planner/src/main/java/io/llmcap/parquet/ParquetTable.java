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
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridValuesWriter;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.Util;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type.Repetition;
import org.apache.parquet.schema.Types;

/**
 * A Parquet file written row by row with flat, typed columns (int32, int64, double, boolean, UTF-8
 * string; optional where the column is nullable: a nullable double's NaN is written as null),
 * zstd-compressed, through parquet-hadoop's file writer on a local file (no Hadoop file system).
 * Readable by pandas (pyarrow), Spark and DuckDB. The bytes depend on the rows alone (no time
 * stamps), so the same rows give the same file.
 *
 * <p>Rows are buffered column by column in primitive arrays, a row group at a time, and each column
 * is then encoded in bulk (PLAIN values, RLE definition levels, v1 data pages of {@value
 * #PAGE_ROWS} rows) and handed to {@link ParquetFileWriter} page by page. parquet-mr's record API
 * did the same work a value at a time through its record consumer, level writers and a byte-wise
 * little-endian stream: a quarter of a million-request simulation's time.
 */
public final class ParquetTable implements AutoCloseable {
  /** A column type. */
  public enum Kind {
    INT(8),
    LONG(8),
    DOUBLE(8),
    BOOLEAN(8),
    /** UTF-8, annotated as a string (Spark's and pyarrow's string type) */
    STRING(32);

    /**
     * Bytes a buffered value takes, for sizing row groups: ints and booleans are buffered as longs;
     * a string's is a guess.
     */
    final int width;

    Kind(int width) {
      this.width = width;
    }
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

  /**
   * Bytes buffered per row group before it is written: three tables stream at once, so this bounds
   * the writers' memory (about 3 x 32 MiB) however long the run.
   */
  static final long ROW_GROUP_BYTES = 32L << 20;

  /** Rows per data page: 512 KiB of doubles, under parquet-mr's 1 MiB default page. */
  static final int PAGE_ROWS = 1 << 16;

  /** Rows the buffers hold at first; they double up to a row group as rows come. */
  private static final int FIRST_ROWS = 256;

  private final Column[] columns;
  private final List<ColumnDescriptor> descriptors;
  private final int groupRows;
  // the row group being filled, one array per column (by kind; the others are null)
  private final long[][] longs; // int, long and boolean (0 or 1) columns
  private final double[][] doubles;
  private final Binary[][] strings;
  private final boolean[][] nulls; // nullable columns only
  private int rows;
  private final ParquetFileWriter writer;
  private final BytesInputCompressor compressor;
  private final Path file;

  public ParquetTable(Path file, String name, List<Column> columns) {
    this(file, name, columns, ROW_GROUP_BYTES);
  }

  /** With row groups of about {@code rowGroupBytes} bytes in memory (at least a page of rows). */
  ParquetTable(Path file, String name, List<Column> columns, long rowGroupBytes) {
    this.file = file;
    this.columns = columns.toArray(Column[]::new);
    int n = this.columns.length;
    Types.MessageTypeBuilder b = Types.buildMessage();
    long rowBytes = 1;
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
      rowBytes += c.kind().width;
    }
    MessageType schema = b.named(name);
    descriptors = schema.getColumns();
    groupRows = (int) Math.max(PAGE_ROWS, rowGroupBytes / rowBytes / PAGE_ROWS * PAGE_ROWS);
    longs = new long[n][];
    doubles = new double[n][];
    strings = new Binary[n][];
    nulls = new boolean[n][];
    for (int i = 0; i < n; i++) {
      switch (this.columns[i].kind()) {
        case INT, LONG, BOOLEAN -> longs[i] = new long[FIRST_ROWS];
        case DOUBLE -> doubles[i] = new double[FIRST_ROWS];
        case STRING -> strings[i] = new Binary[FIRST_ROWS];
      }
      if (this.columns[i].nullable()) {
        nulls[i] = new boolean[FIRST_ROWS];
      }
    }
    try {
      writer =
          new ParquetFileWriter(
              new LocalOutputFile(file),
              schema,
              ParquetFileWriter.Mode.OVERWRITE,
              rowGroupBytes,
              0,
              null,
              ParquetProperties.builder()
                  .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_1_0)
                  .withPageWriteChecksumEnabled(false)
                  .build());
      writer.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    compressor = new CodecFactory(conf(), PAGE_ROWS * 8).getCompressor(CODEC);
  }

  private static final CompressionCodecName CODEC = CompressionCodecName.ZSTD;

  /** zstd level 1: about as small as the default level 3 on these columns, and faster. */
  private static ParquetConfiguration conf() {
    PlainParquetConfiguration c = new PlainParquetConfiguration();
    c.set("parquet.compression.codec.zstd.level", "1");
    return c;
  }

  /** Sets column {@code i} (an int or long column) of the current row. */
  public ParquetTable set(int i, long v) {
    longs[i][rows] = v;
    return present(i);
  }

  /** Sets column {@code i} (a double column) of the current row. */
  public ParquetTable set(int i, double v) {
    doubles[i][rows] = v;
    return present(i);
  }

  /** Sets column {@code i} (a boolean column) of the current row. */
  public ParquetTable set(int i, boolean v) {
    longs[i][rows] = v ? 1 : 0;
    return present(i);
  }

  /** Sets column {@code i} (a string column) of the current row; null for a nullable column. */
  public ParquetTable set(int i, String v) {
    if (v == null) {
      return setNull(i);
    }
    strings[i][rows] = Binary.fromString(v);
    return present(i);
  }

  private ParquetTable present(int i) {
    if (nulls[i] != null) {
      nulls[i][rows] = false;
    }
    return this;
  }

  /** Sets column {@code i} (a nullable column) of the current row to null. */
  public ParquetTable setNull(int i) {
    if (!columns[i].nullable()) {
      throw new IllegalArgumentException("column " + columns[i].name() + " is not nullable");
    }
    nulls[i][rows] = true;
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
    rows++;
    if (rows == groupRows) {
      writeRowGroup();
    } else if (rows == capacity()) {
      grow();
    }
  }

  private int capacity() {
    Column c = columns[0];
    return switch (c.kind()) {
      case INT, LONG, BOOLEAN -> longs[0].length;
      case DOUBLE -> doubles[0].length;
      case STRING -> strings[0].length;
    };
  }

  private void grow() {
    int to = Math.min(groupRows, 2 * rows);
    for (int i = 0; i < columns.length; i++) {
      if (longs[i] != null) {
        longs[i] = Arrays.copyOf(longs[i], to);
      }
      if (doubles[i] != null) {
        doubles[i] = Arrays.copyOf(doubles[i], to);
      }
      if (strings[i] != null) {
        strings[i] = Arrays.copyOf(strings[i], to);
      }
      if (nulls[i] != null) {
        nulls[i] = Arrays.copyOf(nulls[i], to);
      }
    }
  }

  @Override
  public void close() throws IOException {
    try {
      if (rows > 0) {
        writeRowGroup();
      }
      writer.end(Map.of());
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } finally {
      compressor.release();
    }
    sortFooterEncodings(file);
  }

  /** Writes the buffered rows as one row group, column after column, and empties the buffers. */
  private void writeRowGroup() {
    try {
      writer.startBlock(rows);
      for (int i = 0; i < columns.length; i++) {
        writer.startColumn(descriptors.get(i), rows, CODEC);
        for (int from = 0; from < rows; from += PAGE_ROWS) {
          writePage(i, from, Math.min(rows, from + PAGE_ROWS));
        }
        writer.endColumn();
      }
      writer.endBlock();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    rows = 0;
  }

  /** Writes rows [from, to) of column {@code i} as one v1 data page. */
  private void writePage(int i, int from, int to) throws IOException {
    Column c = columns[i];
    Statistics<?> stats = Statistics.createStats(descriptors.get(i).getPrimitiveType());
    boolean[] isNull = nulls[i];
    BytesInput levels = BytesInput.empty();
    if (isNull != null) {
      if (c.kind() == Kind.DOUBLE) {
        for (int r = from; r < to; r++) {
          isNull[r] |= Double.isNaN(doubles[i][r]);
        }
      }
      // maximum definition level 1: one bit per row, RLE/bit-packed with its length in front
      RunLengthBitPackingHybridValuesWriter dl =
          new RunLengthBitPackingHybridValuesWriter(
              1, 1024, PAGE_ROWS, new HeapByteBufferAllocator());
      for (int r = from; r < to; r++) {
        dl.writeInteger(isNull[r] ? 0 : 1);
      }
      levels = BytesInput.copy(dl.getBytes());
      dl.close();
    }
    byte[] values = plain(i, from, to, isNull, stats);
    BytesInput page = BytesInput.concat(levels, BytesInput.from(values));
    long size = page.size();
    BytesInput compressed = compressor.compress(page);
    writer.writeDataPage(
        to - from,
        (int) size,
        compressed,
        stats,
        to - from,
        // as parquet-mr writes levels: none for a level that is always 0, RLE otherwise
        Encoding.BIT_PACKED,
        isNull == null ? Encoding.BIT_PACKED : Encoding.RLE,
        Encoding.PLAIN);
  }

  /**
   * The PLAIN encoding of column {@code i}'s non-null values in rows [from, to): little-endian
   * fixed width, booleans one bit each (first value in the lowest bit), strings as a 4-byte length
   * and their bytes. Counts them into {@code stats}.
   */
  private byte[] plain(int i, int from, int to, boolean[] isNull, Statistics<?> stats) {
    int present = 0;
    for (int r = from; r < to; r++) {
      if (isNull != null && isNull[r]) {
        stats.incrementNumNulls();
      } else {
        present++;
      }
    }
    return switch (columns[i].kind()) {
      case INT -> {
        ByteBuffer out = buffer(4L * present);
        for (int r = from; r < to; r++) {
          if (isNull == null || !isNull[r]) {
            int v = (int) longs[i][r];
            out.putInt(v);
            stats.updateStats(v);
          }
        }
        yield out.array();
      }
      case LONG -> {
        ByteBuffer out = buffer(8L * present);
        for (int r = from; r < to; r++) {
          if (isNull == null || !isNull[r]) {
            long v = longs[i][r];
            out.putLong(v);
            stats.updateStats(v);
          }
        }
        yield out.array();
      }
      case DOUBLE -> {
        ByteBuffer out = buffer(8L * present);
        for (int r = from; r < to; r++) {
          if (isNull == null || !isNull[r]) {
            double v = doubles[i][r];
            out.putDouble(v);
            stats.updateStats(v);
          }
        }
        yield out.array();
      }
      case BOOLEAN -> {
        byte[] out = new byte[(present + 7) / 8];
        int bit = 0;
        for (int r = from; r < to; r++) {
          if (isNull == null || !isNull[r]) {
            boolean v = longs[i][r] != 0;
            if (v) {
              out[bit >>> 3] |= (byte) (1 << (bit & 7));
            }
            bit++;
            stats.updateStats(v);
          }
        }
        yield out;
      }
      case STRING -> {
        long bytes = 0;
        for (int r = from; r < to; r++) {
          if (isNull == null || !isNull[r]) {
            bytes += 4 + strings[i][r].length();
          }
        }
        ByteBuffer out = buffer(bytes);
        for (int r = from; r < to; r++) {
          if (isNull == null || !isNull[r]) {
            Binary v = strings[i][r];
            out.putInt(v.length());
            out.put(v.toByteBuffer());
            stats.updateStats(v);
          }
        }
        yield out.array();
      }
    };
  }

  private static ByteBuffer buffer(long bytes) {
    return ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
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
          c.getMeta_data()
              .getEncodings()
              .sort(Comparator.comparingInt(org.apache.parquet.format.Encoding::getValue));
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
}
