package io.github.capreport.benchmarks;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Asynchronous reports per second with 64 in flight: one caller starts a report whenever one of 64
 * permits is free, and each report's completion frees its permit. In a steady state the rate of
 * starts is the rate of completions.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class AsyncThroughputBenchmark {
  static final int IN_FLIGHT = 64;

  /**
   * The window of reports in flight. A failed report is counted and printed (see {@link
   * Fixture#failures}); failures above one in a thousand reports fail the iteration.
   */
  @State(Scope.Benchmark)
  public static class Window {
    final Semaphore permits = new Semaphore(IN_FLIGHT);
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    final AtomicLong started = new AtomicLong();
    Fixture fixture;
    final Reporter.Done done =
        error -> {
          if (error != null) {
            fixture.failures.incrementAndGet();
            failure.compareAndSet(null, error);
          }
          permits.release();
        };

    @Setup(Level.Iteration)
    public void begin(Fixture fixture) {
      this.fixture = fixture;
      started.set(0);
    }

    /** Waits for the reports still in flight, so none is counted in the next iteration. */
    @TearDown(Level.Iteration)
    public void drain() throws Exception {
      if (!permits.tryAcquire(IN_FLIGHT, 60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("reports still in flight after 60 s");
      }
      permits.release(IN_FLIGHT);
      Throwable error = failure.getAndSet(null);
      long failed = fixture.failures.get();
      if (error != null && failed * 1000 > started.get()) {
        throw new IllegalStateException(
            failed + " of " + started.get() + " reports failed, the first with", error);
      }
    }
  }

  @Benchmark
  public void inFlight64(Fixture fixture, Window window) throws InterruptedException {
    window.permits.acquire();
    window.started.incrementAndGet();
    fixture.reporter.reportAsync(window.done);
  }
}
