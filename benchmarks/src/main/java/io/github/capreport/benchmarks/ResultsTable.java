package io.github.capreport.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns a JMH JSON result file ({@code -rf json}) into one Markdown table per transport: capreport,
 * raw baseline, their ratio and the target; then, when the file holds {@link BulkBenchmark}, the
 * bulk table, one row per transport. Prints only what the file holds.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.capreport.benchmarks.ResultsTable jmh.json
 * </pre>
 */
public final class ResultsTable {
  private ResultsTable() {}

  /** A score with its error (99.9% confidence half-width, as JMH prints it). */
  record Score(double value, double error, String unit) {
    String show() {
      String v = number(value);
      return Double.isNaN(error) ? v + " " + unit : v + " ± " + number(error) + " " + unit;
    }
  }

  /** One row: what is measured, where it comes from, how the target reads. */
  private record Row(String label, String benchmark, String metric, Target target) {}

  private enum Target {
    /** capreport / raw at most 1.05: a time, lower is better. */
    TIME,
    /** capreport / raw at least 0.95: a rate, higher is better. */
    RATE,
    /** capreport - raw at most 2 KiB per report. */
    ALLOC,
    /** capreport at most 1,000 us. */
    CREATE,
    /** No target: the ratio, for information. */
    RATIO,
    /** No target: the difference in bytes. */
    BYTES
  }

  private static final Row[] ROWS = {
    new Row("latency, 1 caller", "LatencyBenchmark.report", null, Target.TIME),
    new Row("allocation per report", "LatencyBenchmark.report", "gc.alloc.rate.norm", Target.ALLOC),
    new Row("CPU per report, 1 caller", "LatencyBenchmark.report", "cpu.time.norm", Target.RATIO),
    new Row("throughput, 1 caller", "ThroughputBenchmark.callers01", null, Target.RATE),
    new Row("throughput, 16 callers", "ThroughputBenchmark.callers16", null, Target.RATE),
    new Row("throughput, 64 callers", "ThroughputBenchmark.callers64", null, Target.RATE),
    new Row(
        "CPU per report, 64 callers",
        "ThroughputBenchmark.callers64",
        "cpu.time.norm",
        Target.RATIO),
    new Row(
        "throughput, 64 async in flight", "AsyncThroughputBenchmark.inFlight64", null, Target.RATE),
    new Row(
        "create + close a client, warm",
        "ClientCreationBenchmark.createAndClose",
        null,
        Target.CREATE),
    new Row(
        "allocation per client created",
        "ClientCreationBenchmark.createAndClose",
        "gc.alloc.rate.norm",
        Target.BYTES),
  };

  /** The secondary metrics the table shows. */
  private static final String[] METRICS = {"gc.alloc.rate.norm", "cpu.time.norm"};

  public static void main(String[] args) throws IOException {
    JsonNode results = new ObjectMapper().readTree(new File(args[0]));
    // benchmark|metric|transport|impl -> score
    Map<String, Score> scores = new LinkedHashMap<>();
    Map<String, Score> capacity = new LinkedHashMap<>();
    Set<Integer> bulkTasks = new TreeSet<>();
    for (JsonNode result : results) {
      String benchmark = result.get("benchmark").asText();
      benchmark =
          benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
      JsonNode params = result.path("params");
      if (benchmark.startsWith("EmulatorCapacityBenchmark.")) {
        capacity.put(benchmark, score(result.get("primaryMetric")));
        continue;
      }
      String transport = params.path("transport").asText();
      String impl = params.path("impl").asText();
      if (benchmark.startsWith("BulkBenchmark.")) {
        bulkTasks.add(params.path("tasks").asInt(BulkBenchmark.TASKS));
      }
      scores.put(key(benchmark, null, transport, impl), score(result.get("primaryMetric")));
      for (String metric : METRICS) {
        JsonNode secondary = result.path("secondaryMetrics").path(metric);
        if (!secondary.isMissingNode()) {
          scores.put(key(benchmark, metric, transport, impl), score(secondary));
        }
      }
    }
    for (String transport : Bench.TRANSPORTS) {
      StringBuilder table = new StringBuilder();
      for (Row row : ROWS) {
        Score capreport = scores.get(key(row.benchmark, row.metric, transport, "capreport"));
        Score raw = scores.get(key(row.benchmark, row.metric, transport, "raw"));
        if (capreport == null || raw == null) {
          continue;
        }
        table.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %s | %s | %s |%n",
                row.label,
                capreport.show(),
                raw.show(),
                comparison(row.target, capreport, raw),
                verdict(row.target, capreport, raw)));
      }
      if (table.length() > 0) {
        System.out.printf("### %s%n%n", transport);
        System.out.println("| measure | capreport | raw baseline | capreport vs raw | target |");
        System.out.println("|---|---|---|---|---|");
        System.out.println(table);
      }
    }
    printBulk(scores, bulkTasks);
    if (!capacity.isEmpty()) {
      System.out.printf("### emulator capacity (raw sockets, no HTTP or JSON library)%n%n");
      System.out.println("| benchmark | score |");
      System.out.println("|---|---|");
      for (Map.Entry<String, Score> entry : capacity.entrySet()) {
        System.out.printf("| %s | %s |%n", entry.getKey(), entry.getValue().show());
      }
      System.out.println();
    }
  }

  /**
   * The bulk table ({@link BulkBenchmark}): tasks per second and bytes per task, raw against
   * capreport, with the targets as pass or fail; then the time per batch and the CPU per
   * task, which explain them.
   */
  private static void printBulk(Map<String, Score> scores, Set<Integer> bulkTasks) {
    String benchmark = "BulkBenchmark.reportAll";
    StringBuilder main = new StringBuilder();
    StringBuilder detail = new StringBuilder();
    for (String transport : Bench.TRANSPORTS) {
      Score capreport = scores.get(key(benchmark, null, transport, "capreport"));
      Score raw = scores.get(key(benchmark, null, transport, "raw"));
      if (capreport == null || raw == null) {
        continue;
      }
      Score capreportBytes =
          scores.get(key(benchmark, "gc.alloc.rate.norm", transport, "capreport"));
      Score rawBytes = scores.get(key(benchmark, "gc.alloc.rate.norm", transport, "raw"));
      String ratio =
          String.format(Locale.ROOT, "%.3f", capreport.value / raw.value)
              + (capreport.value / raw.value >= 0.95 ? " pass" : " fail")
              + " (>= 0.95)"
              + overlap(capreport, raw);
      String difference =
          capreportBytes == null || rawBytes == null
              ? "no -prof gc"
              : String.format(Locale.ROOT, "%+,.0f B", capreportBytes.value - rawBytes.value)
                  + (capreportBytes.value - rawBytes.value <= 2048 ? " pass" : " fail")
                  + " (<= +2,048 B)";
      main.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %s | %s | %s |%n",
              transport,
              bare(raw),
              bare(capreport),
              ratio,
              rawBytes == null ? "" : bare(rawBytes),
              capreportBytes == null ? "" : bare(capreportBytes),
              difference));
      Score capreportCpu = scores.get(key(benchmark, "cpu.time.norm", transport, "capreport"));
      Score rawCpu = scores.get(key(benchmark, "cpu.time.norm", transport, "raw"));
      int tasks = bulkTasks.size() == 1 ? bulkTasks.iterator().next() : BulkBenchmark.TASKS;
      detail.append(
          String.format(
              Locale.ROOT,
              "| %s | %s ms | %s ms | %s | %s | %s |%n",
              transport,
              number(tasks * 1000 / raw.value),
              number(tasks * 1000 / capreport.value),
              rawCpu == null ? "" : bare(rawCpu),
              capreportCpu == null ? "" : bare(capreportCpu),
              rawCpu == null || capreportCpu == null
                  ? ""
                  : String.format(Locale.ROOT, "%.3f", capreportCpu.value / rawCpu.value)
                      + overlap(capreportCpu, rawCpu)));
    }
    if (main.length() == 0) {
      return;
    }
    String tasks =
        bulkTasks.size() == 1
            ? String.format(Locale.ROOT, "%,d", bulkTasks.iterator().next())
            : bulkTasks.toString();
    System.out.printf(
        "### bulk: reportAll of %s tasks, concurrency %d, against a raw loop of %d blocking"
            + " threads%n%n",
        tasks, BulkBenchmark.CONCURRENCY, BulkBenchmark.CONCURRENCY);
    System.out.println(
        "| transport | raw tasks/s | capreport tasks/s | ratio | raw B/task | capreport B/task"
            + " | difference |");
    System.out.println("|---|---|---|---|---|---|---|");
    System.out.println(main);
    System.out.println(
        "| transport | raw time per batch | capreport time per batch | raw CPU per task (us)"
            + " | capreport CPU per task (us) | CPU ratio |");
    System.out.println("|---|---|---|---|---|---|");
    System.out.println(detail);
  }

  /** A score with its error, without its unit: the column says it. */
  private static String bare(Score score) {
    return Double.isNaN(score.error)
        ? number(score.value)
        : number(score.value) + " ± " + number(score.error);
  }

  private static String comparison(Target target, Score capreport, Score raw) {
    if (target == Target.ALLOC || target == Target.BYTES) {
      return String.format(Locale.ROOT, "%+,.0f B", capreport.value - raw.value);
    }
    return String.format(Locale.ROOT, "%.3f", capreport.value / raw.value);
  }

  private static String verdict(Target target, Score capreport, Score raw) {
    double ratio = capreport.value / raw.value;
    switch (target) {
      case TIME:
        return (ratio <= 1.05 ? "met" : "missed") + " (<= 1.05)" + overlap(capreport, raw);
      case RATE:
        return (ratio >= 0.95 ? "met" : "missed") + " (>= 0.95)" + overlap(capreport, raw);
      case ALLOC:
        return (capreport.value - raw.value <= 2048 ? "met" : "missed") + " (<= +2,048 B)";
      case CREATE:
        return (capreport.value <= 1000 ? "met" : "missed") + " (<= 1,000 us)";
      default:
        return "";
    }
  }

  /** Whether the two confidence intervals overlap: then the difference is within the noise. */
  private static String overlap(Score a, Score b) {
    if (Double.isNaN(a.error) || Double.isNaN(b.error)) {
      return "";
    }
    boolean overlaps =
        a.value - a.error <= b.value + b.error && b.value - b.error <= a.value + a.error;
    return overlaps ? ", intervals overlap" : "";
  }

  private static String key(String benchmark, String metric, String transport, String impl) {
    return benchmark + "|" + metric + "|" + transport + "|" + impl;
  }

  private static Score score(JsonNode metric) {
    JsonNode error = metric.get("scoreError");
    return new Score(
        metric.get("score").asDouble(),
        error.isNumber() ? error.asDouble() : Double.NaN,
        metric.get("scoreUnit").asText());
  }

  private static String number(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    double magnitude = Math.abs(value);
    String format = magnitude >= 100 ? "%,.0f" : magnitude >= 10 ? "%.1f" : "%.2f";
    return String.format(Locale.ROOT, format, value);
  }
}
