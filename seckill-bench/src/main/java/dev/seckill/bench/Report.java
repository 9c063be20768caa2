/*
 * Copyright 2026 The seckill authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package dev.seckill.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Turns a results directory into a summary and charts: reads JMH's JSON ({@code jmh*.json}),
 * {@code openloop.csv} and {@code scale.csv}; writes {@code summary.csv} (one row per benchmark:
 * median and mean of the iteration scores), {@code summary.json} (the same plus the ratios the
 * docs report) and PNG charts drawn with JFreeChart: throughput by threads, latency percentiles
 * by offered rate, engine vs baselines.
 *
 * <p>Run: {@code java -Djava.awt.headless=true -cp seckill-bench/target/benchmarks.jar
 * dev.seckill.bench.Report seckill-bench/results/<date>}
 */
public final class Report {
  /** A benchmark's result: median/mean over measurement iterations, secondary medians. */
  public record Row(String name, int threads, String params, double median, double mean,
      double error, String unit, Map<String, Double> secondary) {}

  private Report() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: Report <results directory>");
    }
    System.setProperty("java.awt.headless", "true");
    write(Path.of(args[0]));
  }

  /** Reads the results in {@code dir} and writes the summary and charts next to them. */
  public static Map<String, Double> write(Path dir) throws IOException {
    List<Row> rows = new ArrayList<>();
    try (var files = Files.list(dir)) {
      for (Path p : files.filter(f -> f.getFileName().toString().matches("jmh.*\\.json")).sorted()
          .toList()) {
        rows.addAll(readJmh(p));
      }
    }
    List<String[]> open = readCsv(dir.resolve("openloop.csv"));
    List<String[]> scale = readCsv(dir.resolve("scale.csv"));
    // A benchmark re-run into a later file (jmh-redis.json after jmh-main.json) replaces the
    // earlier row; files are read in name order.
    Map<String, Row> byName = new LinkedHashMap<>();
    for (Row r : rows) {
      byName.remove(r.name + r.params);
      byName.put(r.name + r.params, r);
    }
    rows = new ArrayList<>(byName.values());
    Map<String, Double> ratios = ratios(byName, open);
    writeSummary(dir, rows, ratios, open, scale);
    chartThreads(dir, byName);
    chartBaselines(dir, byName);
    chartLatency(dir, open);
    return ratios;
  }

  static List<Row> readJmh(Path file) throws IOException {
    List<Row> rows = new ArrayList<>();
    JsonArray all;
    try (Reader r = Files.newBufferedReader(file)) {
      all = JsonParser.parseReader(r).getAsJsonArray();
    }
    for (JsonElement e : all) {
      JsonObject b = e.getAsJsonObject();
      String full = b.get("benchmark").getAsString();
      String[] parts = full.split("\\.");
      String name = parts[parts.length - 2] + "." + parts[parts.length - 1];
      StringBuilder params = new StringBuilder();
      if (b.has("params")) {
        for (Map.Entry<String, JsonElement> p : new TreeMap<>(b.getAsJsonObject("params").asMap())
            .entrySet()) {
          if (p.getKey().equals("impl") || p.getKey().equals("db") || p.getKey().equals("path")
              || p.getKey().equals("idle") || p.getKey().equals("storage")) {
            params.append('[').append(p.getKey()).append('=').append(p.getValue().getAsString())
                .append(']');
          }
        }
      }
      JsonObject pm = b.getAsJsonObject("primaryMetric");
      double[] raw = flatten(pm.getAsJsonArray("rawData"));
      Map<String, Double> secondary = new LinkedHashMap<>();
      if (b.has("secondaryMetrics")) {
        for (Map.Entry<String, JsonElement> s : b.getAsJsonObject("secondaryMetrics").entrySet()) {
          JsonObject m = s.getValue().getAsJsonObject();
          double[] sraw = m.has("rawData") ? flatten(m.getAsJsonArray("rawData")) : new double[0];
          secondary.put(s.getKey(), sraw.length > 0 ? median(sraw) : m.get("score").getAsDouble());
        }
      }
      double error = pm.get("scoreError").isJsonPrimitive()
          && pm.get("scoreError").getAsJsonPrimitive().isNumber() ? pm.get("scoreError").getAsDouble()
          : Double.NaN;
      rows.add(new Row(name, b.get("threads").getAsInt(), params.toString(), median(raw),
          pm.get("score").getAsDouble(), error, pm.get("scoreUnit").getAsString(), secondary));
    }
    return rows;
  }

  private static double[] flatten(JsonArray forks) {
    List<Double> v = new ArrayList<>();
    for (JsonElement fork : forks) {
      for (JsonElement it : fork.getAsJsonArray()) {
        v.add(it.getAsDouble());
      }
    }
    return v.stream().mapToDouble(Double::doubleValue).toArray();
  }

  static double median(double[] v) {
    if (v.length == 0) {
      return Double.NaN;
    }
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  static List<String[]> readCsv(Path file) throws IOException {
    List<String[]> rows = new ArrayList<>();
    if (!Files.exists(file)) {
      return rows;
    }
    List<String> lines = Files.readAllLines(file);
    for (int i = 1; i < lines.size(); i++) {
      if (!lines.get(i).isBlank()) {
        rows.add(lines.get(i).split(","));
      }
    }
    return rows;
  }

  private static double score(Map<String, Row> byName, String key) {
    Row r = byName.get(key);
    return r == null ? Double.NaN : r.median;
  }

  /** The ratios docs/benchmarks.md reports, from medians. */
  static Map<String, Double> ratios(Map<String, Row> byName, List<String[]> open) {
    Map<String, Double> m = new LinkedHashMap<>();
    double ledger = score(byName, "LedgerBenchmark.decide[storage=disk]");
    double rawUser = score(byName, "LedgerBenchmark.rawPutUserKey[storage=disk]");
    double rawLong = score(byName, "LedgerBenchmark.rawPutLong[storage=disk]");
    double ledgerShm = score(byName, "LedgerBenchmark.decide[storage=shm]");
    double rawUserShm = score(byName, "LedgerBenchmark.rawPutUserKey[storage=shm]");
    double rawLongShm = score(byName, "LedgerBenchmark.rawPutLong[storage=shm]");
    double s1 = score(byName, "SubmitBenchmark.threads1[idle=BLOCKING]");
    double s2 = score(byName, "SubmitBenchmark.threads2[idle=BLOCKING]");
    double s4 = score(byName, "SubmitBenchmark.threads4[idle=BLOCKING]");
    double submitBest = max(s1, s2, s4);
    double redis = score(byName, "RedisBaselineBenchmark.evalsha");
    double redisPiped = score(byName, "RedisBaselineBenchmark.evalshaPipelined");
    double pg = score(byName, "SqlBaselineBenchmark.transaction[db=postgres]");
    m.put("ledger_decisions_per_s", ledger);
    m.put("chronicle_raw_put_user_key_per_s", rawUser);
    m.put("chronicle_raw_put_long_per_s", rawLong);
    m.put("ledger_over_raw_put_user_key", ledger / rawUser);
    m.put("ledger_over_raw_put_long", ledger / rawLong);
    m.put("shm_ledger_decisions_per_s", ledgerShm);
    m.put("shm_chronicle_raw_put_user_key_per_s", rawUserShm);
    m.put("shm_chronicle_raw_put_long_per_s", rawLongShm);
    m.put("shm_ledger_over_raw_put_user_key", ledgerShm / rawUserShm);
    m.put("shm_ledger_over_raw_put_long", ledgerShm / rawLongShm);
    m.put("submit_1t_per_s", s1);
    m.put("submit_2t_per_s", s2);
    m.put("submit_4t_per_s", s4);
    m.put("submit_best_per_s", submitBest);
    m.put("redis_lua_50c_per_s", redis);
    m.put("redis_lua_50c_pipelined_per_s", redisPiped);
    m.put("postgres_hot_row_16c_per_s", pg);
    m.put("submit_best_over_redis_lua", submitBest / redis);
    m.put("submit_best_over_redis_lua_pipelined", submitBest / redisPiped);
    m.put("submit_best_over_postgres", submitBest / pg);
    m.put("submit_best_over_mariadb",
        submitBest / score(byName, "SqlBaselineBenchmark.transaction[db=mariadb]"));
    m.put("submit_best_over_h2", submitBest / score(byName, "SqlBaselineBenchmark.transaction[db=h2]"));
    m.put("sold_out_1t_per_s", score(byName, "SoldOutBenchmark.threads1"));
    m.put("sold_out_2t_per_s", score(byName, "SoldOutBenchmark.threads2"));
    Row listener = byName.get("SubmitPathBenchmark.submit[path=listener]");
    Row future = byName.get("SubmitPathBenchmark.submit[path=future]");
    m.put("alloc_bytes_per_op_listener", alloc(listener));
    m.put("alloc_bytes_per_op_future", alloc(future));
    m.put("submit_listener_1t_per_s", listener == null ? Double.NaN : listener.median);
    m.put("submit_future_1t_per_s", future == null ? Double.NaN : future.median);
    for (String[] s : open) {
      if (Math.abs(Double.parseDouble(s[1]) - 0.5) < 1e-9) {
        m.put("openloop_" + s[0] + "_50pct_offered_per_s", Double.parseDouble(s[2]));
        m.put("openloop_" + s[0] + "_50pct_p99_us", Double.parseDouble(s[7]));
        m.put("openloop_" + s[0] + "_50pct_p999_us", Double.parseDouble(s[8]));
      }
    }
    return m;
  }

  private static double alloc(Row r) {
    if (r == null) {
      return Double.NaN;
    }
    Double v = r.secondary.get("gc.alloc.rate.norm");
    return v == null ? Double.NaN : v;
  }

  private static double max(double... v) {
    double m = Double.NaN;
    for (double d : v) {
      if (!Double.isNaN(d) && (Double.isNaN(m) || d > m)) {
        m = d;
      }
    }
    return m;
  }

  static void writeSummary(Path dir, List<Row> rows, Map<String, Double> ratios,
      List<String[]> open, List<String[]> scale) throws IOException {
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(dir.resolve("summary.csv")))) {
      w.println("benchmark,params,threads,median,mean,error_99_9,unit,confirmed_per_s,sold_out_per_s,"
          + "rejected_per_s,alloc_bytes_per_op");
      for (Row r : rows) {
        w.printf(Locale.ROOT, "%s,%s,%d,%.1f,%.1f,%.1f,%s,%s,%s,%s,%s%n", r.name, r.params, r.threads,
            r.median, r.mean, r.error, r.unit, fmt(r.secondary.get("confirmed")),
            fmt(r.secondary.get("soldOut")), fmt(r.secondary.get("rejected")),
            fmt(r.secondary.get("gc.alloc.rate.norm")));
      }
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("ratios", ratios);
    json.put("benchmarks", rows);
    json.put("openloop", open);
    json.put("scale", scale);
    Gson gson = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();
    Files.writeString(dir.resolve("summary.json"), gson.toJson(json));
  }

  private static String fmt(Double d) {
    return d == null ? "" : String.format(Locale.ROOT, "%.1f", d);
  }

  private static JFreeChart style(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
    return chart;
  }

  private static void styleBars(CategoryPlot plot) {
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.GRAY);
    BarRenderer r = (BarRenderer) plot.getRenderer();
    r.setBarPainter(new StandardBarPainter());
    r.setShadowVisible(false);
    r.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}",
        new java.text.DecimalFormat("#,##0")));
    r.setDefaultItemLabelsVisible(true);
    r.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    Color[] colors = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
        new Color(0xd62728), new Color(0x9467bd)};
    for (int i = 0; i < colors.length; i++) {
      r.setSeriesPaint(i, colors[i]);
    }
  }

  static void chartThreads(Path dir, Map<String, Row> byName) throws IOException {
    DefaultCategoryDataset d = new DefaultCategoryDataset();
    String[] t = {"threads1", "threads2", "threads4"};
    String[] label = {"1 thread", "2 threads", "4 threads"};
    for (int i = 0; i < t.length; i++) {
      add(d, byName, "SubmitBenchmark." + t[i] + "[idle=BLOCKING]", "engine submit() end to end",
          label[i]);
      add(d, byName, "InHeapBaselineBenchmark." + t[i] + "[impl=synchronized]",
          "synchronized + HashMap (in-heap, not durable)", label[i]);
      add(d, byName, "InHeapBaselineBenchmark." + t[i] + "[impl=cas]",
          "AtomicLong CAS + ConcurrentHashMap (in-heap, not durable)", label[i]);
    }
    if (d.getRowCount() == 0) {
      return;
    }
    JFreeChart c = ChartFactory.createBarChart("Decisions per second by caller threads (median)",
        "caller threads", "decisions / s", d, PlotOrientation.VERTICAL, true, false, false);
    CategoryPlot plot = c.getCategoryPlot();
    styleBars(plot);
    plot.setRangeAxis(decades("decisions / s (log scale)", d, 1.6));
    ((BarRenderer) plot.getRenderer()).setBase(((LogAxis) plot.getRangeAxis()).getLowerBound());
    ChartUtils.saveChartAsPNG(dir.resolve("throughput-by-threads.png").toFile(), style(c), 1100, 650);
  }

  static void chartBaselines(Path dir, Map<String, Row> byName) throws IOException {
    DefaultCategoryDataset d = new DefaultCategoryDataset();
    String s = "median decisions / s";
    Row best = null;
    for (String t : new String[] {"threads1", "threads2", "threads4"}) {
      Row r = byName.get("SubmitBenchmark." + t + "[idle=BLOCKING]");
      if (r != null && (best == null || r.median > best.median)) {
        best = r;
      }
    }
    if (best != null) {
      d.addValue(best.median, s, "engine submit(), " + best.threads + " caller thr.");
    }
    add(d, byName, "LedgerBenchmark.decide[storage=disk]", s, "ledger alone, 1 thr.");
    add(d, byName, "LedgerBenchmark.rawPutUserKey[storage=disk]", s, "Chronicle raw put (user key)");
    add(d, byName, "InHeapBaselineBenchmark.threads1[impl=synchronized]", s, "synchronized+HashMap, 1 thr.");
    add(d, byName, "InHeapBaselineBenchmark.threads1[impl=cas]", s, "CAS+CHM, 1 thr.");
    add(d, byName, "RedisBaselineBenchmark.evalshaPipelined", s, "Redis+Lua, 50 conn., pipelined");
    add(d, byName, "RedisBaselineBenchmark.evalsha", s, "Redis+Lua, 50 conn.");
    add(d, byName, "SqlBaselineBenchmark.transaction[db=h2]", s, "H2 hot row, 16 conn.");
    add(d, byName, "SqlBaselineBenchmark.transaction[db=mariadb]", s, "MariaDB hot row, 16 conn.");
    add(d, byName, "SqlBaselineBenchmark.transaction[db=postgres]", s, "PostgreSQL hot row, 16 conn.");
    if (d.getColumnCount() == 0) {
      return;
    }
    JFreeChart c = ChartFactory.createBarChart("Engine vs baselines, same semantics (median)", null,
        "decisions / s (log scale)", d, PlotOrientation.HORIZONTAL, false, false, false);
    CategoryPlot plot = c.getCategoryPlot();
    styleBars(plot);
    plot.setRangeAxis(decades("decisions / s (log scale)", d, 6));
    ((BarRenderer) plot.getRenderer()).setBase(((LogAxis) plot.getRangeAxis()).getLowerBound());
    plot.getDomainAxis().setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    ChartUtils.saveChartAsPNG(dir.resolve("engine-vs-baselines.png").toFile(), style(c), 1100, 650);
  }

  /**
   * A log axis with one tick per power of ten, from the decade below the smallest value to
   * {@code headroom} times the largest (room for the value labels).
   */
  private static LogAxis decades(String label, DefaultCategoryDataset d, double headroom) {
    double min = Double.MAX_VALUE;
    double max = 0;
    for (int r = 0; r < d.getRowCount(); r++) {
      for (int c = 0; c < d.getColumnCount(); c++) {
        Number n = d.getValue(r, c);
        if (n != null && n.doubleValue() > 0) {
          min = Math.min(min, n.doubleValue());
          max = Math.max(max, n.doubleValue());
        }
      }
    }
    LogAxis log = new LogAxis(label);
    log.setBase(10);
    log.setTickUnit(new NumberTickUnit(1.0));
    log.setNumberFormatOverride(new java.text.DecimalFormat("#,##0"));
    log.setRange(Math.pow(10, Math.floor(Math.log10(min))), max * headroom);
    return log;
  }

  private static void add(DefaultCategoryDataset d, Map<String, Row> byName, String key,
      String series, String column) {
    Row r = byName.get(key);
    if (r != null && !Double.isNaN(r.median) && r.median > 0) {
      d.addValue(r.median, series, column);
    }
  }

  static void chartLatency(Path dir, List<String[]> open) throws IOException {
    Map<String, List<String[]>> byIdle = new LinkedHashMap<>();
    for (String[] s : open) {
      byIdle.computeIfAbsent(s[0], k -> new ArrayList<>()).add(s);
    }
    boolean first = true;
    for (Map.Entry<String, List<String[]>> e : byIdle.entrySet()) {
      String[] names = {"p50", "p90", "p99", "p99.9", "max"};
      int[] cols = {5, 6, 7, 8, 9};
      XYSeriesCollection data = new XYSeriesCollection();
      for (int i = 0; i < names.length; i++) {
        XYSeries series = new XYSeries(names[i]);
        for (String[] s : e.getValue()) {
          series.add(Double.parseDouble(s[2]) / 1000.0, Math.max(0.1, Double.parseDouble(s[cols[i]])));
        }
        data.addSeries(series);
      }
      JFreeChart c = ChartFactory.createXYLineChart(
          "Open-loop latency, intended send to decision (" + e.getKey() + ")",
          "offered rate (thousand requests / s)", "latency (µs, log scale)", data,
          PlotOrientation.VERTICAL, true, false, false);
      XYPlot plot = c.getXYPlot();
      plot.setBackgroundPaint(Color.WHITE);
      plot.setRangeGridlinePaint(Color.GRAY);
      plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
      LogAxis log = new LogAxis("latency (µs, log scale)");
      log.setBase(10);
      log.setTickUnit(new NumberTickUnit(1.0));
      log.setNumberFormatOverride(new java.text.DecimalFormat("#,##0.#"));
      double top = 0;
      for (int i = 0; i < data.getSeriesCount(); i++) {
        top = Math.max(top, data.getSeries(i).getMaxY());
      }
      double bottom = Math.min(10, data.getSeries(0).getMinY());
      log.setRange(Math.pow(10, Math.floor(Math.log10(bottom))), Math.max(2_000, top * 2));
      plot.setRangeAxis(log);
      XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
      for (int i = 0; i < names.length; i++) {
        r.setSeriesStroke(i, new BasicStroke(2.2f));
      }
      plot.setRenderer(r);
      ValueMarker ms = new ValueMarker(1000.0, Color.RED, new BasicStroke(1.5f));
      ms.setLabel("1 ms ");
      ms.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
      ms.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
      ms.setLabelFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
      plot.addRangeMarker(ms);
      ValueMarker us50 = new ValueMarker(50.0, Color.DARK_GRAY, new BasicStroke(1f));
      us50.setLabel("50 µs ");
      us50.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
      us50.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
      us50.setLabelFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
      plot.addRangeMarker(us50);
      String file = first ? "latency-by-rate.png" : "latency-by-rate-" + e.getKey() + ".png";
      first = false;
      ChartUtils.saveChartAsPNG(dir.resolve(file).toFile(), style(c), 1100, 650);
    }
  }
}
