package io.github.capreport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bulk bookkeeping with a scripted transport as the seam; the testkit runs it over real HTTP. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BulkReportTest {
  private static final RetryPolicy SLOW = TestPolicies.SLOW;

  private final ScriptedTransport transport = new ScriptedTransport();
  private final List<CapReportClient> clients = new ArrayList<>();

  @AfterEach
  void tearDown() {
    for (CapReportClient client : clients) {
      client.close();
    }
  }

  /** Even task ids are accepted, ids divisible by 5 are refused, the rest fail to connect. */
  private void answerByTaskId() {
    transport.answering(
        request -> {
          long id = request.taskId();
          if (id % 5 == 0) {
            return Answers.refusal(200, "ERROR_NO_SUCH_CAPCHA_ID");
          } else if (id % 2 == 0) {
            return Answers.success();
          }
          return ScriptedTransport.fail(new ConnectException("refused"));
        });
  }

  private CapReportClient client(RetryPolicy policy, ReportListener listener) {
    CapReportClient client =
        CapReportClient.builder()
            .clientKey("key")
            .transport(transport)
            .retryPolicy(policy)
            .listener(listener)
            .build();
    clients.add(client);
    return client;
  }

  private CapReportClient client() {
    return client(RetryPolicy.none(), ReportListener.NONE);
  }

  private static List<ReportTask> tasks(int count) {
    List<ReportTask> tasks = new ArrayList<>(count);
    for (long id = 1; id <= count; id++) {
      tasks.add(ReportTask.of(ReportEndpoint.IMAGE_CAPTCHA, id));
    }
    return tasks;
  }

  /** Counts retries scheduled, to know when reports are waiting to retry. */
  private static final class RetryCounter extends ReportListener {
    final CountDownLatch scheduled;

    RetryCounter(int expected) {
      scheduled = new CountDownLatch(expected);
    }

    @Override
    public void retryScheduled(
        ReportEndpoint endpoint,
        long taskId,
        int failedAttempt,
        long delayMillis,
        CapReportException failure) {
      scheduled.countDown();
    }
  }

  @Test
  void everyTaskEndsWithOneOutcomeInOrder() throws Exception {
    answerByTaskId();
    List<ReportTask> tasks = tasks(500);
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
    assertTrue(transport.maxInFlight() <= 4, "in flight at once: " + transport.maxInFlight());
    assertEquals(500, transport.sent().size());
    assertEquals(500, doneCounts.size());
    assertTrue(doneCounts.contains(500));
    assertTrue(bulk.isDone());
  }

  @Test
  void theTwoArgumentFormReportsEveryTask() throws Exception {
    transport.otherwise(Answers.success());
    List<ReportOutcome> outcomes = client().reportAll(tasks(20), 3).await(30, TimeUnit.SECONDS);
    assertEquals(20, outcomes.size());
    for (ReportOutcome outcome : outcomes) {
      assertEquals(ReportOutcome.Status.ACCEPTED, outcome.status());
    }
  }

  @Test
  void aHundredThousandInstantAnswersKeepTheStackFlat() throws Exception {
    transport.otherwise(Answers.success());
    List<ReportTask> tasks = tasks(100_000);
    BulkReport bulk = client().reportAll(tasks, 16);
    List<ReportOutcome> outcomes = bulk.await(50, TimeUnit.SECONDS);
    assertEquals(100_000, outcomes.size());
    for (int i = 0; i < outcomes.size(); i++) {
      ReportOutcome outcome = outcomes.get(i);
      assertEquals(ReportOutcome.Status.ACCEPTED, outcome.status(), "task " + (i + 1));
      assertEquals(tasks.get(i), outcome.task());
    }
    assertEquals(100_000, transport.sent().size());
  }

  // A bulk report opens to its concurrency once the API has answered one of its tasks: in the
  // cases below, task 1 is accepted at once, and the tasks after it are the ones in flight.

  @Test
  void cancellingEndsTasksNotYetStartedAsCancelled() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    transport.then(Answers.success()).otherwise(ScriptedTransport.gated(gate, Answers.success()));
    List<ReportTask> tasks = new ArrayList<>();
    for (long id = 1; id <= 11; id++) {
      tasks.add(ReportTask.of(CaptchaKind.TURNSTILE, id));
    }
    BulkReport bulk = client().reportAll(tasks, 2, null);
    assertTrue(transport.awaitExecutions(3), "task 1, then two in flight");
    bulk.cancel();
    assertTrue(bulk.isCancelled());
    assertEquals(1 + 8, bulk.completed());
    gate.countDown();
    List<ReportOutcome> outcomes = bulk.await(10, TimeUnit.SECONDS);
    for (ReportOutcome outcome : outcomes.subList(0, 3)) {
      assertEquals(ReportOutcome.Status.ACCEPTED, outcome.status());
    }
    for (ReportOutcome outcome : outcomes.subList(3, 11)) {
      assertEquals(ReportOutcome.Status.CANCELLED, outcome.status());
      assertNull(outcome.failure());
      assertEquals(0, outcome.attempts());
    }
    assertEquals(3, transport.sent().size());
  }

  @Test
  void cancellingEndsTasksWaitingToRetryAtOnceAsCancelled() throws Exception {
    transport
        .then(Answers.success())
        .otherwise(ScriptedTransport.fail(new ConnectException("refused")));
    RetryCounter retries = new RetryCounter(3);
    BulkReport bulk = client(SLOW, retries).reportAll(tasks(4), 3);
    assertTrue(retries.scheduled.await(10, TimeUnit.SECONDS));
    bulk.cancel();
    // The retries are a minute away: only the cancel can end them within this wait.
    List<ReportOutcome> outcomes = bulk.await(20, TimeUnit.SECONDS);
    assertEquals(ReportOutcome.Status.ACCEPTED, outcomes.get(0).status());
    for (ReportOutcome outcome : outcomes.subList(1, 4)) {
      assertEquals(ReportOutcome.Status.CANCELLED, outcome.status(), outcome.toString());
      TransportFailureException last =
          assertInstanceOf(TransportFailureException.class, outcome.failure());
      assertEquals(TransportFailureException.Kind.CONNECT, last.kind(), "the last failure");
      assertEquals(1, outcome.attempts());
    }
    assertEquals(4, transport.sent().size());
  }

  @Test
  void closingTheClientDuringABulkEndsEveryUnstartedTaskAndSendsNothingMore() throws Exception {
    transport.then(Answers.success()).otherwise(ScriptedTransport.hang());
    CapReportClient client = client();
    BulkReport bulk = client.reportAll(tasks(11), 2);
    assertTrue(transport.awaitExecutions(3));
    client.close();
    List<ReportOutcome> outcomes = bulk.await(20, TimeUnit.SECONDS);
    assertTrue(bulk.isCancelled());
    assertEquals(ReportOutcome.Status.ACCEPTED, outcomes.get(0).status());
    for (ReportOutcome outcome : outcomes.subList(1, 11)) {
      assertEquals(ReportOutcome.Status.CANCELLED, outcome.status(), outcome.toString());
    }
    for (ReportOutcome inFlight : outcomes.subList(1, 3)) {
      TransportFailureException e =
          assertInstanceOf(TransportFailureException.class, inFlight.failure());
      assertEquals(TransportFailureException.Kind.CANCELLED, e.kind());
      assertEquals(1, inFlight.attempts());
    }
    for (ReportOutcome unstarted : outcomes.subList(3, 11)) {
      assertNull(unstarted.failure());
      assertEquals(0, unstarted.attempts());
    }
    assertEquals(3, transport.sent().size());
    assertEquals(2, transport.aborted(), "close() aborts the exchanges in flight");
  }

  @Test
  void aThrowingProgressListenerCannotLoseAnOutcome() throws Exception {
    transport.otherwise(Answers.success());
    BulkReport bulk =
        client()
            .reportAll(
                tasks(50),
                4,
                (outcome, done, total) -> {
                  throw new IllegalStateException("listener bug");
                });
    List<ReportOutcome> outcomes = bulk.await(30, TimeUnit.SECONDS);
    assertEquals(50, bulk.completed());
    for (ReportOutcome outcome : outcomes) {
      assertEquals(ReportOutcome.Status.ACCEPTED, outcome.status());
    }
  }

  @Test
  void retriedTasksCountTheirAttempts() throws Exception {
    RetryPolicy fast =
        RetryPolicy.builder()
            .maxAttempts(3)
            .initialDelay(1, TimeUnit.MILLISECONDS)
            .maxDelay(5, TimeUnit.MILLISECONDS)
            .build();
    transport
        .then(ScriptedTransport.fail(new ConnectException("refused")))
        .otherwise(Answers.success());
    List<ReportOutcome> outcomes =
        client(fast, ReportListener.NONE).reportAll(tasks(1), 1).await(30, TimeUnit.SECONDS);
    assertEquals(ReportOutcome.Status.ACCEPTED, outcomes.get(0).status());
    assertEquals(2, outcomes.get(0).attempts());
  }

  @Test
  void aBulkAfterCloseIsRefused() {
    CapReportClient client = client();
    client.close();
    assertThrows(IllegalStateException.class, () -> client.reportAll(tasks(3), 2));
    assertEquals(0, transport.handed().size());
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
    assertEquals(0, transport.handed().size());
  }

  @Test
  void anEmptyBulkIsDoneAtOnce() throws Exception {
    BulkReport bulk = client().reportAll(new ArrayList<ReportTask>(), 4, null);
    assertTrue(bulk.isDone());
    assertEquals(0, bulk.await(1, TimeUnit.SECONDS).size());
  }

  // ---- found from outside ----

  @Test
  void anEmptyBulkIsDoneAndLeftNowhere() {
    CapReportClient client = client();
    for (int i = 0; i < 100; i++) {
      BulkReport bulk = client.reportAll(new ArrayList<>(), 4);
      assertTrue(bulk.isDone());
    }
    assertTrue(client.bulks.isEmpty(), "the client keeps no finished bulk report");
  }

  @Test
  void aTaskCancelledWhileItWaitsToBeSentHasNoFailure() throws Exception {
    transport.otherwise(Answers.success());
    CapReportClient client =
        CapReportClient.builder()
            .clientKey("key")
            .transport(transport)
            .retryPolicy(RetryPolicy.none())
            .accountGuard(AccountGuard.builder().maxRequestsPerSecond(0.01).build())
            .build();
    clients.add(client);
    BulkReport bulk = client.reportAll(tasks(5), 2);
    assertTrue(transport.awaitExecutions(1));
    Thread.sleep(200); // tasks 2 and 3 now wait for the rate limit's next slot, 100 s away
    bulk.cancel();
    List<ReportOutcome> outcomes = bulk.await(30, TimeUnit.SECONDS);
    assertEquals(ReportOutcome.Status.ACCEPTED, outcomes.get(0).status());
    for (ReportOutcome outcome : outcomes.subList(1, 5)) {
      assertEquals(ReportOutcome.Status.CANCELLED, outcome.status(), outcome.toString());
      assertNull(outcome.failure(), "nothing was sent, nothing failed: " + outcome);
      assertEquals(0, outcome.attempts());
    }
    assertEquals(1, transport.sent().size());
  }

  @Test
  void anErrorThrownByTheProgressListenerLosesNoOutcomeAndDoesNotStopClose() throws Exception {
    transport.otherwise(ScriptedTransport.hang());
    CapReportClient client = client();
    Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
    List<Throwable> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread.setDefaultUncaughtExceptionHandler((thread, e) -> seen.add(e));
    try {
      BulkReport bulk =
          client.reportAll(
              tasks(20),
              2,
              (outcome, done, total) -> {
                throw new AssertionError("listener bug");
              });
      assertTrue(transport.awaitExecutions(1));
      client.close(); // cancels the bulk: the listener hears it here, and throws
      assertEquals(20, bulk.await(30, TimeUnit.SECONDS).size());
      assertEquals(20, bulk.completed());
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(before);
    }
    assertEquals(20, seen.size(), "each Error reached an uncaught exception handler");
  }
}
