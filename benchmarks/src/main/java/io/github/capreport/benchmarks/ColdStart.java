package io.github.capreport.benchmarks;

import io.github.capreport.testkit.CapMonsterEmulator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Cold start over fresh JVMs: for each transport, capreport and its raw baseline alternate, each
 * run being a new {@code java} process ({@link ColdStartProbe}) that creates a client and sends one
 * report to an emulator kept warm in this JVM. Prints, per transport and implementation, the mean
 * and standard deviation of: client creation, main to first accepted report, JVM start to first
 * accepted report, and process spawn to first accepted report as seen from here.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.capreport.benchmarks.ColdStart [runs] [transport...]
 * </pre>
 */
public final class ColdStart {
  private static final String[] IMPLS = {"capreport", "raw"};
  private static final String[] COLUMNS = {
    "create the client",
    "main() to first report accepted",
    "JVM start to first report accepted",
    "process spawn to first report accepted"
  };

  private ColdStart() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    String[] transports =
        args.length > 1 ? Arrays.copyOfRange(args, 1, args.length) : Bench.TRANSPORTS;
    Map<String, List<double[]>> samples = new LinkedHashMap<>();
    try (CapMonsterEmulator emulator = Bench.startEmulator()) {
      // Warm the emulator, so that its first answers are not counted as the client's cold start.
      try (Reporter warm = Reporter.create("raw", "jdk", emulator.baseUrl())) {
        for (int i = 0; i < 2_000; i++) {
          warm.report();
        }
      }
      for (int run = 0; run < runs + 1; run++) {
        for (String transport : transports) {
          for (String impl : IMPLS) {
            double[] sample = probe(impl, transport, emulator.baseUrl());
            if (run > 0) { // the first round warms the OS file cache
              samples.computeIfAbsent(transport + " " + impl, k -> new ArrayList<>()).add(sample);
            }
          }
        }
        emulator.reset();
      }
    }
    System.out.printf(
        Locale.ROOT,
        "Cold start: %d fresh JVMs per row, mean ± standard deviation, milliseconds.%n%n",
        runs);
    StringBuilder header = new StringBuilder("| transport | impl |");
    StringBuilder rule = new StringBuilder("|---|---|");
    for (String column : COLUMNS) {
      header.append(' ').append(column).append(" |");
      rule.append("---|");
    }
    System.out.println(header);
    System.out.println(rule);
    for (Map.Entry<String, List<double[]>> entry : samples.entrySet()) {
      String[] names = entry.getKey().split(" ");
      StringBuilder line = new StringBuilder("| " + names[0] + " | " + names[1] + " |");
      for (int c = 0; c < COLUMNS.length; c++) {
        double[] stats = meanAndDeviation(entry.getValue(), c);
        line.append(String.format(Locale.ROOT, " %.1f ± %.1f |", stats[0], stats[1]));
      }
      System.out.println(line);
    }
  }

  private static double[] meanAndDeviation(List<double[]> samples, int column) {
    double sum = 0;
    for (double[] sample : samples) {
      sum += sample[column];
    }
    double mean = sum / samples.size();
    double squares = 0;
    for (double[] sample : samples) {
      squares += (sample[column] - mean) * (sample[column] - mean);
    }
    int n = samples.size();
    return new double[] {mean, n > 1 ? Math.sqrt(squares / (n - 1)) : 0};
  }

  private static double[] probe(String impl, String transport, String baseUrl) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    String jvmArgs = System.getProperty("capreport.bench.probeJvmArgs", "");
    if (!jvmArgs.isBlank()) {
      command.addAll(Arrays.asList(jvmArgs.trim().split("\\s+")));
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ColdStartProbe.class.getName());
    command.add(impl);
    command.add(transport);
    command.add(baseUrl);
    long spawned = System.nanoTime();
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String line;
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      line = out.readLine();
      long seen = System.nanoTime();
      process.waitFor();
      if (line == null || !line.startsWith("probe ")) {
        throw new IOException(impl + "/" + transport + " probe failed: " + line);
      }
      String[] parts = line.split(" ");
      return new double[] {
        Double.parseDouble(parts[1]),
        Double.parseDouble(parts[2]),
        Double.parseDouble(parts[3]),
        (seen - spawned) / 1e6
      };
    }
  }
}
