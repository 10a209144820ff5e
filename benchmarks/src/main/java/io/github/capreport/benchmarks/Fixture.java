package io.github.capreport.benchmarks;

import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One reporter against an emulator in its own JVM, per trial. Between iterations the emulator is
 * reset, so its memory stays bounded, and after each it prints how many requests arrived over how
 * many connections.
 */
@State(Scope.Benchmark)
public class Fixture {
  /** Which HTTP client: capreport's transport of that id, or the raw baseline on the same one. */
  @Param({"jdk", "apache", "retrofit"})
  public String transport;

  /** {@code capreport}: through the library; {@code raw}: by hand, no capreport code. */
  @Param({"capreport", "raw"})
  public String impl;

  /** A report that fails this many times in a row fails the iteration. */
  private static final int MAX_FAILURES_IN_A_ROW = 10;

  RemoteEmulator emulator;
  Reporter reporter;

  /**
   * Reports that failed and were sent again, this iteration. Java 17's HttpClient now and then
   * fails a request on a pooled connection with "header parser received no bytes" (JDK-8338569,
   * fixed in JDK 24): raw and capreport alike, about once in tens of thousands of reports at 16 and
   * more callers. Without a resend one such failure discards a whole benchmark. Each resend is
   * printed, and its time counts against the implementation that met it.
   */
  final AtomicLong failures = new AtomicLong();

  @Setup(Level.Trial)
  public void start() throws Exception {
    emulator = RemoteEmulator.start();
    reporter = Reporter.create(impl, transport, emulator.baseUrl());
    reporter.report(); // fail now, not in the first iteration, if anything is wrong
  }

  @Setup(Level.Iteration)
  public void resetEmulator() {
    emulator.reset();
    failures.set(0);
  }

  /** Reports once, sending again after a failure (see {@link #failures}). */
  Object report() throws Exception {
    for (int failed = 0; ; failed++) {
      try {
        return reporter.report();
      } catch (Exception e) {
        failures.incrementAndGet();
        if (failed + 1 >= MAX_FAILURES_IN_A_ROW) {
          throw e;
        }
      }
    }
  }

  @TearDown(Level.Iteration)
  public void printEmulatorStats() {
    long[] stats = emulator.stats();
    long failed = failures.get();
    System.out.print(
        "  [emulator: "
            + stats[0]
            + " requests over "
            + stats[1]
            + " connections"
            + (failed > 0 ? "; " + failed + " failed and resent" : "")
            + "] ");
  }

  @TearDown(Level.Trial)
  public void stop() {
    if (reporter != null) {
      reporter.close();
    }
    if (emulator != null) {
      emulator.close();
    }
  }
}
