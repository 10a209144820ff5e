package io.github.capreport.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;

/**
 * The time of one blocking report, one caller at a time. Run with {@code -prof gc} for the bytes
 * allocated per report ({@code gc.alloc.rate.norm}): the emulator runs in another JVM, so they are
 * the client's alone.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
public class LatencyBenchmark {
  @Benchmark
  public Object report(Fixture fixture) throws Exception {
    return fixture.report();
  }
}
