package io.github.capreport.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Creating and closing a client, warm. For capreport that is {@code CapReportClient.build()}:
 * {@code ServiceLoader} discovery, choosing by id, and the transport's HTTP client and JSON mapper.
 * For the raw baseline it is the same HTTP client, configured the same way, and a new mapper. Cold
 * creation, in a fresh JVM, is measured by {@link ColdStart}.
 *
 * <p>Before Java 21 a closed {@code java.net.http.HttpClient} keeps its selector's file descriptors
 * until it is collected and its selector thread notices, which it checks every second here (the
 * JDK's default is three): thousands of creations a second would run out of descriptors ("Too many
 * open files"). So for the jdk transport every {@value #RELEASE_EVERY} creations the benchmark
 * collects garbage and waits for those threads, outside the measured time (a per-invocation setup).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
@Fork(jvmArgsAppend = "-Djdk.internal.httpclient.selectorTimeout=1000")
@State(Scope.Benchmark)
public class ClientCreationBenchmark {
  /** How many jdk clients are created between two releases of the closed ones. */
  static final int RELEASE_EVERY = 500;

  /** Nothing listens there: creating a client connects nowhere. */
  static final String BASE_URL = "http://127.0.0.1:9";

  @Param({"jdk", "apache", "retrofit"})
  public String transport;

  @Param({"capreport", "raw"})
  public String impl;

  private int created;

  /** Lets closed jdk clients go, outside the measured time. */
  @Setup(Level.Invocation)
  public void releaseClosedJdkClients() throws InterruptedException {
    if ("jdk".equals(transport) && ++created % RELEASE_EVERY == 0) {
      System.gc();
      Thread.sleep(1_500);
    }
  }

  @Benchmark
  public void createAndClose(Blackhole blackhole) {
    Reporter reporter = Reporter.create(impl, transport, BASE_URL);
    blackhole.consume(reporter);
    reporter.close();
  }
}
