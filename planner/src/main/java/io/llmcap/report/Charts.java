package io.llmcap.report;

import io.llmcap.metrics.Distribution;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler.LegendLayout;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The one look of every llmcap chart (XChart): size, colours, legend, grid, and PNG output. */
public final class Charts {
  private Charts() {}

  public static final int WIDTH = 800;
  public static final int HEIGHT = 520;

  /** Matplotlib's tab10 order, without red and grey, which mean "frontier" and "outside". */
  private static final Color[] PALETTE = {
    new Color(0x1f77b4),
    new Color(0xff7f0e),
    new Color(0x2ca02c),
    new Color(0x9467bd),
    new Color(0x8c564b),
    new Color(0xe377c2),
    new Color(0x17becf),
    new Color(0xbcbd22)
  };

  public static final Color GREY = new Color(0xb0b0b0);
  public static final Color RED = new Color(0xd62728);
  public static final BasicStroke SOLID = new BasicStroke(1.5f);
  public static final BasicStroke DASHED =
      new BasicStroke(
          1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);

  /** Most points a line series gets; longer series are averaged in consecutive buckets. */
  public static final int MAX_POINTS = 2000;

  /** Points on a CDF curve, evenly spaced in probability. */
  static final int CDF_POINTS = 400;

  public static Color color(int i) {
    return PALETTE[Math.floorMod(i, PALETTE.length)];
  }

  public static XYChart xy(String title, String xTitle, String yTitle) {
    XYChart c =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    style(c.getStyler());
    c.getStyler().setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Line);
    c.getStyler().setMarkerSize(8);
    return c;
  }

  public static CategoryChart bars(String title, String xTitle, String yTitle) {
    CategoryChart c =
        new CategoryChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    style(c.getStyler());
    c.getStyler().setYAxisMin(0.0);
    c.getStyler().setAvailableSpaceFill(0.8);
    return c;
  }

  private static void style(AxesChartStyler s) {
    s.setLegendPosition(LegendPosition.OutsideS);
    s.setLegendLayout(LegendLayout.Horizontal);
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotGridLinesColor(new Color(0xe6e6e6));
    s.setSeriesColors(PALETTE);
  }

  /** A plain line without markers. */
  public static XYSeries line(
      XYChart c, String name, double[] x, double[] y, Color color, BasicStroke stroke) {
    XYSeries s = c.addSeries(name, x, y);
    s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
    s.setMarker(SeriesMarkers.NONE);
    s.setLineColor(color);
    s.setLineStyle(stroke);
    return s;
  }

  /** A vertical dashed line at {@code x} from 0 to {@code yMax}, e.g. an SLO threshold. */
  public static XYSeries vertical(XYChart c, String name, double x, double yMax, Color color) {
    return line(c, name, new double[] {x, x}, new double[] {0, yMax}, color, DASHED);
  }

  /**
   * The empirical CDF of {@code values} as a line: x = the q-quantile, y = q, at {@link
   * #CDF_POINTS} probabilities, half of them spread over [0, 0.9] and half over the tail (0.9, 1],
   * where the percentiles SLOs name lie. Values ≤ 0 are left out when {@code positiveOnly} (a
   * logarithmic axis cannot show them).
   */
  public static XYSeries cdf(
      XYChart c, String name, Distribution values, Color color, boolean positiveOnly) {
    double[] qs = cdfProbabilities((int) Math.min(values.size(), CDF_POINTS));
    double[] xs = new double[qs.length];
    double[] ys = new double[qs.length];
    int k = 0;
    for (double q : qs) {
      double v = values.quantile(q);
      if (!positiveOnly || v > 0) {
        xs[k] = v;
        ys[k++] = q;
      }
    }
    return line(c, name, Arrays.copyOf(xs, k), Arrays.copyOf(ys, k), color, SOLID);
  }

  static double[] cdfProbabilities(int n) {
    if (n <= 1) {
      return n == 1 ? new double[] {1} : new double[0];
    }
    int body = n / 2;
    double[] q = new double[n];
    for (int i = 0; i < body; i++) {
      q[i] = 0.9 * i / body;
    }
    for (int i = body; i < n; i++) {
      q[i] = 0.9 + 0.1 * (i - body + 1) / (n - body);
    }
    return q;
  }

  /**
   * {@code xs, ys} with at most {@link #MAX_POINTS} points: consecutive buckets of equal count
   * averaged in both coordinates; unchanged when short enough.
   */
  public static double[][] thin(double[] xs, double[] ys) {
    int n = xs.length;
    if (n <= MAX_POINTS) {
      return new double[][] {xs, ys};
    }
    double[] tx = new double[MAX_POINTS];
    double[] ty = new double[MAX_POINTS];
    for (int b = 0; b < MAX_POINTS; b++) {
      int from = (int) ((long) b * n / MAX_POINTS);
      int to = (int) ((long) (b + 1) * n / MAX_POINTS);
      double sx = 0;
      double sy = 0;
      for (int i = from; i < to; i++) {
        sx += xs[i];
        sy += ys[i];
      }
      tx[b] = sx / (to - from);
      ty[b] = sy / (to - from);
    }
    return new double[][] {tx, ty};
  }

  /**
   * Draws the figures into {@code dir}, several at a time: each chart is independent, and drawing
   * (text outlines, antialiasing, PNG deflate) is CPU-bound at about 60 ms a chart.
   */
  public static void pngs(List<Figure> figures, Path dir) throws IOException {
    try {
      figures.parallelStream()
          .forEach(
              f -> {
                try {
                  png(f.chart(), dir.resolve(f.file()));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /**
   * Draws one throw-away chart of a long series on a daemon thread, so that a command overlaps with
   * its own work (on another core) what the first chart costs in a fresh JVM: loading Java2D,
   * fonts, XChart and the PNG encoder. Measured on 2 busy cores, this cut the report of the quick
   * start from 2-4 s to about 0.7 s; more warm-up charts only competed with the simulation.
   */
  public static void warmUpInBackground() {
    Thread t =
        new Thread(
            () -> {
              try {
                double[] x = new double[MAX_POINTS];
                double[] y = new double[MAX_POINTS];
                for (int i = 0; i < x.length; i++) {
                  x[i] = i + (i % 7) * 0.1;
                  y[i] = i % 50;
                }
                XYChart c = xy("warm-up", "x", "y");
                line(c, "s", x, y, color(0), SOLID);
                BitmapEncoder.getBitmapBytes(c, BitmapEncoder.BitmapFormat.PNG);
              } catch (IOException | RuntimeException e) {
                // only a head start: the real drawing reports any problem
              }
            },
            "llmcap-chart-warm-up");
    t.setDaemon(true);
    t.start();
  }

  /** Renders the chart to a PNG file of {@link #WIDTH} × {@link #HEIGHT} pixels. */
  public static void png(Chart<?, ?> chart, Path file) throws IOException {
    Files.write(file, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
  }
}
