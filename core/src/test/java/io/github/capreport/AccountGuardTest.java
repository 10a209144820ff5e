package io.github.capreport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.capreport.internal.Clock;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The account guard's rules, with a scripted transport as the seam; testkit runs them over HTTP.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AccountGuardTest {
  private static final String KEY = "0123456789abcdef0123456789abcdef";

  private final ScriptedTransport transport = new ScriptedTransport();
  private final List<CapReportClient> clients = new ArrayList<>();
  private final ManualClock clock = new ManualClock();
  private final Events events = new Events();

  @AfterEach
  void tearDown() {
    for (CapReportClient client : clients) {
      client.close();
    }
  }

  private CapReportClient client(AccountGuard guard, RetryPolicy policy) {
    CapReportClient client =
        CapReportClient.builder()
            .clientKey(KEY)
            .transport(transport)
            .retryPolicy(policy)
            .listener(events)
            .accountGuard(guard)
            .build();
    clients.add(client);
    return client;
  }

  private AccountGuard.Builder guard() {
    return AccountGuard.builder().clock(clock);
  }

  private static List<ReportTask> tasks(int count) {
    List<ReportTask> tasks = new ArrayList<>(count);
    for (long id = 1; id <= count; id++) {
      tasks.add(ReportTask.of(ReportEndpoint.IMAGE_CAPTCHA, id));
    }
    return tasks;
  }

  // ---- the hold ----

  @Test
  void aBulkReportWithAWrongKeySendsOneRequestAndHoldsTheRest() throws Exception {
    transport.otherwise(Answers.refusal(200, "ERROR_KEY_DOES_NOT_EXIST"));
    CapReportClient client = client(guard().build(), TestPolicies.FAST);
    List<ReportOutcome> outcomes = client.reportAll(tasks(1000), 16).await(30, TimeUnit.SECONDS);

    assertEquals(1, transport.sent().size(), "requests sent");
    assertEquals(1000, outcomes.size());
    assertEquals(ReportOutcome.Status.REFUSED, outcomes.get(0).status());
    for (ReportOutcome outcome : outcomes.subList(1, 1000)) {
      assertEquals(ReportOutcome.Status.ON_HOLD, outcome.status(), outcome.toString());
      AccountOnHoldException held =
          assertInstanceOf(AccountOnHoldException.class, outcome.failure());
      assertEquals(ApiErrorCode.ERROR_KEY_DOES_NOT_EXIST, held.hold().errorCode());
      assertEquals(0, outcome.attempts());
      assertTrue(held.isRetryable());
    }
    assertEquals(1, events.started.size(), "the listener heard the hold start once");
  }

  @Test
  void aZeroBalanceAnsweredWith402HoldsToo() throws Exception {
    transport.otherwise(Answers.refusal(402, "ERROR_ZERO_BALANCE"));
    CapReportClient client = client(guard().build(), TestPolicies.FAST);
    List<ReportOutcome> outcomes = client.reportAll(tasks(1000), 16).await(30, TimeUnit.SECONDS);

    assertEquals(1, transport.sent().size());
    long held = outcomes.stream().filter(o -> o.status() == ReportOutcome.Status.ON_HOLD).count();
    assertEquals(999, held);
  }

  @Test
  void whileOnHoldEveryCallFailsAtOnceAndSaysUntilWhen() throws Exception {
    transport.then(Answers.refusal(200, "ERROR_IP_BLOCKED")).otherwise(Answers.success());
    AccountGuard guard = guard().holdFor(10, TimeUnit.MINUTES).build();
    CapReportClient client = client(guard, RetryPolicy.none());
    assertThrows(ReportRefusedException.class, () -> client.reportImage(1));

    AccountOnHoldException blocking =
        assertThrows(AccountOnHoldException.class, () -> client.reportImage(2));
    ExecutionException async =
        assertThrows(
            ExecutionException.class,
            () -> client.reportAsync(ReportEndpoint.TOKEN_CAPTCHA, 3).get(10, TimeUnit.SECONDS));
    assertInstanceOf(AccountOnHoldException.class, async.getCause());

    assertEquals(1, transport.sent().size(), "nothing sent while on hold");
    assertEquals(TimeUnit.MINUTES.toMillis(10), blocking.retryAfterMillis());
    assertEquals(clock.millis + TimeUnit.MINUTES.toMillis(10), blocking.hold().resumesAtMillis());
    assertTrue(blocking.getMessage().contains("ERROR_IP_BLOCKED"), blocking.getMessage());
    assertTrue(blocking.getMessage().contains("resumes in 600 s"), blocking.getMessage());
    assertFalse(blocking.getMessage().contains(KEY));
    assertNotNull(guard.hold());
  }

  @Test
  void theHoldEndsWhenItsTimeIsUpAndTheListenerHearsIt() throws Exception {
    transport.then(Answers.refusal(200, "ERROR_KEY_DOES_NOT_EXIST")).otherwise(Answers.success());
    AccountGuard guard = guard().holdFor(1, TimeUnit.MINUTES).build();
    CapReportClient client = client(guard, RetryPolicy.none());
    assertThrows(ReportRefusedException.class, () -> client.reportImage(1));
    clock.advance(59, TimeUnit.SECONDS);
    assertThrows(AccountOnHoldException.class, () -> client.reportImage(2));

    clock.advance(1, TimeUnit.SECONDS);
    assertEquals(1, client.reportImage(2).attempts());
    assertNull(guard.hold());
    assertEquals(1, events.started.size());
    assertEquals(1, events.ended.size());
    assertEquals(2, transport.sent().size());
  }

  @Test
  void liftEndsTheHoldAtOnce() {
    transport.then(Answers.refusal(200, "ERROR_ZERO_BALANCE")).otherwise(Answers.success());
    AccountGuard guard = guard().build();
    CapReportClient client = client(guard, RetryPolicy.none());
    assertThrows(ReportRefusedException.class, () -> client.reportImage(1));
    assertNotNull(guard.hold());

    guard.lift();
    assertNull(guard.hold());
    assertEquals(1, events.ended.size());
    assertEquals(1, client.reportImage(2).attempts());
  }

  @Test
  void clientsThatShareAGuardShareItsHold() {
    transport.otherwise(Answers.refusal(200, "ERROR_KEY_DOES_NOT_EXIST"));
    AccountGuard shared = guard().build();
    CapReportClient first = client(shared, RetryPolicy.none());
    CapReportClient second = client(shared, RetryPolicy.none());
    assertThrows(ReportRefusedException.class, () -> first.reportImage(1));
    assertThrows(AccountOnHoldException.class, () -> second.reportImage(2));
    assertEquals(1, transport.sent().size());
  }

  @Test
  void aTaskLevelRefusalHoldsNothing() {
    transport.then(Answers.refusal(200, "ERROR_NO_SUCH_CAPCHA_ID")).otherwise(Answers.success());
    AccountGuard guard = guard().build();
    CapReportClient client = client(guard, RetryPolicy.none());
    assertThrows(ReportRefusedException.class, () -> client.reportImage(1));
    assertNull(guard.hold());
    assertEquals(1, client.reportImage(2).attempts());
  }

  @Test
  void aHoldOfZeroTurnsTheHoldOff() {
    transport.otherwise(Answers.refusal(200, "ERROR_KEY_DOES_NOT_EXIST"));
    CapReportClient client =
        client(guard().holdFor(0, TimeUnit.SECONDS).build(), RetryPolicy.none());
    assertThrows(ReportRefusedException.class, () -> client.reportImage(1));
    assertThrows(ReportRefusedException.class, () -> client.reportImage(2));
    assertEquals(2, transport.sent().size());
  }

  // ---- the slow start ----

  @Test
  void aBulkReportSendsOneAtATimeUntilTheApiAnswers() throws Exception {
    transport.otherwise(ScriptedTransport.fail(new ConnectException("refused")));
    CapReportClient client = client(guard().build(), RetryPolicy.none());
    List<ReportOutcome> outcomes = client.reportAll(tasks(40), 8).await(30, TimeUnit.SECONDS);
    assertEquals(40, transport.sent().size());
    assertEquals(1, transport.maxInFlight(), "no answer from the API, so never more than one");
    for (ReportOutcome outcome : outcomes) {
      assertEquals(ReportOutcome.Status.FAILED, outcome.status());
    }
  }

  @Test
  void aBulkReportOpensToItsConcurrencyOnceTheApiHasAnswered() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    transport.answering(
        request ->
            request.taskId() == 1
                ? Answers.success()
                : ScriptedTransport.gated(gate, Answers.success()));
    CapReportClient client = client(guard().build(), RetryPolicy.none());
    BulkReport bulk = client.reportAll(tasks(40), 8);
    assertTrue(transport.awaitExecutions(1 + 8), "8 in flight after the first answer");
    gate.countDown();
    List<ReportOutcome> outcomes = bulk.await(30, TimeUnit.SECONDS);
    assertEquals(8, transport.maxInFlight());
    for (ReportOutcome outcome : outcomes) {
      assertEquals(ReportOutcome.Status.ACCEPTED, outcome.status());
    }
  }

  // ---- one report per task ----

  @Test
  void aSecondReportOfAnAcceptedTaskSendsNothing() throws Exception {
    transport.otherwise(Answers.success());
    CapReportClient client = client(guard().build(), RetryPolicy.none());
    assertFalse(client.reportImage(7).alreadyReported());

    ReportResult again = client.reportToken(7);
    assertTrue(again.alreadyReported());
    assertEquals(0, again.attempts());
    assertTrue(
        client.reportAsync(CaptchaKind.IMAGE, 7).get(10, TimeUnit.SECONDS).alreadyReported());
    List<ReportOutcome> bulk = client.reportAll(tasks(8), 4).await(10, TimeUnit.SECONDS);
    assertEquals(ReportOutcome.Status.ALREADY_REPORTED, bulk.get(6).status());
    assertEquals(ReportOutcome.Status.ACCEPTED, bulk.get(0).status());
    assertEquals(1 + 7, transport.sent().size(), "task 7 sent once");
  }

  @Test
  void aRefusedOrFailedTaskCanBeReportedAgain() {
    transport
        .then(Answers.refusal(200, "ERROR_NO_SLOT_AVAILABLE"))
        .then(ScriptedTransport.fail(new ConnectException("refused")))
        .otherwise(Answers.success());
    CapReportClient client = client(guard().clientWidePace(false).build(), RetryPolicy.none());
    assertThrows(ReportRefusedException.class, () -> client.reportImage(7));
    assertThrows(TransportFailureException.class, () -> client.reportImage(7));
    assertEquals(1, client.reportImage(7).attempts());
    assertEquals(3, transport.sent().size());
  }

  @Test
  void reportedTasksNoneSendsEveryReport() {
    transport.otherwise(Answers.success());
    CapReportClient client =
        client(guard().reportedTasks(ReportedTasks.NONE).build(), RetryPolicy.none());
    client.reportImage(7);
    assertFalse(client.reportImage(7).alreadyReported());
    assertEquals(2, transport.sent().size());
  }

  @Test
  void aStoreThatThrowsLosesNoReport() {
    transport.otherwise(Answers.success());
    ReportedTasks broken =
        new ReportedTasks() {
          @Override
          public boolean contains(long taskId) {
            throw new IllegalStateException("store down");
          }

          @Override
          public void add(long taskId) {
            throw new IllegalStateException("store down");
          }
        };
    CapReportClient client = client(guard().reportedTasks(broken).build(), RetryPolicy.none());
    assertEquals(1, client.reportImage(7).attempts());
  }

  // ---- what a failure says about delivery ----

  @Test
  void aRefusalAfterATimeoutSaysTheFirstReportMayHaveArrived() {
    transport
        .then(ScriptedTransport.fail(new SocketTimeoutException("read timed out")))
        .then(Answers.refusal(200, "ERROR_NO_SUCH_CAPCHA_ID"));
    CapReportClient client = client(guard().build(), TestPolicies.FAST);
    ReportRefusedException e =
        assertThrows(ReportRefusedException.class, () -> client.reportImage(7));
    assertTrue(e.mayHaveReachedServer());
    assertTrue(e.getMessage().contains("may mean that it arrived"), e.getMessage());
  }

  @Test
  void aRefusalAfterAFailedConnectSaysNothingArrived() {
    transport
        .then(ScriptedTransport.fail(new ConnectException("refused")))
        .then(Answers.refusal(200, "ERROR_NO_SUCH_CAPCHA_ID"));
    CapReportClient client = client(guard().build(), TestPolicies.FAST);
    ReportRefusedException e =
        assertThrows(ReportRefusedException.class, () -> client.reportImage(7));
    assertFalse(e.mayHaveReachedServer());
    assertFalse(e.getMessage().contains("may have reached"), e.getMessage());
  }

  @Test
  void aTimeoutItselfMayHaveArrivedAndTheOutcomeSaysSo() throws Exception {
    transport.otherwise(ScriptedTransport.fail(new SocketTimeoutException("read timed out")));
    CapReportClient client = client(guard().build(), RetryPolicy.none());
    ReportOutcome outcome = client.reportAll(tasks(1), 1).await(10, TimeUnit.SECONDS).get(0);
    assertTrue(outcome.mayHaveReachedServer());
  }

  // ---- the pace and the budget ----

  @Test
  void aThrottledAnswerHoldsBackTheNextReportOfTheClient() throws Exception {
    transport.then(Answers.refusal(200, "ERROR_TOO_MUCH_REQUESTS")).otherwise(Answers.success());
    AccountGuard guard = guard().build();
    CapReportClient client = client(guard, RetryPolicy.none());
    assertThrows(ReportRefusedException.class, () -> client.reportImage(1));
    // With no retries too: the wait a first retry would have had (RetryPolicy.none()'s javadoc).
    long paused = guard.pausedNanos();
    assertTrue(
        paused >= TimeUnit.MILLISECONDS.toNanos(250)
            && paused <= TimeUnit.MILLISECONDS.toNanos(500),
        "paused " + paused);

    java.util.concurrent.CompletableFuture<ReportResult> next =
        client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 2);
    assertEquals(1, transport.handed().size(), "held back while the clock stands still");
    clock.advance(1, TimeUnit.MINUTES);
    assertEquals(1, next.get(30, TimeUnit.SECONDS).attempts());
    assertEquals(2, transport.sent().size());
  }

  @Test
  void underAFullOutageRetriesStayWithinTheBudget() throws Exception {
    transport.otherwise(ScriptedTransport.fail(new ConnectException("refused")));
    CapReportClient client = client(AccountGuard.create(), TestPolicies.FAST);
    List<ReportOutcome> outcomes = client.reportAll(tasks(200), 16).await(30, TimeUnit.SECONDS);
    int sent = transport.sent().size();
    assertTrue(sent >= 200 && sent <= 1.2 * 200 + 10, "requests: " + sent);
    long spent =
        outcomes.stream()
            .filter(o -> o.failure() != null && o.failure().getMessage().contains("budget"))
            .count();
    assertTrue(spent > 0, "some failures say the budget stopped their retry");
  }

  @Test
  void aBulkReportStaysWithinItsOwnBudgetAtAnyConcurrency() throws Exception {
    AccountGuard roomy =
        AccountGuard.builder().retryBudget(100_000, 100).clientWidePace(false).build();
    for (int concurrency : new int[] {1, 4, 16}) {
      // The first task is accepted, so that the bulk opens to its concurrency; then an outage.
      transport
          .then(Answers.success())
          .otherwise(ScriptedTransport.fail(new ConnectException("x")));
      int before = transport.sent().size();
      List<ReportTask> tasks = new ArrayList<>();
      for (long id = 1; id <= 200; id++) {
        tasks.add(ReportTask.of(ReportEndpoint.IMAGE_CAPTCHA, concurrency * 1000 + id));
      }
      client(roomy, TestPolicies.FAST).reportAll(tasks, concurrency).await(30, TimeUnit.SECONDS);
      int sent = transport.sent().size() - before;
      assertTrue(sent <= 1.2 * 200 + concurrency, "concurrency " + concurrency + ": " + sent);
      assertTrue(sent > 200, "some retries were made");
    }
  }

  @Test
  void withoutABudgetEveryAttemptIsMade() throws Exception {
    transport.otherwise(ScriptedTransport.fail(new ConnectException("refused")));
    CapReportClient client =
        client(AccountGuard.builder().noRetryBudget().build(), TestPolicies.FAST);
    client.reportAll(tasks(50), 16).await(30, TimeUnit.SECONDS);
    assertEquals(150, transport.sent().size());
  }

  @Test
  void theBudgetRefillsFromFirstAttemptsAndNeverRefusesThem() {
    AccountGuard guard = AccountGuard.builder().retryBudget(1, 50).build();
    assertTrue(guard.tryRetry());
    assertFalse(guard.tryRetry(), "the burst is spent");
    guard.firstAttempt();
    assertFalse(guard.tryRetry(), "half a retry earned");
    guard.firstAttempt();
    assertTrue(guard.tryRetry());
  }

  @Test
  void theRateLimitSpacesRequestsOnTheClockAndReservesNothing() {
    AccountGuard guard = guard().maxRequestsPerSecond(4).build();
    assertEquals(0, guard.tryRequest());
    assertEquals(TimeUnit.MILLISECONDS.toNanos(250), guard.tryRequest());
    assertEquals(TimeUnit.MILLISECONDS.toNanos(250), guard.tryRequest(), "asking took no slot");
    clock.advance(250, TimeUnit.MILLISECONDS);
    assertEquals(0, guard.tryRequest());
    clock.advance(2, TimeUnit.SECONDS);
    assertEquals(0, guard.tryRequest());
  }

  @Test
  void theRateLimitDelaysReportsWithoutLosingAny() throws Exception {
    transport.otherwise(Answers.success());
    CapReportClient client =
        client(AccountGuard.builder().maxRequestsPerSecond(200).build(), RetryPolicy.none());
    List<ReportOutcome> outcomes = client.reportAll(tasks(50), 8).await(30, TimeUnit.SECONDS);
    for (ReportOutcome outcome : outcomes) {
      assertEquals(ReportOutcome.Status.ACCEPTED, outcome.status());
    }
    assertEquals(50, transport.sent().size());
  }

  @Test
  void aBuilderRefusesNonsense() {
    assertThrows(
        IllegalArgumentException.class, () -> AccountGuard.builder().holdFor(-1, TimeUnit.SECONDS));
    assertThrows(IllegalArgumentException.class, () -> AccountGuard.builder().retryBudget(1, 101));
    assertThrows(IllegalArgumentException.class, () -> AccountGuard.builder().retryBudget(0, 20));
    assertThrows(
        IllegalArgumentException.class, () -> AccountGuard.builder().maxRequestsPerSecond(1e-12));
    assertThrows(
        IllegalArgumentException.class, () -> AccountGuard.builder().maxRequestsPerSecond(-1));
    assertThrows(
        IllegalArgumentException.class,
        () -> AccountGuard.builder().maxRequestsPerSecond(Double.NaN));
  }

  // ---- found in review ----

  @Test
  void aLongRetryAfterPausesTheClientNoLongerThanARetrysDeadline() {
    transport.then(Answers.notJson(429, "<html>slow down</html>").retryAfter("3600"));
    AccountGuard guard = guard().build();
    RetryPolicy policy = RetryPolicy.builder().deadline(2, TimeUnit.SECONDS).build();
    CapReportClient client = client(guard, policy);
    assertThrows(UnexpectedResponseException.class, () -> client.reportImage(1));
    assertTrue(guard.pausedNanos() > 0);
    assertTrue(guard.pausedNanos() <= TimeUnit.SECONDS.toNanos(2), "paused " + guard.pausedNanos());
  }

  @Test
  void reportsWaitingForAConnectionAreNotSentOnceTheHoldStarts() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    transport
        .then(ScriptedTransport.gated(gate, Answers.refusal(200, "ERROR_KEY_DOES_NOT_EXIST")))
        .otherwise(Answers.refusal(200, "ERROR_KEY_DOES_NOT_EXIST"));
    CapReportClient client =
        CapReportClient.builder()
            .clientKey(KEY)
            .transport(transport)
            .retryPolicy(RetryPolicy.none())
            .maxConnections(1)
            .build();
    clients.add(client);
    CompletableFuture<ReportResult> first = client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 1);
    assertTrue(transport.awaitExecutions(1));
    List<CompletableFuture<ReportResult>> queued = new ArrayList<>();
    for (long id = 2; id <= 6; id++) {
      queued.add(client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, id)); // past the preflight
    }
    gate.countDown();
    assertInstanceOf(ReportRefusedException.class, failureOf(first));
    for (CompletableFuture<ReportResult> report : queued) {
      assertInstanceOf(AccountOnHoldException.class, failureOf(report));
    }
    assertEquals(1, transport.sent().size(), "requests sent with a wrong key");
  }

  private static Throwable failureOf(Future<?> future) {
    return assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS))
        .getCause();
  }

  @Test
  void aListenerSharedByTwoClientsHearsAHoldOnce() {
    transport.otherwise(Answers.refusal(200, "ERROR_KEY_DOES_NOT_EXIST"));
    AccountGuard shared = guard().build();
    CapReportClient first = client(shared, RetryPolicy.none());
    CapReportClient second = client(shared, RetryPolicy.none());
    assertThrows(ReportRefusedException.class, () -> first.reportImage(1));
    assertEquals(1, events.started.size());
    second.close();
    shared.lift();
    assertEquals(1, events.ended.size(), "still registered by the first client");
  }

  @Test
  void afterAPauseTheRateLimitStillSpacesRequests() throws Exception {
    transport.then(Answers.notJson(429, "<html>slow down</html>").retryAfter("3"));
    transport.otherwise(Answers.success());
    AccountGuard guard = guard().maxRequestsPerSecond(2).build();
    CapReportClient client = client(guard, RetryPolicy.none());
    assertThrows(UnexpectedResponseException.class, () -> client.reportImage(1));
    List<CompletableFuture<ReportResult>> next = new ArrayList<>();
    for (long id = 2; id <= 4; id++) {
      next.add(client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, id));
    }
    clock.advance(5, TimeUnit.SECONDS); // the pause is over: one slot is free, not three
    awaitSent(2);
    clock.advance(500, TimeUnit.MILLISECONDS);
    awaitSent(3);
    clock.advance(500, TimeUnit.MILLISECONDS);
    awaitSent(4);
    for (CompletableFuture<ReportResult> report : next) {
      assertEquals(1, report.get(10, TimeUnit.SECONDS).attempts());
    }
  }

  /** Waits for the n-th request, then checks that no other went with it. */
  private void awaitSent(int n) throws InterruptedException {
    for (int i = 0; i < 400 && transport.sent().size() < n; i++) {
      Thread.sleep(25);
    }
    Thread.sleep(100); // a report that got past the limit would be sent by now
    assertEquals(n, transport.sent().size());
  }

  @Test
  void aClosedClientHoldsNoRateLimitSlotForAnother() throws Exception {
    transport.otherwise(Answers.success());
    AccountGuard shared = guard().maxRequestsPerSecond(1).build();
    CapReportClient first = client(shared, RetryPolicy.none());
    for (long id = 1; id <= 30; id++) {
      first.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, id);
    }
    awaitSent(1);
    first.close();
    clock.advance(1, TimeUnit.SECONDS);
    assertEquals(0, shared.tryRequest(), "the next slot is free");
  }

  @Test
  void anErrorFromTheStoreLosesNoReport() throws Exception {
    transport.otherwise(Answers.success());
    ReportedTasks broken =
        new ReportedTasks() {
          @Override
          public boolean contains(long taskId) {
            throw new AssertionError("store bug");
          }

          @Override
          public void add(long taskId) {
            throw new AssertionError("store bug");
          }
        };
    CapReportClient client = client(guard().reportedTasks(broken).build(), RetryPolicy.none());
    assertEquals(
        1,
        client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 7).get(10, TimeUnit.SECONDS).attempts());
  }

  @Test
  void anOnHoldFailureAfterATimeoutDoesNotSayNothingArrived() throws Exception {
    CountDownLatch retrying = new CountDownLatch(1);
    transport.then(ScriptedTransport.fail(new SocketTimeoutException("read timed out")));
    transport.otherwise(Answers.refusal(200, "ERROR_KEY_DOES_NOT_EXIST"));
    RetryPolicy slow =
        RetryPolicy.builder()
            .initialDelay(1, TimeUnit.SECONDS)
            .maxDelay(1, TimeUnit.SECONDS)
            .build();
    CapReportClient client =
        CapReportClient.builder()
            .clientKey(KEY)
            .transport(transport)
            .retryPolicy(slow)
            .accountGuard(guard().build())
            .listener(
                new ReportListener() {
                  @Override
                  public void retryScheduled(
                      ReportEndpoint e, long id, int f, long d, CapReportException x) {
                    retrying.countDown();
                  }
                })
            .build();
    clients.add(client);
    CompletableFuture<ReportResult> first = client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 7);
    assertTrue(retrying.await(10, TimeUnit.SECONDS));
    assertThrows(ReportRefusedException.class, () -> client.reportImage(8)); // the hold starts
    AccountOnHoldException held = assertInstanceOf(AccountOnHoldException.class, failureOf(first));
    assertTrue(held.mayHaveReachedServer());
    assertEquals(1, held.attempts());
    assertFalse(held.getMessage().contains("did not reach the server"), held.getMessage());
    assertTrue(held.getMessage().contains("not sent again"), held.getMessage());
  }

  @Test
  void aBulkBudgetRefusalSaysWhoseBudget() throws Exception {
    transport.then(Answers.success()).otherwise(ScriptedTransport.fail(new ConnectException("x")));
    AccountGuard roomy =
        AccountGuard.builder().retryBudget(100_000, 100).clientWidePace(false).build();
    List<ReportOutcome> outcomes =
        client(roomy, TestPolicies.FAST).reportAll(tasks(100), 4).await(30, TimeUnit.SECONDS);
    assertTrue(
        outcomes.stream()
            .anyMatch(
                o ->
                    o.failure() != null
                        && o.failure().getMessage().contains("the bulk report's retry budget")),
        "a failure names the bulk's budget");
  }

  @Test
  void aHeldTaskOfACancelledBulkStillSaysOnHold() throws Exception {
    transport.otherwise(Answers.refusal(200, "ERROR_KEY_DOES_NOT_EXIST"));
    CapReportClient client = client(guard().build(), RetryPolicy.none());
    assertThrows(ReportRefusedException.class, () -> client.reportImage(1));
    BulkReport bulk = client.reportAll(tasks(5), 2);
    bulk.cancel();
    for (ReportOutcome outcome : bulk.await(10, TimeUnit.SECONDS)) {
      assertTrue(
          outcome.status() == ReportOutcome.Status.ON_HOLD
              || outcome.status() == ReportOutcome.Status.CANCELLED && outcome.failure() == null,
          outcome.toString());
    }
  }

  /** A clock that moves only when told. */
  static final class ManualClock extends Clock {
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    long millis = 1_700_000_000_000L;

    void advance(long amount, TimeUnit unit) {
      nanos.addAndGet(unit.toNanos(amount));
      millis += unit.toMillis(amount);
    }

    @Override
    public long nanoTime() {
      return nanos.get();
    }

    @Override
    public long currentTimeMillis() {
      return millis;
    }
  }

  /** What the listener heard of holds. */
  static final class Events extends ReportListener {
    final List<AccountHold> started = new CopyOnWriteArrayList<>();
    final List<AccountHold> ended = new CopyOnWriteArrayList<>();

    @Override
    public void accountHoldStarted(AccountHold hold) {
      started.add(hold);
    }

    @Override
    public void accountHoldEnded(AccountHold hold) {
      ended.add(hold);
    }
  }
}
