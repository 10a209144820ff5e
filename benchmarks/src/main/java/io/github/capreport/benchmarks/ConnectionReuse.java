package io.github.capreport.benchmarks;

import io.github.capreport.testkit.CapMonsterEmulator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Counts the connections a client opens for many reports from 64 threads: with connection reuse, at
 * most one per thread. The emulator counts them ({@code connectionsSeen()}).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.capreport.benchmarks.ConnectionReuse [reports]
 * </pre>
 */
public final class ConnectionReuse {
  static final int THREADS = 64;

  private ConnectionReuse() {}

  /** Requests and connections the emulator saw. */
  record Seen(int requests, int connections) {}

  static Seen run(String impl, String transport, int reports) throws Exception {
    try (CapMonsterEmulator emulator = Bench.startEmulator();
        Reporter reporter = Reporter.create(impl, transport, emulator.baseUrl())) {
      ExecutorService callers = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int share = reports / THREADS + (t < reports % THREADS ? 1 : 0);
          done.add(
              callers.submit(
                  () -> {
                    for (int i = 0; i < share; i++) {
                      reporter.report();
                    }
                    return null;
                  }));
        }
        for (Future<?> future : done) {
          future.get(5, TimeUnit.MINUTES);
        }
      } finally {
        callers.shutdownNow();
      }
      return new Seen(emulator.requestCount(), emulator.connectionsSeen());
    }
  }

  public static void main(String[] args) throws Exception {
    int reports = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    System.out.printf("%d reports from %d threads%n", reports, THREADS);
    for (String transport : Bench.TRANSPORTS) {
      for (String impl : new String[] {"capreport", "raw"}) {
        Seen seen = run(impl, transport, reports);
        System.out.printf(
            "%-7s %-9s %6d requests over %3d connections%n",
            transport, impl, seen.requests(), seen.connections());
      }
    }
  }
}
