package io.github.capreport;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code close()} raced against every phase of a report, many times over: every report ends, no
 * attempt is counted that did not go out, and no thread of the client survives. The moment of the
 * close is random (seeded, so a failure can be replayed); no assertion is about how long anything
 * took.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CloseRaceTest {
  private static final int ROUNDS = 40;

  private static final RetryPolicy QUICK_RETRY = TestPolicies.FAST;

  private static final RetryPolicy LATE_RETRY = TestPolicies.SLOW;

  /** Where a report is when the client closes. */
  enum Phase {
    /** Handed over, not yet sent: closing at once. */
    NOT_YET_SENT(QUICK_RETRY),
    /** Connecting or waiting for the answer: the exchange blocks until aborted. */
    IN_THE_EXCHANGE(QUICK_RETRY),
    /** The headers came, the body drips: the read blocks until aborted. */
    READING_A_SLOW_BODY(QUICK_RETRY),
    /** An attempt failed and the retry is being scheduled, or has just fired. */
    SCHEDULING_A_RETRY(QUICK_RETRY),
    /** An attempt failed and the retry is a minute away. */
    WAITING_TO_RETRY(LATE_RETRY);

    final RetryPolicy policy;

    Phase(RetryPolicy policy) {
      this.policy = policy;
    }

    ScriptedTransport transport() {
      ScriptedTransport transport = new ScriptedTransport();
      switch (this) {
        case IN_THE_EXCHANGE:
          return transport.otherwise(ScriptedTransport.hang());
        case READING_A_SLOW_BODY:
          return transport.otherwise(ScriptedTransport.hangInBody());
        case SCHEDULING_A_RETRY:
        case WAITING_TO_RETRY:
          return transport.otherwise(ScriptedTransport.fail(new ConnectException("refused")));
        default:
          return transport.otherwise(ScriptedTransport.hang());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Phase.class)
  void closeRacedAgainstEachPhaseEndsEveryReportAndEveryThread(Phase phase) throws Exception {
    Set<Thread> before = capreportThreads();
    Random random = new Random(phase.ordinal());
    for (int round = 0; round < ROUNDS; round++) {
      ScriptedTransport transport = phase.transport();
      CapReportClient client =
          CapReportClient.builder()
              .clientKey("race-key")
              .transport(transport)
              .retryPolicy(phase.policy)
              .requestTimeout(60, TimeUnit.SECONDS)
              .build();
      List<CompletableFuture<Object>> reports = new ArrayList<>();
      for (int i = 1; i <= 2; i++) {
        reports.add(blocking(client, round * 10L + i));
        reports.add(
            client
                .reportAsync(ReportEndpoint.IMAGE_CAPTCHA, round * 10L + 5 + i)
                .handle((result, failure) -> failure != null ? failure.getCause() : result));
      }
      if (phase != Phase.NOT_YET_SENT) {
        transport.awaitExecutions(1);
      }
      LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(random.nextInt(2_000)));
      client.close();
      int attemptsCounted = 0;
      for (CompletableFuture<Object> report : reports) {
        Object outcome;
        try {
          outcome = report.get(20, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          fail("round " + round + ": a report did not end after close() (" + phase + ")");
          return;
        } catch (ExecutionException e) {
          outcome = e.getCause();
        }
        if (outcome instanceof CapReportException) {
          attemptsCounted += ((CapReportException) outcome).attempts();
        } else if (outcome instanceof ReportResult) {
          attemptsCounted += ((ReportResult) outcome).attempts();
        }
      }
      assertTrue(
          attemptsCounted <= transport.sent().size(),
          "round "
              + round
              + ": "
              + attemptsCounted
              + " attempts counted, "
              + transport.sent().size()
              + " sent ("
              + phase
              + ")");
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    Set<String> left = newThreads(before);
    while (!left.isEmpty() && System.nanoTime() - deadline < 0) {
      Thread.sleep(20);
      left = newThreads(before);
    }
    assertTrue(left.isEmpty(), "threads alive after close(): " + left);
  }

  private static CompletableFuture<Object> blocking(CapReportClient client, long taskId) {
    CompletableFuture<Object> outcome = new CompletableFuture<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                outcome.complete(client.report(ReportEndpoint.TOKEN_CAPTCHA, taskId));
              } catch (RuntimeException e) {
                outcome.complete(e);
              }
            },
            "race-caller");
    caller.setDaemon(true);
    caller.start();
    return outcome;
  }

  private static Set<Thread> capreportThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("capreport-"))
        .collect(Collectors.toSet());
  }

  private static Set<String> newThreads(Set<Thread> before) {
    return capreportThreads().stream()
        .filter(t -> !before.contains(t))
        .map(Thread::getName)
        .collect(Collectors.toSet());
  }
}
