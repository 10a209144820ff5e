package io.github.capreport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportCallback;
import io.github.capreport.spi.TransportRequest;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bulk bookkeeping with the transport as the seam; the testkit runs 10,000 over real HTTP. */
class BulkReportTest {
  private Transport transport;
  private final ExecutorService threads = Executors.newFixedThreadPool(8);
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();

  @BeforeEach
  void setUp() {
    transport = mock(Transport.class);
    when(transport.id()).thenReturn("fake");
  }

  @AfterEach
  void tearDown() {
    threads.shutdownNow();
  }

  /** Answers on another thread: even task ids are accepted, ids divisible by 5 are refused. */
  private void answerByTaskId() {
    doAnswer(
            invocation -> {
              TransportRequest request = invocation.getArgument(0);
              TransportCallback callback = invocation.getArgument(1);
              maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
              threads.execute(
                  () -> {
                    inFlight.decrementAndGet();
                    long id = request.taskId();
                    if (id % 5 == 0) {
                      callback.onResponse(Answers.refusal(200, "ERROR_NO_SUCH_CAPCHA_ID"));
                    } else if (id % 2 == 0) {
                      callback.onResponse(Answers.success());
                    } else {
                      callback.onFailure(new ConnectException("refused"));
                    }
                  });
              return null;
            })
        .when(transport)
        .sendAsync(any(), any());
  }

  private CapReportClient client() {
    return CapReportClient.builder()
        .clientKey("key")
        .transport(transport)
        .retryPolicy(RetryPolicy.none())
        .build();
  }

  @Test
  void everyTaskEndsWithOneOutcomeInOrder() throws Exception {
    answerByTaskId();
    List<ReportTask> tasks = new ArrayList<>();
    for (long id = 1; id <= 500; id++) {
      tasks.add(ReportTask.of(ReportEndpoint.IMAGE_CAPTCHA, id));
    }
    ConcurrentLinkedQueue<Integer> doneCounts = new ConcurrentLinkedQueue<>();
    BulkReport bulk = client().reportAll(tasks, 4, (outcome, done, total) -> doneCounts.add(done));
    List<ReportOutcome> outcomes = bulk.await(30, TimeUnit.SECONDS);
    assertEquals(500, outcomes.size());
    for (int i = 0; i < 500; i++) {
      ReportOutcome outcome = outcomes.get(i);
      long id = i + 1;
      assertEquals(tasks.get(i), outcome.task());
      ReportOutcome.Status expected =
          id % 5 == 0
              ? ReportOutcome.Status.REFUSED
              : id % 2 == 0 ? ReportOutcome.Status.ACCEPTED : ReportOutcome.Status.FAILED;
      assertEquals(expected, outcome.status(), "task " + id);
      assertEquals(1, outcome.attempts());
    }
    assertTrue(maxInFlight.get() <= 4, "in flight at once: " + maxInFlight.get());
    assertEquals(500, doneCounts.size());
    assertTrue(doneCounts.contains(500));
    assertTrue(bulk.isDone());
  }

  @Test
  void cancellingEndsTasksNotYetStartedAsCancelled() throws Exception {
    List<TransportCallback> held = new ArrayList<>();
    doAnswer(
            invocation -> {
              synchronized (held) {
                held.add(invocation.getArgument(1));
              }
              return null;
            })
        .when(transport)
        .sendAsync(any(), any());
    List<ReportTask> tasks = new ArrayList<>();
    for (long id = 1; id <= 10; id++) {
      tasks.add(ReportTask.of(CaptchaKind.TURNSTILE, id));
    }
    BulkReport bulk = client().reportAll(tasks, 2, null);
    bulk.cancel();
    assertEquals(8, bulk.completed());
    synchronized (held) {
      for (TransportCallback callback : held) {
        callback.onResponse(Answers.success());
      }
    }
    List<ReportOutcome> outcomes = bulk.await(10, TimeUnit.SECONDS);
    assertEquals(ReportOutcome.Status.ACCEPTED, outcomes.get(0).status());
    assertEquals(ReportOutcome.Status.ACCEPTED, outcomes.get(1).status());
    for (ReportOutcome outcome : outcomes.subList(2, 10)) {
      assertEquals(ReportOutcome.Status.CANCELLED, outcome.status());
      assertNull(outcome.failure());
      assertEquals(0, outcome.attempts());
    }
  }

  @Test
  void badTasksFailBeforeAnyIo() {
    assertThrows(
        IllegalArgumentException.class, () -> ReportTask.of(ReportEndpoint.IMAGE_CAPTCHA, 0));
    CapReportClient client = client();
    assertThrows(
        IllegalArgumentException.class,
        () ->
            client.reportAll(
                Arrays.asList(ReportTask.of(ReportEndpoint.IMAGE_CAPTCHA, 1), null), 2, null));
    assertThrows(
        IllegalArgumentException.class,
        () -> client.reportAll(Arrays.asList(ReportTask.of(CaptchaKind.IMAGE, 1)), 0, null));
    verify(transport, never()).sendAsync(any(), any());
  }

  @Test
  void anEmptyBulkIsDoneAtOnce() throws Exception {
    BulkReport bulk = client().reportAll(new ArrayList<ReportTask>(), 4, null);
    assertTrue(bulk.isDone());
    assertEquals(0, bulk.await(1, TimeUnit.SECONDS).size());
  }
}
