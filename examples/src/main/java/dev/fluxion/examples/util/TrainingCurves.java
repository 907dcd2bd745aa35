package dev.fluxion.examples.util;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-epoch metrics of a training run, written as {@code curves.csv} (one row per epoch) and {@code curves.png}
 * (one line per metric against the epoch). Metrics are columns in the order first recorded; an epoch that lacks
 * one leaves its cell empty.
 */
public final class TrainingCurves {
    private final String title;
    private final List<Map<String, Double>> epochs = new ArrayList<>();
    private final List<String> names = new ArrayList<>();

    public TrainingCurves(String title) {
        this.title = title;
    }

    /** Records the metrics of the next epoch (1-based in the outputs). */
    public void addEpoch(Map<String, Double> metrics) {
        epochs.add(new LinkedHashMap<>(metrics));
        for (String name : metrics.keySet()) if (!names.contains(name)) names.add(name);
    }

    public int epochCount() {
        return epochs.size();
    }

    public List<String> metricNames() {
        return List.copyOf(names);
    }

    /** Writes {@code curves.csv} and {@code curves.png} into {@code dir} (created if missing); returns the CSV path. */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path csv = dir.resolve("curves.csv");
        Files.writeString(csv, toCsv());
        writePng(dir.resolve("curves.png"), 800, 500);
        return csv;
    }

    /** The header {@code epoch,<metric>...}, then one row per epoch. */
    public String toCsv() {
        StringBuilder sb = new StringBuilder("epoch");
        for (String name : names) sb.append(',').append(name);
        sb.append('\n');
        for (int i = 0; i < epochs.size(); i++) {
            sb.append(i + 1);
            for (String name : names) {
                Double v = epochs.get(i).get(name);
                sb.append(',');
                if (v != null) sb.append(String.format(Locale.ROOT, "%.6g", v));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Renders the line plot; AWT must be headless on machines without a display (the launcher sets it). */
    public void writePng(Path file, int width, int height) throws IOException {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
        XYSeriesCollection series = new XYSeriesCollection();
        for (String name : names) {
            XYSeries s = new XYSeries(name);
            for (int i = 0; i < epochs.size(); i++) {
                Double v = epochs.get(i).get(name);
                if (v != null && Double.isFinite(v)) s.add(i + 1, v);
            }
            series.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "epoch", "value", series,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        // markers on the points, so a one-epoch run still shows its values; whole epochs on the x axis
        ((XYLineAndShapeRenderer) plot.getRenderer()).setDefaultShapesVisible(true);
        ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, width, height);
    }
}
