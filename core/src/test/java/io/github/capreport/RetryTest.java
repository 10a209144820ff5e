package io.github.capreport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The retry rules, with a scripted transport as the seam; the testkit proves them over HTTP. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RetryTest {
  private static final RetryPolicy FAST = TestPolicies.FAST;

  private static final RetryPolicy SLOW = TestPolicies.SLOW;

  private final ScriptedTransport transport = new ScriptedTransport();
  private final List<String> events = Collections.synchronizedList(new ArrayList<String>());
  private final CountDownLatch retryScheduled = new CountDownLatch(1);
  private final List<CapReportClient> clients = new ArrayList<>();

  @AfterEach
  void tearDown() {
    for (CapReportClient client : clients) {
      client.close();
    }
  }

  private CapReportClient client(RetryPolicy policy) {
    CapReportClient client =
        CapReportClient.builder()
            .clientKey("key")
            .transport(transport)
            .retryPolicy(policy)
            .listener(
                new ReportListener() {
                  @Override
                  public void attemptStarted(ReportEndpoint endpoint, long taskId, int attempt) {
                    events.add("start " + attempt);
                  }

                  @Override
                  public void retryScheduled(
                      ReportEndpoint endpoint,
                      long taskId,
                      int failedAttempt,
                      long delayMillis,
                      CapReportException failure) {
                    events.add("retry after " + failedAttempt);
                    retryScheduled.countDown();
                  }

                  @Override
                  public void reportFinished(
                      ReportEndpoint endpoint,
                      long taskId,
                      int attempts,
                      ReportResult result,
                      CapReportException failure) {
                    events.add((result != null ? "accepted " : "failed ") + attempts);
                  }
                })
            .build();
    clients.add(client);
    return client;
  }

  private static ScriptedTransport.Step refused() {
    return ScriptedTransport.fail(new ConnectException("refused"));
  }

  @Test
  void aTransientFailureIsRetriedUntilAccepted() throws Exception {
    transport.then(refused(), Answers.notJson(503, "<html>busy</html>"), Answers.success());
    ReportResult result = client(FAST).reportImage(5);
    assertEquals(3, result.attempts());
    assertEquals(
        List.of("start 1", "retry after 1", "start 2", "retry after 2", "start 3", "accepted 3"),
        events);
    assertEquals(3, transport.sent().size());
  }

  @Test
  void theFinalFailureCarriesEveryAttempt() throws Exception {
    transport.then(
        ScriptedTransport.fail(new SocketTimeoutException("slow 1")),
        ScriptedTransport.fail(new SocketTimeoutException("slow 2")),
        Answers.refusal(200, "ERROR_NO_SLOT_AVAILABLE"));
    ReportRefusedException e =
        assertThrows(ReportRefusedException.class, () -> client(FAST).reportImage(5));
    assertEquals(3, e.attempts());
    assertEquals(2, e.getSuppressed().length);
    assertInstanceOf(TransportFailureException.class, e.getSuppressed()[0]);
    assertEquals("failed 3", events.get(events.size() - 1));
  }

  @Test
  void aFailureAfterThreeAttemptsSaysSoInItsMessage() {
    transport.otherwise(refused());
    TransportFailureException e =
        assertThrows(TransportFailureException.class, () -> client(FAST).reportImage(5));
    assertEquals(3, e.attempts());
    assertTrue(e.getMessage().endsWith(" Gave up after 3 attempts."), e.getMessage());
    assertTrue(e.getMessage().contains("could not connect to"), e.getMessage());
  }

  @Test
  void aBodyThatBreaksMidwayIsRetried() throws Exception {
    transport.then(ScriptedTransport.breakMidway("{\"err"), Answers.success());
    assertEquals(2, client(FAST).reportImage(5).attempts());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ERROR_KEY_DOES_NOT_EXIST",
        "ERROR_NO_SUCH_CAPCHA_ID",
        "WRONG_CAPTCHA_ID",
        "ERROR_ZERO_BALANCE",
        "ERROR_IP_NOT_ALLOWED",
        "ERROR_IP_BANNED",
        "ERROR_IP_BLOCKED",
        "ERROR_SOMETHING_NEW"
      })
  void refusalsThatCannotSucceedAreNeverRetried(String code) throws Exception {
    transport.otherwise(Answers.refusal(200, code));
    ReportRefusedException e =
        assertThrows(ReportRefusedException.class, () -> client(FAST).reportImage(5));
    assertEquals(1, e.attempts());
    assertFalse(e.getMessage().contains("Gave up"), e.getMessage());
    assertEquals(1, transport.sent().size());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ERROR_NO_SLOT_AVAILABLE", "ERROR_TOO_MUCH_REQUESTS"})
  void transientRefusalsAreRetried(String code) throws Exception {
    transport.then(Answers.refusal(200, code), Answers.success());
    assertEquals(2, client(FAST).reportImage(5).attempts());
  }

  @ParameterizedTest
  @ValueSource(ints = {200, 302, 400, 404})
  void answersThatAreNotTheApisAndNotTransientAreNeverRetried(int status) throws Exception {
    transport.otherwise(Answers.notJson(status, "nope"));
    assertThrows(UnexpectedResponseException.class, () -> client(FAST).reportImage(5));
    assertEquals(1, transport.sent().size());
  }

  @Test
  void tooManyRequestsWithoutEnvelopeIsRetried() throws Exception {
    transport.then(Answers.notJson(429, "slow down"), Answers.success());
    assertEquals(2, client(FAST).reportImage(5).attempts());
  }

  @Test
  void noRetryStartsPastTheDeadline() throws Exception {
    RetryPolicy slow =
        RetryPolicy.builder()
            .initialDelay(10, TimeUnit.SECONDS)
            .maxDelay(10, TimeUnit.SECONDS)
            .deadline(1, TimeUnit.SECONDS)
            .build();
    transport.otherwise(refused());
    TransportFailureException e =
        assertThrows(TransportFailureException.class, () -> client(slow).reportImage(5));
    assertEquals(1, e.attempts());
    assertEquals(1, transport.sent().size());
  }

  @Test
  void aRetryAfterLongerThanTheDeadlineEndsTheReport() throws Exception {
    transport.otherwise(Answers.notJson(429, "slow down").retryAfter("3600"));
    UnexpectedResponseException e =
        assertThrows(UnexpectedResponseException.class, () -> client(FAST).reportImage(5));
    assertEquals(3_600_000L, e.retryAfterMillis());
    assertEquals(1, e.attempts());
  }

  @Test
  void delaysGrowAndHonourRetryAfter() {
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(10)
            .initialDelay(100, TimeUnit.MILLISECONDS)
            .maxDelay(1000, TimeUnit.MILLISECONDS)
            .build();
    Random random = new Random(1);
    for (int i = 0; i < 100; i++) {
      long first = policy.delayBefore(2, -1, random);
      assertTrue(first >= 50 && first <= 100, "first retry delay " + first);
      long fourth = policy.delayBefore(5, -1, random);
      assertTrue(fourth >= 400 && fourth <= 800, "fourth retry delay " + fourth);
      long capped = policy.delayBefore(9, -1, random);
      assertTrue(capped >= 500 && capped <= 1000, "capped delay " + capped);
      assertEquals(5000, policy.delayBefore(2, 5000, random));
    }
  }

  @Test
  void retriesCanBeTurnedOff() throws Exception {
    transport.otherwise(refused());
    assertThrows(TransportFailureException.class, () -> client(RetryPolicy.none()).reportImage(5));
    assertEquals(1, transport.sent().size());
  }

  @Test
  void anInterruptDuringBackoffEndsTheReportAndKeepsTheStatus() throws Exception {
    transport.otherwise(refused());
    CapReportClient client = client(SLOW);
    AtomicReference<Object> outcome = new AtomicReference<>();
    AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                outcome.set(client.reportImage(5));
              } catch (CapReportException e) {
                outcome.set(e);
              }
              stillInterrupted.set(Thread.currentThread().isInterrupted());
            });
    caller.start();
    assertTrue(retryScheduled.await(10, TimeUnit.SECONDS));
    caller.interrupt();
    caller.join(10_000);
    assertFalse(caller.isAlive(), "the interrupt did not end the wait");
    TransportFailureException e = assertInstanceOf(TransportFailureException.class, outcome.get());
    assertEquals(TransportFailureException.Kind.INTERRUPTED, e.kind());
    assertEquals(1, e.getSuppressed().length);
    assertEquals(1, e.attempts());
    assertTrue(stillInterrupted.get());
    assertEquals(1, transport.sent().size());
  }

  @Test
  void aBlockingCallerInterruptedBeforeItStartsSendsNothing() {
    transport.otherwise(Answers.success());
    CapReportClient client = client(FAST);
    Thread.currentThread().interrupt();
    try {
      TransportFailureException e =
          assertThrows(TransportFailureException.class, () -> client.reportImage(5));
      assertEquals(TransportFailureException.Kind.INTERRUPTED, e.kind());
      assertEquals(0, e.attempts(), "no attempt went out");
      assertTrue(e.getMessage().contains("did not reach the server"), e.getMessage());
      assertTrue(Thread.currentThread().isInterrupted());
    } finally {
      Thread.interrupted();
    }
    assertEquals(0, transport.sent().size());
    assertFalse(events.contains("start 1"), events.toString());
  }

  @Test
  void asyncAttemptsAndRetriesRunOnTheClientsWorkers() throws Exception {
    List<Thread> sendingThreads = Collections.synchronizedList(new ArrayList<Thread>());
    ScriptedTransport.Step fail = refused();
    transport.then(
        exchange -> {
          sendingThreads.add(Thread.currentThread());
          return fail.execute(exchange);
        },
        exchange -> {
          sendingThreads.add(Thread.currentThread());
          return Answers.success().execute(exchange);
        });
    CompletableFuture<ReportResult> future =
        client(FAST).reportAsync(ReportEndpoint.TOKEN_CAPTCHA, 8);
    assertEquals(2, future.get(10, TimeUnit.SECONDS).attempts());
    assertEquals(2, sendingThreads.size());
    for (Thread thread : sendingThreads) {
      assertNotSame(Thread.currentThread(), thread);
      assertTrue(thread.getName().matches("capreport-[0-9a-f]+-worker-\\d+"), thread.getName());
    }
  }

  @Test
  void closingTheClientEndsAsyncReportsWaitingToRetry() throws Exception {
    transport.otherwise(refused());
    CapReportClient client = client(SLOW);
    CompletableFuture<ReportResult> future = client.reportAsync(ReportEndpoint.TOKEN_CAPTCHA, 8);
    assertTrue(retryScheduled.await(10, TimeUnit.SECONDS));
    client.close();
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
    TransportFailureException last =
        assertInstanceOf(TransportFailureException.class, e.getCause());
    assertEquals(TransportFailureException.Kind.CONNECT, last.kind(), "the last failure stands");
    assertEquals(1, last.attempts());
    assertEquals(1, transport.sent().size());
  }

  @Test
  void aThrowingListenerCannotLoseAReport() throws Exception {
    transport.otherwise(Answers.success());
    CapReportClient client =
        CapReportClient.builder()
            .clientKey("key")
            .transport(transport)
            .listener(
                new ReportListener() {
                  @Override
                  public void attemptStarted(ReportEndpoint endpoint, long taskId, int attempt) {
                    throw new IllegalStateException("listener bug");
                  }
                })
            .build();
    clients.add(client);
    assertEquals(1, client.reportImage(3).attempts());
  }
}
