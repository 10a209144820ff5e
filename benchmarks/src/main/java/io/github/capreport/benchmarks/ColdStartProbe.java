package io.github.capreport.benchmarks;

import java.lang.management.ManagementFactory;

/**
 * Run in a fresh JVM by {@link ColdStart}: creates one client, sends one report, and prints one
 * line {@code probe <createMs> <firstReportMs> <sinceJvmStartMs>}: the time to create the client
 * (discovery included), the time from the start of {@code main} to the accepted report, and the
 * time from the JVM's start to the accepted report.
 *
 * <p>Arguments: {@code <impl> <transport> <baseUrl>}.
 */
public final class ColdStartProbe {
  private ColdStartProbe() {}

  public static void main(String[] args) throws Exception {
    long start = System.nanoTime();
    Reporter reporter = Reporter.create(args[0], args[1], args[2]);
    long created = System.nanoTime();
    reporter.report();
    long accepted = System.nanoTime();
    long acceptedWall = System.currentTimeMillis();
    // Only now: the management classes must not count against the report.
    long sinceJvmStart = acceptedWall - ManagementFactory.getRuntimeMXBean().getStartTime();
    System.out.println(
        "probe " + (created - start) / 1e6 + " " + (accepted - start) / 1e6 + " " + sinceJvmStart);
    System.out.flush();
    reporter.close();
    System.exit(0);
  }
}
