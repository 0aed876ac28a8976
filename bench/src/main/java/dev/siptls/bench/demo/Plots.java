package dev.siptls.bench.demo;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;
import org.knowm.xchart.ChartEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's plots, from the sweep over n: authentications counted (beside the paper's formulas), and
 * the wall and CPU time of a connection, for the ways the sweep ran. Each is written as SVG and PNG.
 */
final class Plots {

    static final String AUTHENTICATIONS = "authentications";
    static final String CONNECTION_TIME = "connection-time";
    static final String CONNECTION_CPU = "connection-cpu";

    private static final Color TRADITIONAL = new Color(0xC0392B);
    private static final Color RESUMPTION = new Color(0xD68910);
    private static final Color SIP_TLS = new Color(0x1F618D);
    private static final Color SIP_TLS_13 = new Color(0x117A65);
    /** The paper's formulas: broad translucent bands under the counted points, which lie on them if they match. */
    private static final Color PAPER_TRADITIONAL = new Color(0xC0, 0x39, 0x2B, 0x40);
    private static final Color PAPER_PROPOSED = new Color(0x1F, 0x61, 0x8D, 0x40);
    private static final BasicStroke BAND = new BasicStroke(10f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);

    private Plots() {
    }

    /** Writes every plot as {@code name.svg} and {@code name.png} into {@code directory}; returns the files. */
    static List<Path> write(List<SweepPoint> sweep, Path directory) throws IOException {
        List<Path> files = new ArrayList<>();
        files.addAll(save(authentications(sweep), directory, AUTHENTICATIONS));
        files.addAll(save(time(sweep, "Wall time of a TLS connection (median)", "wall time per connection [ms]",
                Sample::wallNanos), directory, CONNECTION_TIME));
        files.addAll(save(time(sweep, "CPU time of a TLS connection, all threads incl. SIP (median)",
                "CPU time per connection [ms]", Sample::allCpuNanos), directory, CONNECTION_CPU));
        return files;
    }

    private static XYChart authentications(List<SweepPoint> sweep) {
        int rounds = sweep.get(0).result(Way.SIP_TLS).rounds();
        XYChart chart = chart("Case 2: authentications counted vs. the paper's Table 1",
                "authentications (handshake signatures, TLS + SIP)");
        double[] n = xs(sweep);
        int max = sweep.get(sweep.size() - 1).n();
        double[] dense = new double[max - 1];
        double[] traditionalFormula = new double[dense.length];
        double[] proposedFormula = new double[dense.length];
        for (int i = 0; i < dense.length; i++) {
            int k = i + 2;
            dense[i] = k;
            traditionalFormula[i] = 2.0 * k * (k - 1);
            proposedFormula[i] = 2.0 * k;
        }
        style(chart.addSeries("paper, traditional TLS: 2n(n-1)", dense, traditionalFormula), PAPER_TRADITIONAL,
                BAND, SeriesMarkers.NONE);
        style(chart.addSeries("paper, proposed method: 2n", dense, proposedFormula), PAPER_PROPOSED, BAND,
                SeriesMarkers.NONE);
        // Counted figures as points on the paper's curves: resumption first, traditional's crosses on top.
        scatter(style(chart.addSeries("TLS resumption, counted, " + rounds + " connections per pair", n,
                ys(sweep, Way.RESUMPTION, r -> r.allRounds().authentications())), RESUMPTION, SeriesLines.NONE,
                SeriesMarkers.SQUARE));
        scatter(style(chart.addSeries("traditional TLS, counted, 1 connection per pair", n,
                ys(sweep, Way.TRADITIONAL, r -> r.allRounds().authentications())), TRADITIONAL, SeriesLines.NONE,
                SeriesMarkers.CROSS));
        scatter(style(chart.addSeries(Way.SIP_TLS.title() + ", counted, " + rounds + " connections per pair", n,
                ys(sweep, Way.SIP_TLS, r -> r.allRounds().authentications())), SIP_TLS, SeriesLines.NONE,
                SeriesMarkers.DIAMOND));
        return chart;
    }

    private static XYChart time(List<SweepPoint> sweep, String title, String yTitle, ToLongFunction<Sample> metric) {
        XYChart chart = chart("Case 2: " + title, yTitle);
        double[] n = xs(sweep);
        for (Way way : Way.values()) {
            if (sweep.get(0).result(way) == null) {
                continue;
            }
            Color color = color(way);
            style(chart.addSeries(way.title() + ", first connection of a pair", n,
                    ys(sweep, way, r -> WayResult.medianMillis(r.select(true), metric))), color, SeriesLines.SOLID,
                    SeriesMarkers.CIRCLE);
            if (sweep.get(0).result(way).rounds() > 1) {
                style(chart.addSeries(way.title() + ", later connections", n,
                        ys(sweep, way, r -> WayResult.medianMillis(r.select(false), metric))), color,
                        SeriesLines.DASH_DASH, SeriesMarkers.SQUARE);
            }
        }
        return chart;
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart chart = new XYChartBuilder().width(900).height(640).title(title).xAxisTitle("terminals n")
                .yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(LegendPosition.OutsideS);
        chart.getStyler().setMarkerSize(9);
        chart.getStyler().setXAxisDecimalPattern("0");
        chart.getStyler().setYAxisMin(0.0);
        return chart;
    }

    private static XYSeries style(XYSeries series, Color color, BasicStroke line, Marker marker) {
        series.setLineColor(color);
        series.setMarkerColor(color);
        series.setLineStyle(line);
        series.setMarker(marker);
        return series;
    }

    private static void scatter(XYSeries series) {
        series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    }

    private static Color color(Way way) {
        return switch (way) {
            case TRADITIONAL -> TRADITIONAL;
            case RESUMPTION -> RESUMPTION;
            case SIP_TLS -> SIP_TLS;
            case SIP_TLS_13 -> SIP_TLS_13;
        };
    }

    private static double[] xs(List<SweepPoint> sweep) {
        return sweep.stream().mapToDouble(SweepPoint::n).toArray();
    }

    private static double[] ys(List<SweepPoint> sweep, Way way, ToDoubleFunction<WayResult> value) {
        return sweep.stream().mapToDouble(p -> value.applyAsDouble(p.result(way))).toArray();
    }

    private static List<Path> save(XYChart chart, Path directory, String name) throws IOException {
        Path svg = directory.resolve(name + ".svg");
        Path png = directory.resolve(name + ".png");
        try (OutputStream out = Files.newOutputStream(svg)) {
            ChartEncoder.saveChart(chart, out, "svg");
        }
        try (OutputStream out = Files.newOutputStream(png)) {
            ChartEncoder.saveChart(chart, out, "png");
        }
        return List.of(svg, png);
    }
}
