package io.github.capreport.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;

/** Blocking reports per second with 1, 16 and 64 callers sharing one client. */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ThroughputBenchmark {
  @Benchmark
  @Threads(1)
  public Object callers01(Fixture fixture) throws Exception {
    return fixture.report();
  }

  @Benchmark
  @Threads(16)
  public Object callers16(Fixture fixture) throws Exception {
    return fixture.report();
  }

  @Benchmark
  @Threads(64)
  public Object callers64(Fixture fixture) throws Exception {
    return fixture.report();
  }
}
