package io.github.capreport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.capreport.spi.Exchange;
import io.github.capreport.spi.JsonBinding;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportRequest;
import io.github.capreport.spi.TransportResponse;
import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cancel, close, deadlines and the connection limit: how a report ends when it is stopped. No
 * assertion here is about how long anything took; waits are bounded only so that a hang fails.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReportLifecycleTest {
  private static final RetryPolicy FAST = TestPolicies.FAST;

  private static final RetryPolicy SLOW = TestPolicies.SLOW;

  private final ScriptedTransport transport = new ScriptedTransport();
  private final List<CapReportClient> clients = new ArrayList<>();
  private final CountDownLatch retryScheduled = new CountDownLatch(1);
  private final CompletableFuture<CapReportException> finishedWith = new CompletableFuture<>();
  private final List<String> events = new CopyOnWriteArrayList<>();

  private final ReportListener listener =
      new ReportListener() {
        @Override
        public void attemptStarted(ReportEndpoint endpoint, long taskId, int attempt) {
          events.add("start " + taskId + "/" + attempt);
        }

        @Override
        public void retryScheduled(
            ReportEndpoint endpoint,
            long taskId,
            int failedAttempt,
            long delayMillis,
            CapReportException failure) {
          events.add("retry " + taskId + "/" + failedAttempt);
          retryScheduled.countDown();
        }

        @Override
        public void reportFinished(
            ReportEndpoint endpoint,
            long taskId,
            int attempts,
            ReportResult result,
            CapReportException failure) {
          events.add("finished " + taskId + "/" + attempts);
          finishedWith.complete(failure);
        }
      };

  @AfterEach
  void tearDown() {
    for (CapReportClient client : clients) {
      client.close();
    }
  }

  private CapReportClient.Builder builder(RetryPolicy policy) {
    return CapReportClient.builder()
        .clientKey("key")
        .transport(transport)
        .retryPolicy(policy)
        .listener(listener);
  }

  private CapReportClient client(RetryPolicy policy) {
    return keep(builder(policy).build());
  }

  private CapReportClient keep(CapReportClient client) {
    clients.add(client);
    return client;
  }

  /** Hears an asynchronous report's outcome. */
  private static final class Outcome implements ReportCallback {
    final CompletableFuture<Object> outcome = new CompletableFuture<>();

    @Override
    public void onAccepted(ReportResult result) {
      outcome.complete(result);
    }

    @Override
    public void onFailed(CapReportException failure) {
      outcome.complete(failure);
    }

    Object get() throws Exception {
      return outcome.get(20, TimeUnit.SECONDS);
    }
  }

  /** Runs a blocking report on a thread of the test's, not the client's. */
  private static CompletableFuture<Object> blocking(CapReportClient client, long taskId) {
    CompletableFuture<Object> outcome = new CompletableFuture<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                outcome.complete(client.reportImage(taskId));
              } catch (RuntimeException e) {
                outcome.complete(e);
              }
            },
            "test-caller-" + taskId);
    caller.setDaemon(true);
    caller.start();
    return outcome;
  }

  /** Polls until the condition holds; fails after 10 s. Never asserts on how long it took. */
  private static void eventually(BooleanSupplier condition, String what) throws Exception {
    eventually(condition, 10, what);
  }

  private static void eventually(BooleanSupplier condition, int seconds, String what)
      throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + seconds + " s: " + what);
      }
      Thread.sleep(10);
    }
  }

  // ---- cancel ----

  @Test
  void cancellingTheFutureAbortsTheExchangeInFlightAndNoRetryFollows() throws Exception {
    transport.then(ScriptedTransport.hang()).otherwise(Answers.success());
    CompletableFuture<ReportResult> future =
        client(FAST).reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 7);
    assertTrue(transport.awaitExecutions(1));
    assertTrue(future.cancel(true));
    TransportFailureException e =
        assertInstanceOf(TransportFailureException.class, finishedWith.get(20, TimeUnit.SECONDS));
    assertEquals(TransportFailureException.Kind.CANCELLED, e.kind());
    assertEquals(1, e.attempts());
    assertEquals(1, transport.aborted(), "the exchange in flight was not aborted");
    assertEquals(1, transport.sent().size(), "a retry followed the cancel");
    assertFalse(events.contains("retry 7/1"), events.toString());
    assertThrows(CancellationException.class, () -> future.get(1, TimeUnit.SECONDS));
  }

  @Test
  void cancellingTheCallInFlightAbortsItAndTheCallbackHearsCancelled() throws Exception {
    transport.then(ScriptedTransport.hangInBody()).otherwise(Answers.success());
    Outcome outcome = new Outcome();
    ReportCall call = client(FAST).reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 7, outcome);
    assertTrue(transport.awaitExecutions(1));
    call.cancel();
    assertTrue(call.isCancelled());
    TransportFailureException e = assertInstanceOf(TransportFailureException.class, outcome.get());
    assertEquals(TransportFailureException.Kind.CANCELLED, e.kind());
    assertFalse(e.isRetryable());
    assertTrue(e.getMessage().contains("was cancelled while it was in flight"), e.getMessage());
    assertEquals(1, transport.aborted());
    assertEquals(1, transport.sent().size());
    call.cancel(); // idempotent
  }

  @Test
  void cancellingTheCallDuringARetryWaitEndsTheCallbackAtOnceAsCancelled() throws Exception {
    transport.otherwise(ScriptedTransport.fail(new ConnectException("refused")));
    Outcome outcome = new Outcome();
    ReportCall call = client(SLOW).reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 7, outcome);
    assertTrue(retryScheduled.await(10, TimeUnit.SECONDS));
    call.cancel();
    // The retry is a minute away: only the cancel can end the report within this wait.
    TransportFailureException e = assertInstanceOf(TransportFailureException.class, outcome.get());
    assertEquals(TransportFailureException.Kind.CANCELLED, e.kind());
    assertTrue(e.getMessage().contains("while waiting to retry"), e.getMessage());
    assertEquals(1, e.attempts());
    assertEquals(1, transport.sent().size());
  }

  @Test
  void aReportCancelledBeforeItStartsCountsNoAttemptAndSendsNothing() throws Exception {
    transport.then(ScriptedTransport.hang()).otherwise(Answers.success());
    CapReportClient client = keep(builder(FAST).maxConnections(1).build());
    Outcome first = new Outcome();
    ReportCall inFlight = client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 1, first);
    assertTrue(transport.awaitExecutions(1));
    // One connection, one worker: the second report waits its turn behind the first.
    Outcome second = new Outcome();
    ReportCall queued = client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 2, second);
    queued.cancel();
    inFlight.cancel();
    assertEquals(
        TransportFailureException.Kind.CANCELLED,
        assertInstanceOf(TransportFailureException.class, first.get()).kind());
    TransportFailureException e = assertInstanceOf(TransportFailureException.class, second.get());
    assertEquals(TransportFailureException.Kind.CANCELLED, e.kind());
    assertEquals(0, e.attempts(), "an attempt that never went out was counted");
    assertTrue(e.getMessage().contains("did not reach the server"), e.getMessage());
    assertEquals(1, transport.sent().size());
    assertEquals(1, transport.sent().get(0).taskId());
    assertFalse(events.contains("start 2/1"), events.toString());
  }

  @Test
  void cancellingAFinishedReportChangesNothing() throws Exception {
    transport.otherwise(Answers.success());
    Outcome outcome = new Outcome();
    ReportCall call = client(FAST).reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 7, outcome);
    assertInstanceOf(ReportResult.class, outcome.get());
    call.cancel();
    assertFalse(call.isCancelled());
    assertEquals(0, transport.aborted());
  }

  // ---- close ----

  @Test
  void closeDuringABlockingReportsRetryWaitEndsItAtOnceWithItsLastFailure() throws Exception {
    transport.otherwise(ScriptedTransport.fail(new ConnectException("refused")));
    CapReportClient client = client(SLOW);
    CompletableFuture<Object> outcome = blocking(client, 7);
    assertTrue(retryScheduled.await(10, TimeUnit.SECONDS));
    client.close();
    // The retry is a minute away: only the close can end the report within this wait.
    TransportFailureException e =
        assertInstanceOf(TransportFailureException.class, outcome.get(20, TimeUnit.SECONDS));
    assertEquals(TransportFailureException.Kind.CONNECT, e.kind(), "the last failure stands");
    assertEquals(1, e.attempts(), "only the attempt that went out counts");
    assertFalse(e.getMessage().contains("Gave up"), e.getMessage());
    assertEquals(1, transport.sent().size());
  }

  @Test
  void closeWithAnAsyncReportInFlightAbortsIt() throws Exception {
    transport.otherwise(ScriptedTransport.hang());
    CapReportClient client = client(FAST);
    CompletableFuture<ReportResult> future = client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 7);
    assertTrue(transport.awaitExecutions(1));
    client.close();
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> future.get(20, TimeUnit.SECONDS));
    TransportFailureException failure =
        assertInstanceOf(TransportFailureException.class, e.getCause());
    assertEquals(TransportFailureException.Kind.CANCELLED, failure.kind());
    assertTrue(failure.getMessage().contains("close()"), failure.getMessage());
    assertEquals(1, transport.aborted());
    assertEquals(1, transport.sent().size(), "a report was retried after close()");
  }

  @Test
  void closeWithABlockingReportInFlightAbortsIt() throws Exception {
    transport.otherwise(ScriptedTransport.hang());
    CapReportClient client = client(FAST);
    CompletableFuture<Object> outcome = blocking(client, 7);
    assertTrue(transport.awaitExecutions(1));
    client.close();
    TransportFailureException e =
        assertInstanceOf(TransportFailureException.class, outcome.get(20, TimeUnit.SECONDS));
    assertEquals(TransportFailureException.Kind.CANCELLED, e.kind());
    assertEquals(1, transport.aborted());
    assertEquals(1, transport.sent().size());
  }

  private static Set<Thread> capreportThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("capreport-"))
        .collect(Collectors.toSet());
  }

  @Test
  void afterCloseNoThreadOfTheClientSurvives() throws Exception {
    Set<Thread> before = capreportThreads();
    transport
        .then(ScriptedTransport.fail(new ConnectException("refused"))) // a retry, on the scheduler
        .answering(request -> request.taskId() == 3 ? ScriptedTransport.hang() : Answers.success());
    CapReportClient client = client(FAST);
    CompletableFuture<ReportResult> retried = client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 1);
    assertEquals(2, retried.get(20, TimeUnit.SECONDS).attempts());
    client.reportImage(2); // the watchdog watched a blocking caller
    CompletableFuture<ReportResult> hanging = client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 3);
    for (int i = 4; i < 20; i++) {
      client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, i);
    }
    eventually(
        () -> transport.sent().stream().anyMatch(request -> request.taskId() == 3),
        "report 3 in flight");
    assertFalse(capreportThreads().isEmpty(), "the client started no thread of its own");
    client.close();
    assertThrows(ExecutionException.class, () -> hanging.get(20, TimeUnit.SECONDS));
    eventually(
        () -> {
          Set<Thread> left = capreportThreads();
          left.removeAll(before);
          return left.isEmpty();
        },
        // Under the pools' 10 s keep-alive: idle threads that close() left would still be here.
        5,
        "the client's threads end after close()");
  }

  // ---- the connection limit ----

  @Test
  void maxConnectionsBoundsTheExchangesOfBlockingCallers() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    transport.otherwise(ScriptedTransport.gated(gate, Answers.success()));
    CapReportClient client = keep(builder(RetryPolicy.none()).maxConnections(4).build());
    List<CompletableFuture<Object>> outcomes = new ArrayList<>();
    List<Thread> callers = new ArrayList<>();
    for (int i = 1; i <= 32; i++) {
      long taskId = i;
      CompletableFuture<Object> outcome = new CompletableFuture<>();
      Thread caller =
          new Thread(
              () -> {
                try {
                  outcome.complete(client.reportImage(taskId));
                } catch (RuntimeException e) {
                  outcome.complete(e);
                }
              });
      caller.setDaemon(true);
      callers.add(caller);
      outcomes.add(outcome);
      caller.start();
    }
    assertTrue(transport.awaitExecutions(4));
    // Every caller parked, at the gate or waiting for a connection, before any answer comes.
    eventually(
        () ->
            callers.stream()
                .allMatch(
                    t ->
                        t.getState() == Thread.State.WAITING
                            || t.getState() == Thread.State.TIMED_WAITING),
        "all 32 callers waiting");
    assertEquals(4, transport.inFlight());
    gate.countDown();
    for (CompletableFuture<Object> outcome : outcomes) {
      assertInstanceOf(ReportResult.class, outcome.get(20, TimeUnit.SECONDS));
    }
    assertEquals(32, transport.sent().size());
    assertEquals(4, transport.maxInFlight(), "exchanges in flight at once");
  }

  @Test
  void aBlockingReportThatGetsNoConnectionInTimeTimesOutWithoutAnAttempt() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    // Holds the only connection and, like a transport that misses an abort, ignores it.
    transport
        .then(
            exchange -> {
              try {
                assertTrue(release.await(30, TimeUnit.SECONDS));
              } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
              }
              return Answers.success().response();
            })
        .otherwise(Answers.success());
    CapReportClient client =
        keep(
            builder(RetryPolicy.none())
                .maxConnections(1)
                .requestTimeout(300, TimeUnit.MILLISECONDS)
                .build());
    CompletableFuture<Object> holder = blocking(client, 1);
    assertTrue(transport.awaitExecutions(1));
    CompletableFuture<Object> waiter = blocking(client, 2);
    TransportFailureException e =
        assertInstanceOf(TransportFailureException.class, waiter.get(20, TimeUnit.SECONDS));
    release.countDown();
    holder.get(20, TimeUnit.SECONDS);
    assertEquals(TransportFailureException.Kind.TIMEOUT, e.kind());
    assertTrue(e.getMessage().contains("no connection became free in time"), e.getMessage());
    assertTrue(e.getMessage().contains("did not reach the server"), e.getMessage());
    assertEquals(0, e.attempts(), "an attempt that never went out was counted");
    assertEquals(1, transport.sent().size());
  }

  @Test
  void cancellingAnAsyncReportWaitingForAConnectionEndsItAtOnce() throws Exception {
    transport.then(ScriptedTransport.hang()).otherwise(Answers.success());
    CapReportClient client =
        keep(builder(FAST).maxConnections(1).requestTimeout(50, TimeUnit.SECONDS).build());
    CompletableFuture<Object> holder = blocking(client, 1); // holds the only connection
    assertTrue(transport.awaitExecutions(1));
    Outcome outcome = new Outcome();
    ReportCall waiting = client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 2, outcome);
    eventually(() -> transport.handed().size() == 1, "report 2 is waiting for the connection");
    waiting.cancel();
    TransportFailureException e =
        assertInstanceOf(
            TransportFailureException.class, outcome.outcome.get(10, TimeUnit.SECONDS));
    assertEquals(TransportFailureException.Kind.CANCELLED, e.kind());
    assertEquals(0, e.attempts());
    client.close();
    holder.get(20, TimeUnit.SECONDS);
  }

  // ---- deadlines and interrupts ----

  @Test
  void aDeadlineAbortWaitingForTheHeadersIsATimeoutNamingTheRequestTimeout() {
    transport.otherwise(ScriptedTransport.hang());
    CapReportClient client =
        keep(builder(RetryPolicy.none()).requestTimeout(200, TimeUnit.MILLISECONDS).build());
    TransportFailureException e =
        assertThrows(TransportFailureException.class, () -> client.reportImage(7));
    assertEquals(TransportFailureException.Kind.TIMEOUT, e.kind());
    assertTrue(e.getMessage().contains("the request timeout of 200 ms"), e.getMessage());
    assertEquals(1, transport.aborted());
  }

  @Test
  void aDeadlineAbortReadingTheBodyIsATimeoutNamingTheRequestTimeout() throws Exception {
    transport.otherwise(ScriptedTransport.hangInBody());
    CapReportClient client =
        keep(builder(RetryPolicy.none()).requestTimeout(200, TimeUnit.MILLISECONDS).build());
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () -> client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 7).get(20, TimeUnit.SECONDS));
    TransportFailureException failure =
        assertInstanceOf(TransportFailureException.class, e.getCause());
    assertEquals(TransportFailureException.Kind.TIMEOUT, failure.kind());
    assertTrue(
        failure.getMessage().contains("the request timeout of 200 ms"), failure.getMessage());
    assertEquals(1, transport.aborted());
  }

  @Test
  void aBlockingCallerInterruptedInFlightAbortsTheExchangeAndKeepsTheStatus() throws Exception {
    transport.then(ScriptedTransport.hang()).otherwise(Answers.success());
    CapReportClient client = client(FAST);
    CompletableFuture<Object> outcome = new CompletableFuture<>();
    CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                outcome.complete(client.reportImage(7));
              } catch (RuntimeException e) {
                outcome.complete(e);
              }
              interrupted.complete(Thread.currentThread().isInterrupted());
            });
    caller.setDaemon(true);
    caller.start();
    assertTrue(transport.awaitExecutions(1));
    caller.interrupt();
    TransportFailureException e =
        assertInstanceOf(TransportFailureException.class, outcome.get(20, TimeUnit.SECONDS));
    assertEquals(TransportFailureException.Kind.INTERRUPTED, e.kind());
    assertTrue(interrupted.get(20, TimeUnit.SECONDS), "the interrupt status was lost");
    assertEquals(1, transport.aborted());
    assertEquals(1, transport.sent().size(), "an interrupted report was retried");
  }

  // ---- found from outside ----

  @Test
  void aBlockingReportStoppedWhileItWaitsForThePaceIsFinishedOnce() throws Exception {
    transport
        .then(Answers.notJson(503, "<html>busy</html>").retryAfter("60"))
        .otherwise(Answers.success());
    CapReportClient client =
        client(RetryPolicy.builder().maxAttempts(1).deadline(10, TimeUnit.MINUTES).build());
    assertThrows(UnexpectedResponseException.class, () -> client.reportImage(1));
    CompletableFuture<Object> waiting = blocking(client, 77); // waits a minute for the pace
    eventually(
        () ->
            Thread.getAllStackTraces().keySet().stream()
                .anyMatch(
                    t ->
                        t.getName().equals("test-caller-77")
                            && t.getState() == Thread.State.TIMED_WAITING),
        "the caller waits for the pace");
    client.close();
    TransportFailureException e =
        assertInstanceOf(TransportFailureException.class, waiting.get(20, TimeUnit.SECONDS));
    assertEquals(0, e.attempts());
    assertEquals(
        1,
        events.stream().filter(event -> event.startsWith("finished 77/")).count(),
        events.toString());
  }

  @Test
  void aCallbackNeverRunsOnTheCallersThreadWhenReportAsyncRacesClose() throws Exception {
    transport.otherwise(Answers.success());
    for (int round = 0; round < 100; round++) {
      CapReportClient client = client(RetryPolicy.none());
      Thread closer = new Thread(client::close, "test-closer");
      List<Thread> heardOn = new CopyOnWriteArrayList<>();
      ReportCallback callback =
          new ReportCallback() {
            @Override
            public void onAccepted(ReportResult result) {
              heardOn.add(Thread.currentThread());
            }

            @Override
            public void onFailed(CapReportException failure) {
              heardOn.add(Thread.currentThread());
            }
          };
      closer.start();
      try {
        while (true) {
          client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 1, callback);
        }
      } catch (IllegalStateException closed) {
        // the race is over: close() won
      }
      closer.join(10_000);
      assertFalse(heardOn.contains(Thread.currentThread()), "round " + round);
    }
  }

  @Test
  void anErrorThrownByAListenerLosesNoReportAndKillsNoWorker() throws Exception {
    transport.otherwise(Answers.success());
    List<Throwable> seen = new CopyOnWriteArrayList<>();
    ReportListener broken =
        new ReportListener() {
          @Override
          public void attemptStarted(ReportEndpoint endpoint, long taskId, int attempt) {
            throw new AssertionError("listener bug");
          }

          @Override
          public void reportFinished(
              ReportEndpoint endpoint,
              long taskId,
              int attempts,
              ReportResult result,
              CapReportException failure) {
            throw new AssertionError("listener bug");
          }
        };
    CapReportClient client =
        keep(
            CapReportClient.builder()
                .clientKey("key")
                .transport(transport)
                .retryPolicy(RetryPolicy.none())
                .listener(broken)
                .build());
    Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((thread, e) -> seen.add(e));
    try {
      for (long id = 1; id <= 5; id++) {
        assertEquals(
            1,
            client
                .reportAsync(ReportEndpoint.IMAGE_CAPTCHA, id)
                .get(20, TimeUnit.SECONDS)
                .attempts());
      }
      assertEquals(1, client.reportImage(6).attempts());
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(before);
    }
    assertTrue(seen.size() >= 10, "each Error reached an uncaught exception handler: " + seen);
  }

  @Test
  void anErrorFromTheTransportEndsAnAsyncReportTyped() throws Exception {
    transport.otherwise(
        exchange -> {
          throw new NoClassDefFoundError("a library class the transport needs");
        });
    CompletableFuture<ReportResult> future =
        client(RetryPolicy.none()).reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 7);
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> future.get(20, TimeUnit.SECONDS));
    TransportFailureException failure =
        assertInstanceOf(TransportFailureException.class, e.getCause());
    assertInstanceOf(NoClassDefFoundError.class, failure.getCause().getCause());
  }

  @Test
  void anExchangeWhoseAbortThrowsDoesNotEndTheDeadlinesOfLaterReports() throws Exception {
    java.util.concurrent.atomic.AtomicInteger aborts =
        new java.util.concurrent.atomic.AtomicInteger();
    Transport broken =
        new Transport() {
          @Override
          public String id() {
            return "broken-abort";
          }

          @Override
          public JsonBinding json() {
            return ScriptedTransport.JSON;
          }

          @Override
          public Exchange newExchange(TransportRequest request) {
            CountDownLatch aborted = new CountDownLatch(1);
            return new Exchange() {
              @Override
              public TransportResponse execute() throws IOException {
                try {
                  aborted.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                throw new IOException("aborted");
              }

              @Override
              public void abort() {
                int count = aborts.incrementAndGet(); // counted before the report can end
                aborted.countDown();
                if (count == 1) {
                  throw new IllegalStateException("a transport's bug");
                }
              }
            };
          }

          @Override
          public void close() {}
        };
    CapReportClient client =
        keep(
            CapReportClient.builder()
                .clientKey("key")
                .transport(broken)
                .retryPolicy(RetryPolicy.none())
                .requestTimeout(300, TimeUnit.MILLISECONDS)
                .build());
    Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {});
    try {
      for (long id = 1; id <= 2; id++) {
        TransportFailureException e =
            assertThrows(TransportFailureException.class, () -> client.reportImage(7));
        assertEquals(TransportFailureException.Kind.TIMEOUT, e.kind(), e.getMessage());
        assertEquals(1, e.attempts(), e.getMessage());
      }
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(before);
    }
    assertEquals(2, aborts.get(), "the deadline aborted the second report too");
  }
}
