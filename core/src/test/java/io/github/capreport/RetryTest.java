package io.github.capreport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportCallback;
import io.github.capreport.spi.TransportResponse;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The retry rules, with the transport as the seam; the conformance suite proves them over HTTP. */
class RetryTest {
  private static final RetryPolicy FAST =
      RetryPolicy.builder()
          .maxAttempts(3)
          .initialDelay(1, TimeUnit.MILLISECONDS)
          .maxDelay(5, TimeUnit.MILLISECONDS)
          .build();

  private Transport transport;
  private final List<String> events = Collections.synchronizedList(new ArrayList<String>());
  private final ExecutorService transportThreads = Executors.newCachedThreadPool();

  @BeforeEach
  void setUp() {
    transport = mock(Transport.class);
    when(transport.id()).thenReturn("fake");
  }

  @AfterEach
  void tearDown() {
    transportThreads.shutdownNow();
  }

  private CapReportClient client(RetryPolicy policy) {
    return CapReportClient.builder()
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
  }

  @Test
  void aTransientFailureIsRetriedUntilAccepted() throws Exception {
    when(transport.send(any()))
        .thenThrow(new ConnectException("refused"))
        .thenReturn(Answers.notJson(503, "<html>busy</html>"))
        .thenReturn(Answers.success());
    ReportResult result = client(FAST).reportImage(5);
    assertEquals(3, result.attempts());
    assertEquals(
        List.of("start 1", "retry after 1", "start 2", "retry after 2", "start 3", "accepted 3"),
        events);
  }

  @Test
  void theFinalFailureCarriesEveryAttempt() throws Exception {
    when(transport.send(any()))
        .thenThrow(new SocketTimeoutException("slow 1"))
        .thenThrow(new SocketTimeoutException("slow 2"))
        .thenReturn(Answers.refusal(200, "ERROR_NO_SLOT_AVAILABLE"));
    ReportRefusedException e =
        assertThrows(ReportRefusedException.class, () -> client(FAST).reportImage(5));
    assertEquals(3, e.attempts());
    assertEquals(2, e.getSuppressed().length);
    assertInstanceOf(TransportFailureException.class, e.getSuppressed()[0]);
    assertEquals("failed 3", events.get(events.size() - 1));
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
    when(transport.send(any())).thenReturn(Answers.refusal(200, code));
    ReportRefusedException e =
        assertThrows(ReportRefusedException.class, () -> client(FAST).reportImage(5));
    assertEquals(1, e.attempts());
    verify(transport, times(1)).send(any());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ERROR_NO_SLOT_AVAILABLE", "ERROR_TOO_MUCH_REQUESTS"})
  void transientRefusalsAreRetried(String code) throws Exception {
    when(transport.send(any()))
        .thenReturn(Answers.refusal(200, code))
        .thenReturn(Answers.success());
    assertEquals(2, client(FAST).reportImage(5).attempts());
  }

  @ParameterizedTest
  @ValueSource(ints = {200, 302, 400, 404})
  void answersThatAreNotTheApisAndNotTransientAreNeverRetried(int status) throws Exception {
    when(transport.send(any())).thenReturn(Answers.notJson(status, "nope"));
    assertThrows(UnexpectedResponseException.class, () -> client(FAST).reportImage(5));
    verify(transport, times(1)).send(any());
  }

  @Test
  void tooManyRequestsWithoutEnvelopeIsRetried() throws Exception {
    when(transport.send(any()))
        .thenReturn(Answers.notJson(429, "slow down"))
        .thenReturn(Answers.success());
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
    when(transport.send(any())).thenThrow(new ConnectException("refused"));
    TransportFailureException e =
        assertThrows(TransportFailureException.class, () -> client(slow).reportImage(5));
    assertEquals(1, e.attempts());
  }

  @Test
  void aRetryAfterLongerThanTheDeadlineEndsTheReport() throws Exception {
    when(transport.send(any())).thenReturn(retryAfter(429, "3600"));
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
    when(transport.send(any())).thenThrow(new ConnectException("refused"));
    assertThrows(TransportFailureException.class, () -> client(RetryPolicy.none()).reportImage(5));
    verify(transport, times(1)).send(any());
  }

  @Test
  void anInterruptDuringBackoffEndsTheReportAndKeepsTheStatus() throws Exception {
    RetryPolicy slow =
        RetryPolicy.builder()
            .initialDelay(30, TimeUnit.SECONDS)
            .maxDelay(30, TimeUnit.SECONDS)
            .build();
    when(transport.send(any())).thenThrow(new ConnectException("refused"));
    CapReportClient client = client(slow);
    Thread.currentThread().interrupt();
    try {
      TransportFailureException e =
          assertThrows(TransportFailureException.class, () -> client.reportImage(5));
      assertEquals(TransportFailureException.Kind.INTERRUPTED, e.kind());
      assertEquals(1, e.getSuppressed().length);
      assertTrue(Thread.currentThread().isInterrupted());
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void asyncRetriesRunOffTheCallersThread() throws Exception {
    List<Thread> sendingThreads = Collections.synchronizedList(new ArrayList<Thread>());
    int[] calls = {0};
    doAnswer(
            invocation -> {
              sendingThreads.add(Thread.currentThread());
              TransportCallback callback = invocation.getArgument(1);
              boolean fail = calls[0]++ == 0;
              transportThreads.execute(
                  () -> {
                    if (fail) {
                      callback.onFailure(new ConnectException("refused"));
                    } else {
                      callback.onResponse(Answers.success());
                    }
                  });
              return null;
            })
        .when(transport)
        .sendAsync(any(), any());
    CompletableFuture<ReportResult> future =
        client(FAST).reportAsync(ReportEndpoint.TOKEN_CAPTCHA, 8);
    assertEquals(2, future.get(10, TimeUnit.SECONDS).attempts());
    assertEquals(Thread.currentThread(), sendingThreads.get(0));
    assertNotSame(Thread.currentThread(), sendingThreads.get(1));
    assertTrue(sendingThreads.get(1).getName().startsWith("capreport-retry-"));
  }

  @Test
  void closingTheClientEndsAsyncReportsWaitingToRetry() throws Exception {
    RetryPolicy slow =
        RetryPolicy.builder()
            .initialDelay(30, TimeUnit.SECONDS)
            .maxDelay(30, TimeUnit.SECONDS)
            .build();
    CountDownLatch failedOnce = new CountDownLatch(1);
    doAnswer(
            invocation -> {
              TransportCallback callback = invocation.getArgument(1);
              transportThreads.execute(
                  () -> {
                    callback.onFailure(new ConnectException("refused"));
                    failedOnce.countDown();
                  });
              return null;
            })
        .when(transport)
        .sendAsync(any(), any());
    CapReportClient client = client(slow);
    CompletableFuture<ReportResult> future = client.reportAsync(ReportEndpoint.TOKEN_CAPTCHA, 8);
    assertTrue(failedOnce.await(10, TimeUnit.SECONDS));
    waitFor(() -> events.contains("retry after 1"));
    client.close();
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
    assertInstanceOf(TransportFailureException.class, e.getCause());
    assertEquals(1, ((CapReportException) e.getCause()).attempts());
  }

  @Test
  void aThrowingListenerCannotLoseAReport() throws Exception {
    when(transport.send(any())).thenReturn(Answers.success());
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
    assertEquals(1, client.reportImage(3).attempts());
  }

  private static TransportResponse retryAfter(int status, String header) throws IOException {
    return TransportResponse.read(
        status,
        header,
        new java.io.ByteArrayInputStream("slow down".getBytes("UTF-8")),
        100,
        json -> {
          throw new IOException("not json");
        });
  }

  private static void waitFor(java.util.concurrent.Callable<Boolean> condition) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.call()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(5);
    }
  }
}
