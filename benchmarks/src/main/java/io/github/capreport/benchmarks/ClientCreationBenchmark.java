package io.github.capreport.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Creating and closing a client, warm. For capreport that is {@code CapReportClient.build()}:
 * {@code ServiceLoader} discovery, choosing by id, and the transport's HTTP client and JSON mapper.
 * For the raw baseline it is the same HTTP client, configured the same way, and a new mapper. Cold
 * creation, in a fresh JVM, is measured by {@link ColdStart}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
@State(Scope.Benchmark)
public class ClientCreationBenchmark {
  /** Nothing listens there: creating a client connects nowhere. */
  static final String BASE_URL = "http://127.0.0.1:9";

  @Param({"jdk", "apache", "retrofit"})
  public String transport;

  @Param({"capreport", "raw"})
  public String impl;

  @Benchmark
  public void createAndClose(Blackhole blackhole) {
    Reporter reporter = Reporter.create(impl, transport, BASE_URL);
    blackhole.consume(reporter);
    reporter.close();
  }
}
