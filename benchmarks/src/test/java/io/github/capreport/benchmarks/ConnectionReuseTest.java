package io.github.capreport.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * 5,000 reports from 64 threads through one capreport client open at most 64 connections: the
 * transport reuses them. Counts, never times.
 */
class ConnectionReuseTest {
  static String[] transports() {
    return Bench.TRANSPORTS;
  }

  @ParameterizedTest
  @MethodSource("transports")
  void sixtyFourCallersNeedAtMostSixtyFourConnections(String transport) throws Exception {
    ConnectionReuse.Seen seen = ConnectionReuse.run("capreport", transport, 5_000);

    System.out.printf(
        "%s: %d requests over %d connections%n", transport, seen.requests(), seen.connections());
    assertEquals(5_000, seen.requests());
    assertTrue(
        seen.connections() <= ConnectionReuse.THREADS,
        transport + " opened " + seen.connections() + " connections for 64 callers");
  }
}
