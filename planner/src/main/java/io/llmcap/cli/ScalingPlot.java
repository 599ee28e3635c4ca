package io.llmcap.cli;

import io.llmcap.base.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;

/** The README's scaling plot: wall time against requests, one line per scheduler and replicas. */
final class ScalingPlot {
  private ScalingPlot() {}

  static void draw(Path csv, Path png) {
    try {
      List<String> lines = Files.readAllLines(csv);
      List<String> header = List.of(lines.get(0).split(","));
      int sched = header.indexOf("scheduler");
      int reps = header.indexOf("replicas");
      int req = header.indexOf("requests");
      int wall = header.indexOf("wall_s");
      Map<String, TreeMap<Double, Double>> series = new TreeMap<>();
      for (String line : lines.subList(1, lines.size())) {
        String[] c = line.split(",");
        String name = c[sched] + ", " + c[reps] + " replica" + (c[reps].equals("1") ? "" : "s");
        series
            .computeIfAbsent(name, k -> new TreeMap<>())
            .put(Double.parseDouble(c[req]), Double.parseDouble(c[wall]));
      }
      XYChart chart =
          new XYChartBuilder()
              .width(800)
              .height(500)
              .title("llmcap bench: wall time against simulated requests (one core, 1 GB heap)")
              .xAxisTitle("requests")
              .yAxisTitle("wall time (s)")
              .build();
      chart.getStyler().setXAxisLogarithmic(true);
      chart.getStyler().setYAxisLogarithmic(true);
      chart.getStyler().setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Line);
      for (var e : series.entrySet()) {
        chart.addSeries(
            e.getKey(),
            new ArrayList<>(e.getValue().keySet()),
            new ArrayList<>(e.getValue().values()));
      }
      Path tmp = png.resolveSibling(png.getFileName() + ".tmp.png");
      BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
      Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new ConfigException("--plot", "cannot plot '" + csv + "' to '" + png + "': " + e);
    }
  }
}
