package io.github.capreport.benchmarks;

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

  RemoteEmulator emulator;
  Reporter reporter;

  @Setup(Level.Trial)
  public void start() throws Exception {
    emulator = RemoteEmulator.start();
    reporter = Reporter.create(impl, transport, emulator.baseUrl());
    reporter.report(); // fail now, not in the first iteration, if anything is wrong
  }

  @Setup(Level.Iteration)
  public void resetEmulator() {
    emulator.reset();
  }

  @TearDown(Level.Iteration)
  public void printEmulatorStats() {
    long[] stats = emulator.stats();
    System.out.print("  [emulator: " + stats[0] + " requests over " + stats[1] + " connections] ");
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
