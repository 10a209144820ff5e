package io.github.capreport.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.capreport.AccountGuard;
import io.github.capreport.testkit.CapMonsterEmulator;
import io.github.capreport.testkit.Fault;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both sides of {@link BulkBenchmark} send one request per task, keep within 64 connections, and
 * cannot measure failures: a batch that is not all accepted throws. Counts, never times.
 */
class BulkBenchmarkTest {
  static final int TASKS = 2_000;

  static List<Arguments> sides() {
    List<Arguments> sides = new ArrayList<>();
    for (String transport : Bench.TRANSPORTS) {
      for (String impl : new String[] {"capreport", "raw"}) {
        sides.add(Arguments.of(impl, transport));
      }
    }
    return sides;
  }

  @ParameterizedTest
  @MethodSource("sides")
  void everyTaskIsOneAcceptedRequest(String impl, String transport) throws Exception {
    try (CapMonsterEmulator emulator = Bench.startEmulator();
        BulkBenchmark.Side side = BulkBenchmark.Side.create(impl, transport, emulator.baseUrl())) {
      BulkBenchmark.Result result = side.batch(TASKS);

      assertEquals(TASKS, result.accepted);
      assertEquals(0, result.resent);
      assertEquals(TASKS, emulator.requestCount());
      assertTrue(
          emulator.connectionsSeen() <= BulkBenchmark.CONCURRENCY,
          emulator.connectionsSeen() + " connections");
    }
  }

  @ParameterizedTest
  @MethodSource("sides")
  void aRareFailureIsSentAgainAndCounted(String impl, String transport) throws Exception {
    try (CapMonsterEmulator emulator = Bench.startEmulator();
        BulkBenchmark.Side side = BulkBenchmark.Side.create(impl, transport, emulator.baseUrl())) {
      // A real transient refusal: capreport's client also pauses once for it, 250 to 500 ms.
      emulator
          .nextRequest()
          .respondJson(200, "{\"errorId\":1,\"errorCode\":\"ERROR_NO_SLOT_AVAILABLE\"}");

      BulkBenchmark.Result result = side.batch(TASKS);

      assertEquals(TASKS, result.accepted);
      assertEquals(1, result.resent);
      assertEquals(TASKS + 1, emulator.requestCount());
    }
  }

  /**
   * Every 100th answer is {@code ERROR_NO_SLOT_AVAILABLE}, 20 in the batch. To capreport's client
   * that is a throttling answer, which holds back every report's next request for the retry
   * policy's backoff (250 to 500 ms with {@code RetryPolicy.none()}), one pause after another: 8 to
   * 9 s of waiting per transport. Here that client-wide pace is off, the one setting in which the
   * test's client differs from the benchmark's: what is tested is the side's count of failures,
   * which the pace only delays, and the benchmark's emulator sends no throttling answer.
   */
  @ParameterizedTest
  @MethodSource("sides")
  void failuresAboveOneInAThousandFailTheBatch(String impl, String transport) throws Exception {
    try (CapMonsterEmulator emulator = Bench.startEmulator();
        BulkBenchmark.Side side = unpacedSide(impl, transport, emulator.baseUrl())) {
      emulator.faultEvery(100, Fault.NO_SLOT_AVAILABLE);

      IllegalStateException failed =
          assertThrows(IllegalStateException.class, () -> side.batch(TASKS));

      assertTrue(failed.getMessage().contains("more than 1 in 1,000"), failed.getMessage());
    }
  }

  /** {@link BulkBenchmark.Side#create}, but capreport's client without the client-wide pace. */
  private static BulkBenchmark.Side unpacedSide(String impl, String transport, String baseUrl) {
    if (!impl.equals("capreport")) {
      return BulkBenchmark.Side.create(impl, transport, baseUrl);
    }
    return new BulkBenchmark.CapReportSide(
        CapReportReporter.newClientBuilder(transport, baseUrl)
            .accountGuard(AccountGuard.builder().clientWidePace(false).build())
            .build());
  }
}
