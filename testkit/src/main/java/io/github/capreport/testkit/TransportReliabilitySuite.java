package io.github.capreport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.capreport.AccountGuard;
import io.github.capreport.AccountHold;
import io.github.capreport.ApiErrorCode;
import io.github.capreport.BulkReport;
import io.github.capreport.CapReportClient;
import io.github.capreport.CapReportException;
import io.github.capreport.ReportEndpoint;
import io.github.capreport.ReportOutcome;
import io.github.capreport.ReportRefusedException;
import io.github.capreport.ReportResult;
import io.github.capreport.ReportTask;
import io.github.capreport.RetryPolicy;
import io.github.capreport.TransportFailureException;
import io.github.capreport.UnexpectedResponseException;
import io.github.capreport.spi.Transport;
import io.github.capreport.testkit.RecordingListener.Event;
import io.github.capreport.testkit.RecordingListener.Type;
import io.github.capreport.testkit.TransportConformanceSuite.Call;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The second suite every {@link Transport} passes, next to {@link TransportConformanceSuite}: the
 * client's promises under failure, proved over real HTTP against the {@link CapMonsterEmulator}.
 *
 * <ul>
 *   <li>each retry rule: what is retried ends accepted after exactly two requests, what is never
 *       retried reaches the server once, exhausted attempts end with the whole history;
 *   <li>asynchronous retries never run on the caller's thread; an interrupt during a backoff ends
 *       the report at once;
 *   <li>bulk: 10,000 reports, with and without faults in one request of ten: every task ends with
 *       an outcome that agrees with what the server answered;
 *   <li>resources: after {@code close()}, the library's threads are gone and the server holds no
 *       open connection, also after a storm of timeouts;
 *   <li>TLS: an untrusted certificate is refused before any request, a certificate for another host
 *       name too, and trust given by the user works.
 * </ul>
 *
 * <pre>{@code
 * class JdkTransportReliabilityTest extends TransportReliabilitySuite {
 *   @Override
 *   protected TransportProvider provider() {
 *     return new JdkTransportProvider();
 *   }
 * }
 * }</pre>
 *
 * As in the conformance suite, no case asserts on elapsed time, and after each case everything it
 * produced (results, failures with their causes and suppressed failures, listener events, bulk
 * outcomes) is checked for the client key.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class TransportReliabilitySuite extends ClientSuiteHarness {
  /** The request timeout of clients that must time out: short, so that the cases are quick. */
  protected static final long SHORT_TIMEOUT_MILLIS = 300;

  /**
   * The request timeout of a client whose first attempt must time out and whose retry must not: the
   * retry is answered at once, but on a loaded machine "at once" has taken more than 300 ms.
   */
  private static final long RETRIED_TIMEOUT_MILLIS = 2_000;

  /** The request timeout of the other clients: long, so that a loaded machine fails no case. */
  private static final long LONG_TIMEOUT_MILLIS = 10_000;

  /** Every wait for an outcome is bounded by this. */
  private static final long WAIT_SECONDS = 30;

  /** How many tasks a bulk case reports. */
  protected static final int BULK_TASKS = 10_000;

  /** How many bulk reports are in flight at once. */
  protected static final int BULK_CONCURRENCY = 64;

  /** Prefix of every thread the library and its transports make. */
  protected static final String THREAD_PREFIX = "capreport-";

  /** Retries quick enough for tests: 3 attempts, 1 to 5 ms apart. */
  protected static final RetryPolicy FAST_RETRIES =
      RetryPolicy.builder()
          .maxAttempts(3)
          .initialDelay(1, TimeUnit.MILLISECONDS)
          .maxDelay(5, TimeUnit.MILLISECONDS)
          .build();

  public TransportReliabilitySuite() {
    super(
        CapMonsterEmulator.builder().clientKey(CLIENT_KEY).taskIds(TASK_ID),
        LONG_TIMEOUT_MILLIS,
        WAIT_SECONDS);
  }

  /**
   * A transport built on the transport's own HTTP client, configured by the user to trust only
   * {@code trust}, with the given request timeout: for {@link
   * #trustsACertificateGivenThroughTheTransportsOwnClient}. Null (the default) skips that case.
   */
  protected Transport transportWithOwnClientTrusting(SSLContext trust, long requestTimeoutMillis) {
    return null;
  }

  // ---- what is retried ----

  /** Failures a retry can cure, each of which the emulator plays once. */
  public enum Transient {
    DROPPED_CONNECTION,
    TIMEOUT,
    HTML_503,
    HTML_502,
    NO_SLOT_AVAILABLE,
    TOO_MUCH_REQUESTS
  }

  static Stream<Arguments> transientsAndCalls() {
    return withEachCall((Object[]) Transient.values());
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("io.github.capreport.testkit.TransportReliabilitySuite#transientsAndCalls")
  public void retriesATransientFailureOnceThenSucceeds(Transient failure, Call call) {
    NextRequests next = emulator().nextRequest();
    long timeout = LONG_TIMEOUT_MILLIS;
    Class<? extends CapReportException> expected;
    switch (failure) {
      case DROPPED_CONNECTION:
        next.closeConnection();
        expected = TransportFailureException.class;
        break;
      case TIMEOUT:
        next.neverAnswer();
        timeout = RETRIED_TIMEOUT_MILLIS;
        expected = TransportFailureException.class;
        break;
      case HTML_503:
        next.respond(503, "text/html", "<html><h1>503 Service Unavailable</h1></html>");
        expected = UnexpectedResponseException.class;
        break;
      case HTML_502:
        next.respond(502, "text/html", "<html><h1>502 Bad Gateway</h1></html>");
        expected = UnexpectedResponseException.class;
        break;
      case NO_SLOT_AVAILABLE:
        next.respondJson(200, "{\"errorId\":2,\"errorCode\":\"ERROR_NO_SLOT_AVAILABLE\"}");
        expected = ReportRefusedException.class;
        break;
      default:
        next.respondJson(200, "{\"errorId\":3,\"errorCode\":\"ERROR_TOO_MUCH_REQUESTS\"}");
        expected = ReportRefusedException.class;
        break;
    }
    CapReportClient client = client(builder(timeout).retryPolicy(FAST_RETRIES));
    ReportResult result = report(client, call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID).accepted();

    List<Event> retries = listener.events(Type.RETRY_SCHEDULED);
    assertEquals(2, result.attempts(), "attempts; retries scheduled: " + retries);
    assertEquals(2, emulator().count(TASK_ID), "requests that reached the server");
    assertEquals(1, retries.size(), "retries scheduled: " + retries);
    assertEquals(1, retries.get(0).attempt, "the failed attempt");
    assertTrue(
        expected.isInstance(retries.get(0).failure),
        "the first attempt failed with " + retries.get(0).failure);
    if (failure == Transient.TIMEOUT) {
      assertEquals(
          TransportFailureException.Kind.TIMEOUT,
          ((TransportFailureException) retries.get(0).failure).kind());
    }
    assertFinishedOnce(2, true);
  }

  @ParameterizedTest
  @EnumSource(Call.class)
  public void waitsTheRetryAfterOfA429(Call call) {
    Map<String, String> headers = Collections.singletonMap("Retry-After", "1");
    emulator().nextRequest().respond(429, "text/html", "<html>Too Many Requests</html>", headers);
    CapReportClient client = client(builder(LONG_TIMEOUT_MILLIS).retryPolicy(FAST_RETRIES));
    ReportResult result = report(client, call, ReportEndpoint.TOKEN_CAPTCHA, TASK_ID).accepted();

    assertEquals(2, result.attempts());
    assertEquals(2, emulator().count(TASK_ID));
    List<Event> retries = listener.events(Type.RETRY_SCHEDULED);
    assertEquals(1, retries.size(), retries.toString());
    // The policy alone would wait at most 1 ms; the server asked for a second.
    assertTrue(retries.get(0).delayMillis >= 1_000, "delay " + retries.get(0).delayMillis + " ms");
    UnexpectedResponseException first = (UnexpectedResponseException) retries.get(0).failure;
    assertEquals(429, first.httpStatus());
    assertEquals(1_000, first.retryAfterMillis());
  }

  // ---- what is never retried ----

  /** Answers a retry cannot cure: each must reach the server once. */
  public enum Permanent {
    ERROR_KEY_DOES_NOT_EXIST,
    ERROR_NO_SUCH_CAPCHA_ID,
    WRONG_CAPTCHA_ID,
    ERROR_ZERO_BALANCE,
    ERROR_IP_NOT_ALLOWED,
    ERROR_IP_BANNED,
    ERROR_IP_BLOCKED,
    AN_UNKNOWN_CODE,
    HTML_400,
    REDIRECT
  }

  static Stream<Arguments> permanentsAndCalls() {
    return withEachCall((Object[]) Permanent.values());
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("io.github.capreport.testkit.TransportReliabilitySuite#permanentsAndCalls")
  public void neverRetriesWhatARetryCannotCure(Permanent answer, Call call) {
    NextRequests next = emulator().nextRequest();
    switch (answer) {
      case HTML_400:
        next.respond(400, "text/html", "<html><h1>400 Bad Request</h1></html>");
        break;
      case REDIRECT:
        next.redirect(302, emulator().baseUrl() + ReportEndpoint.IMAGE_CAPTCHA.path());
        break;
      case AN_UNKNOWN_CODE:
        next.respondJson(200, "{\"errorId\":99,\"errorCode\":\"ERROR_NEVER_SEEN_BEFORE\"}");
        break;
      default:
        next.respondJson(200, "{\"errorId\":1,\"errorCode\":\"" + answer.name() + "\"}");
        break;
    }
    CapReportClient client = client(builder(LONG_TIMEOUT_MILLIS).retryPolicy(FAST_RETRIES));
    Outcome outcome = report(client, call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID);

    assertEquals(1, emulator().requestCount(), "requests that reached the server");
    CapReportException e = outcome.failedWith(CapReportException.class);
    assertFalse(e.isRetryable(), "retryable: " + e);
    assertEquals(1, e.attempts(), "attempts");
    assertEquals(0, e.getSuppressed().length, "earlier failures");
    assertEquals(0, listener.events(Type.RETRY_SCHEDULED).size(), "retries scheduled");
    switch (answer) {
      case HTML_400:
        assertEquals(400, outcome.failedWith(UnexpectedResponseException.class).httpStatus());
        break;
      case REDIRECT:
        assertEquals(302, outcome.failedWith(UnexpectedResponseException.class).httpStatus());
        break;
      case AN_UNKNOWN_CODE:
        assertEquals(
            ApiErrorCode.UNKNOWN, outcome.failedWith(ReportRefusedException.class).errorCode());
        break;
      case WRONG_CAPTCHA_ID:
        assertEquals(
            ApiErrorCode.ERROR_NO_SUCH_CAPCHA_ID,
            outcome.failedWith(ReportRefusedException.class).errorCode());
        break;
      default:
        assertEquals(
            ApiErrorCode.valueOf(answer.name()),
            outcome.failedWith(ReportRefusedException.class).errorCode());
        break;
    }
    assertFinishedOnce(1, false);
  }

  // ---- attempts run out ----

  @ParameterizedTest
  @EnumSource(Call.class)
  public void endsWithTheWholeHistoryWhenAttemptsRunOut(Call call) {
    emulator().nextRequests(3).respond(503, "text/html", "<html>Service Unavailable</html>");
    CapReportClient client = client(builder(LONG_TIMEOUT_MILLIS).retryPolicy(FAST_RETRIES));
    UnexpectedResponseException e =
        report(client, call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID)
            .failedWith(UnexpectedResponseException.class);

    assertEquals(3, emulator().count(TASK_ID), "requests that reached the server");
    assertEquals(3, e.attempts(), "attempts");
    assertEquals(503, e.httpStatus());
    Throwable[] earlier = e.getSuppressed();
    assertEquals(2, earlier.length, "earlier failures");
    for (Throwable each : earlier) {
      assertTrue(each instanceof UnexpectedResponseException, String.valueOf(each));
      assertEquals(503, ((UnexpectedResponseException) each).httpStatus());
    }
    assertEquals(2, listener.events(Type.RETRY_SCHEDULED).size());
    assertFinishedOnce(3, false);
  }

  @ParameterizedTest
  @EnumSource(Call.class)
  public void retriesARefusedConnectionUntilAttemptsRunOut(Call call) throws IOException {
    CapReportClient client =
        client(
            builder(LONG_TIMEOUT_MILLIS)
                .baseUrl("http://127.0.0.1:" + closedPort())
                .retryPolicy(FAST_RETRIES));
    TransportFailureException e =
        report(client, call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID)
            .failedWith(TransportFailureException.class);
    assertEquals(TransportFailureException.Kind.CONNECT, e.kind());
    assertEquals(3, e.attempts());
    assertEquals(2, e.getSuppressed().length);
    for (Throwable each : e.getSuppressed()) {
      assertEquals(
          TransportFailureException.Kind.CONNECT, ((TransportFailureException) each).kind());
    }
  }

  // ---- whose thread waits ----

  /**
   * An asynchronous report returns before its retry; the retry runs on the client's scheduler or a
   * transport thread, never on the caller's.
   */
  @ParameterizedTest
  @EnumSource(
      value = Call.class,
      names = {"FUTURE", "CALLBACK"})
  public void retriesAnAsynchronousReportOffTheCallersThread(Call call) throws Exception {
    emulator().nextRequest().respond(503, "text/html", "<html>Service Unavailable</html>");
    final Thread caller = Thread.currentThread();
    final AtomicBoolean returned = new AtomicBoolean();
    final List<String> violations = Collections.synchronizedList(new ArrayList<String>());
    final List<String> retryThreads = Collections.synchronizedList(new ArrayList<String>());
    RecordingListener threads =
        new RecordingListener(this::remember) {
          @Override
          public void attemptStarted(ReportEndpoint endpoint, long taskId, int attempt) {
            super.attemptStarted(endpoint, taskId, attempt);
            if (attempt > 1) {
              retryThreads.add(Thread.currentThread().getName());
              if (Thread.currentThread() == caller) {
                violations.add("retry " + attempt + " ran on the caller's thread");
              }
              if (!returned.get()) {
                violations.add("retry " + attempt + " started before reportAsync returned");
              }
            }
          }
        };
    CapReportClient client =
        client(builder(LONG_TIMEOUT_MILLIS).retryPolicy(FAST_RETRIES).listener(threads));
    ReportResult result;
    if (call == Call.FUTURE) {
      CompletableFuture<ReportResult> future =
          client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID);
      returned.set(true);
      result = remember(future.get(WAIT_SECONDS, TimeUnit.SECONDS));
    } else {
      CompletableFuture<Outcome> done = new CompletableFuture<>();
      client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID, callback(done, returned));
      returned.set(true);
      result = awaitCallback(done).accepted();
    }
    assertEquals(2, result.attempts());
    assertTrue(violations.isEmpty(), violations.toString());
    assertEquals(1, retryThreads.size(), retryThreads.toString());
    String thread = retryThreads.get(0);
    assertTrue(thread.startsWith(THREAD_PREFIX), "the retry ran on " + thread);
  }

  /** The backoff of a blocking report ends at an interrupt, with the interrupt status kept. */
  @Test
  public void endsABlockingReportInterruptedDuringItsBackoff() throws Exception {
    Map<String, String> headers = Collections.singletonMap("Retry-After", "30");
    emulator().nextRequest().respond(503, "text/html", "<html>busy</html>", headers);
    final CompletableFuture<Thread> backingOff = new CompletableFuture<>();
    RecordingListener waiting =
        new RecordingListener(this::remember) {
          @Override
          public void retryScheduled(
              ReportEndpoint endpoint,
              long taskId,
              int failedAttempt,
              long delayMillis,
              CapReportException failure) {
            super.retryScheduled(endpoint, taskId, failedAttempt, delayMillis, failure);
            // A blocking report waits out its backoff on its own thread: this one.
            backingOff.complete(Thread.currentThread());
          }
        };
    RetryPolicy patient =
        RetryPolicy.builder()
            .maxAttempts(3)
            .initialDelay(1, TimeUnit.MILLISECONDS)
            .maxDelay(5, TimeUnit.MILLISECONDS)
            .deadline(5, TimeUnit.MINUTES)
            .build();
    final CapReportClient client =
        client(builder(LONG_TIMEOUT_MILLIS).retryPolicy(patient).listener(waiting));
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try {
      Future<Object[]> outcome =
          thread.submit(
              () -> {
                try {
                  client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID);
                  return new Object[] {null, Thread.interrupted()};
                } catch (CapReportException e) {
                  return new Object[] {e, Thread.interrupted()};
                }
              });
      backingOff.get(WAIT_SECONDS, SECONDS).interrupt();
      // Bounded well below the 30 s the server asked for: the interrupt must end the wait.
      Object[] ended = outcome.get(15, SECONDS);
      assertNotNull(ended[0], "the report ended without a failure");
      TransportFailureException e = (TransportFailureException) remember(ended[0]);
      assertEquals(TransportFailureException.Kind.INTERRUPTED, e.kind());
      assertFalse(e.isRetryable());
      assertEquals(Boolean.TRUE, ended[1], "the interrupt status is kept");
      assertEquals(1, emulator().count(TASK_ID), "requests that reached the server");
      assertEquals(1, e.attempts(), "attempts sent");
      assertEquals(1, e.getSuppressed().length, "the 503 before the interrupt");
    } finally {
      thread.shutdownNow();
    }
  }

  // ---- bulk ----

  @Test
  public void bulkReportsTenThousandTasksEachExactlyOnce() throws Exception {
    emulator().acceptAnyTaskId(true);
    List<ReportTask> tasks = tasks(5_000_000);
    AtomicInteger progress = new AtomicInteger();
    BulkReport bulk =
        client(builder(LONG_TIMEOUT_MILLIS).retryPolicy(FAST_RETRIES))
            .reportAll(
                tasks, BULK_CONCURRENCY, (outcome, done, total) -> progress.incrementAndGet());
    List<ReportOutcome> outcomes = awaitBulk(bulk);

    assertEquals(BULK_TASKS, outcomes.size());
    assertEquals(BULK_TASKS, progress.get(), "progress events");
    Map<Long, List<RecordedRequest>> seen = requestsByTask();
    assertEquals(BULK_TASKS, emulator().requestCount(), "requests that reached the server");
    for (int i = 0; i < BULK_TASKS; i++) {
      ReportOutcome outcome = outcomes.get(i);
      ReportTask task = tasks.get(i);
      assertNotNull(outcome, "no outcome for " + task);
      assertEquals(task, outcome.task());
      assertEquals(ReportOutcome.Status.ACCEPTED, outcome.status(), String.valueOf(outcome));
      assertEquals(1, outcome.attempts());
      List<RecordedRequest> requests = seen.get(task.taskId());
      assertNotNull(requests, "the server never saw " + task);
      assertEquals(1, requests.size(), "requests for " + task);
      assertEquals(task.endpoint().path(), requests.get(0).path());
    }
  }

  /**
   * One request in ten fails (503 pages, dropped connections, answers cut off, {@code
   * ERROR_NO_SLOT_AVAILABLE}): every task still ends, and its outcome agrees with what the server
   * answered it, attempt by attempt.
   */
  @Test
  public void bulkReportsTenThousandTasksThroughFaultsLosingNone() throws Exception {
    emulator().acceptAnyTaskId(true);
    emulator()
        .faultEvery(
            10,
            Fault.SERVICE_UNAVAILABLE_HTML,
            Fault.CLOSE_CONNECTION,
            Fault.CLOSE_MID_ANSWER,
            Fault.NO_SLOT_AVAILABLE);
    List<ReportTask> tasks = tasks(6_000_000);
    List<ReportOutcome> outcomes =
        awaitBulk(
            client(builder(LONG_TIMEOUT_MILLIS).retryPolicy(FAST_RETRIES))
                .reportAll(tasks, BULK_CONCURRENCY, (outcome, done, total) -> remember(outcome)));

    assertEquals(BULK_TASKS, outcomes.size());
    Map<Long, List<RecordedRequest>> seen = requestsByTask();
    assertTrue(emulator().faultsInjected() > 0, "faults injected");
    int accepted = 0;
    int retried = 0;
    for (int i = 0; i < BULK_TASKS; i++) {
      ReportOutcome outcome = outcomes.get(i);
      ReportTask task = tasks.get(i);
      assertNotNull(outcome, "no outcome for " + task);
      assertEquals(task, outcome.task());
      List<RecordedRequest> requests = seen.get(task.taskId());
      assertNotNull(requests, "the server never saw " + task);
      String history = task + ": " + outcome + ", the server saw " + requests;
      assertEquals(requests.size(), outcome.attempts(), "attempts of " + history);
      for (int r = 0; r < requests.size() - 1; r++) {
        assertNotNull(requests.get(r).fault(), "an attempt before the last succeeded: " + history);
      }
      RecordedRequest last = requests.get(requests.size() - 1);
      if (outcome.status() == ReportOutcome.Status.ACCEPTED) {
        accepted++;
        assertNull(last.fault(), "accepted, but the server's last answer was a fault: " + history);
      } else {
        // Not accepted: then the server never answered success, and the failure says why each
        // attempt failed.
        assertTrue(
            outcome.status() == ReportOutcome.Status.FAILED
                || outcome.status() == ReportOutcome.Status.REFUSED,
            history);
        assertNotNull(last.fault(), "the server answered success, the client failed: " + history);
        CapReportException failure = outcome.failure();
        assertNotNull(failure, history);
        assertEquals(requests.size(), failure.attempts(), history);
        assertEquals(requests.size() - 1, failure.getSuppressed().length, history);
        assertTrue(failure.isRetryable(), "a fault is retryable: " + history);
      }
      if (requests.size() > 1) {
        retried++;
      }
    }
    assertTrue(retried > 0, "no task was retried");
    assertTrue(accepted > BULK_TASKS * 9 / 10, accepted + " of " + BULK_TASKS + " accepted");
  }

  // ---- the vendor's rules: the client never gets its user blocked ----

  /** An emulator that enforces {@link VendorPolicy#capMonster()}, closed after the case. */
  private CapMonsterEmulator vendorEmulator() {
    return closeAfterTheCase(
        CapMonsterEmulator.builder()
            .clientKey(CLIENT_KEY)
            .acceptAnyTaskId()
            .vendorPolicy(VendorPolicy.capMonster())
            .start());
  }

  /**
   * Under the vendor's rules, 10,000 tasks with one request in ten failing trip no block: every
   * retry is of a task the server did not accept, and none is sent twice once accepted.
   */
  @Test
  public void bulkReportsThroughFaultsUnderTheVendorsRulesTripNoBlock() throws Exception {
    CapMonsterEmulator vendor = vendorEmulator();
    vendor.faultEvery(
        10,
        Fault.SERVICE_UNAVAILABLE_HTML,
        Fault.CLOSE_CONNECTION,
        Fault.CLOSE_MID_ANSWER,
        Fault.NO_SLOT_AVAILABLE);
    CapReportClient client =
        client(builder(LONG_TIMEOUT_MILLIS).baseUrl(vendor.baseUrl()).retryPolicy(FAST_RETRIES));
    List<ReportOutcome> outcomes =
        awaitBulk(
            client.reportAll(
                tasks(7_000_000), BULK_CONCURRENCY, (outcome, done, total) -> remember(outcome)));

    assertEquals(BULK_TASKS, outcomes.size());
    assertTrue(vendor.faultsInjected() > 0, "faults injected");
    assertEquals(0, vendor.blocksTripped(), "blocks tripped");
    assertEquals(0, vendor.count(PolicyVerdict.IP_BLOCKED), "requests answered as blocked");
    assertEquals(0, vendor.count(PolicyVerdict.WRONG_TASK_ID), "reports of a task sent twice");
    int accepted = 0;
    for (ReportOutcome outcome : outcomes) {
      accepted += outcome.status() == ReportOutcome.Status.ACCEPTED ? 1 : 0;
    }
    assertTrue(accepted > BULK_TASKS * 9 / 10, accepted + " of " + BULK_TASKS + " accepted");
  }

  /**
   * Under the vendor's rules, 10,000 tasks with a wrong key trip no block either: the client stops
   * after the first refusal, and the rest end on hold, ready to be reported again.
   */
  @Test
  public void bulkReportsWithAWrongKeyUnderTheVendorsRulesTripNoBlock() throws Exception {
    CapMonsterEmulator vendor = vendorEmulator();
    CapReportClient client =
        client(
            builder(LONG_TIMEOUT_MILLIS)
                .baseUrl(vendor.baseUrl())
                .clientKey(UNKNOWN_KEY)
                .retryPolicy(FAST_RETRIES));
    List<ReportOutcome> outcomes =
        awaitBulk(
            client.reportAll(
                tasks(8_000_000), BULK_CONCURRENCY, (outcome, done, total) -> remember(outcome)));

    assertEquals(0, vendor.blocksTripped(), "blocks tripped");
    assertEquals(1, vendor.requestCount(), "requests that reached the server");
    assertEquals(1, vendor.count(PolicyVerdict.WRONG_KEY));
    assertEquals(ReportOutcome.Status.REFUSED, outcomes.get(0).status());
    for (ReportOutcome outcome : outcomes.subList(1, BULK_TASKS)) {
      assertEquals(ReportOutcome.Status.ON_HOLD, outcome.status(), String.valueOf(outcome));
      assertTrue(outcome.failure().isRetryable(), "a held task can be reported again");
    }
    AccountHold hold = remember(client.accountGuard().hold());
    assertNotNull(hold);
    assertEquals(ApiErrorCode.ERROR_KEY_DOES_NOT_EXIST, hold.errorCode());
  }

  /**
   * Under a full outage, every answer a retryable failure, a bulk report's retries stay within its
   * budget: at most 1.2 times its tasks plus its concurrency reach the server, not 3 times.
   */
  @Test
  public void aFullOutageCostsABulkReportAtMostATimesOnePointTwoPlusItsConcurrency()
      throws Exception {
    emulator().acceptAnyTaskId(true);
    emulator().faultEvery(1, Fault.SERVICE_UNAVAILABLE_HTML, Fault.CLOSE_CONNECTION);
    int tasks = 1_000;
    int concurrency = 16;
    List<ReportTask> all = tasks(9_500_000).subList(0, tasks);
    List<ReportOutcome> outcomes =
        awaitBulk(
            client(builder(LONG_TIMEOUT_MILLIS).retryPolicy(FAST_RETRIES))
                .reportAll(all, concurrency, (outcome, done, total) -> remember(outcome)));
    int requests = emulator().requestCount();
    assertTrue(
        requests >= tasks && requests <= 1.2 * tasks + concurrency,
        "requests that reached the server: " + requests);
    for (ReportOutcome outcome : outcomes) {
      assertEquals(ReportOutcome.Status.FAILED, outcome.status(), String.valueOf(outcome));
    }
  }

  /** The same guard, without its hold, would have tripped the vendor's block: the case can fail. */
  @Test
  public void withoutTheHoldAWrongKeyTripsTheVendorsBlock() throws Exception {
    CapMonsterEmulator vendor = vendorEmulator();
    CapReportClient client =
        client(
            builder(LONG_TIMEOUT_MILLIS)
                .baseUrl(vendor.baseUrl())
                .clientKey(UNKNOWN_KEY)
                .accountGuard(AccountGuard.builder().holdFor(0, TimeUnit.SECONDS).build()));
    List<ReportTask> tasks = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      tasks.add(ReportTask.of(ReportEndpoint.IMAGE_CAPTCHA, 9_000_000 + i));
    }
    awaitBulk(client.reportAll(tasks, 4));
    assertTrue(vendor.blocksTripped() > 0, "a client that keeps sending is blocked");
  }

  private List<ReportTask> tasks(long firstId) {
    List<ReportTask> tasks = new ArrayList<>(BULK_TASKS);
    ReportEndpoint[] endpoints = ReportEndpoint.values();
    for (int i = 0; i < BULK_TASKS; i++) {
      tasks.add(ReportTask.of(endpoints[i % endpoints.length], firstId + i));
    }
    return tasks;
  }

  private List<ReportOutcome> awaitBulk(BulkReport bulk) throws InterruptedException {
    try {
      return bulk.await(100, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      bulk.cancel();
      throw new AssertionError(e.getMessage(), e);
    }
  }

  private Map<Long, List<RecordedRequest>> requestsByTask() {
    Map<Long, List<RecordedRequest>> byTask = new HashMap<>();
    for (RecordedRequest request : emulator().reports()) {
      byTask.computeIfAbsent(request.taskId(), id -> new ArrayList<>()).add(request);
    }
    return byTask;
  }

  // ---- threads and connections ----

  @Test
  public void closeEndsTheLibrarysThreadsAndConnections() throws Exception {
    Set<Thread> before = libraryThreads();
    CapReportClient client = client(builder(LONG_TIMEOUT_MILLIS).retryPolicy(FAST_RETRIES));
    emulator().acceptAnyTaskId(true);
    remember(client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID));
    remember(client.reportAsync(ReportEndpoint.TOKEN_CAPTCHA, TASK_ID).get(WAIT_SECONDS, SECONDS));
    // A retry, so that the retry scheduler runs too.
    emulator().nextRequest().respond(503, "text/html", "<html>busy</html>");
    remember(client.reportAsync(ReportEndpoint.TOKEN_CAPTCHA, TASK_ID).get(WAIT_SECONDS, SECONDS));
    List<ReportTask> tasks = new ArrayList<>();
    for (int i = 1; i <= 200; i++) {
      tasks.add(ReportTask.of(ReportEndpoint.IMAGE_CAPTCHA, 100 + i));
    }
    awaitBulk(client.reportAll(tasks, 16, null));
    assertTrue(emulator().openConnections() > 0, "the client keeps its connections for reuse");
    assertTrue(newThreads(before).size() > 0, "the client made threads of its own");

    client.close();
    assertReleased(before);
  }

  /** 50 reports time out at once, then the client closes: nothing of theirs is left. */
  @Test
  public void closeAfterAStormOfTimeoutsLeavesNothingBehind() throws Exception {
    Set<Thread> before = libraryThreads();
    int storm = 50;
    emulator().nextRequests(storm).neverAnswer();
    CapReportClient client = client(builder(SHORT_TIMEOUT_MILLIS).maxConnections(storm));
    List<CompletableFuture<ReportResult>> futures = new ArrayList<>();
    for (int i = 0; i < storm; i++) {
      futures.add(client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID));
    }
    for (CompletableFuture<ReportResult> future : futures) {
      try {
        future.get(WAIT_SECONDS, SECONDS);
        fail("a report the server never answered was accepted");
      } catch (ExecutionException e) {
        TransportFailureException timeout = (TransportFailureException) remember(e.getCause());
        assertEquals(TransportFailureException.Kind.TIMEOUT, timeout.kind());
      }
    }
    // On a loaded machine a report can time out before it leaves the client's pool: fewer may
    // reach the server, never more.
    int reached = emulator().requestCount();
    assertTrue(reached > 0 && reached <= storm, "requests that reached the server: " + reached);
    client.close();
    assertReleased(before);
    // The emulator still holds the requests it got; it is the client that let go of them.
    assertEquals(reached, emulator().requestCount());
  }

  private void assertReleased(Set<Thread> before) throws InterruptedException {
    long deadline = System.nanoTime() + SECONDS.toNanos(WAIT_SECONDS);
    Set<String> left = names(newThreads(before));
    while ((!left.isEmpty() || emulator().openConnections() > 0)
        && System.nanoTime() - deadline < 0) {
      // A closed client's resources may be let go only when it is collected: give that a chance.
      System.gc();
      Thread.sleep(50);
      left = names(newThreads(before));
    }
    assertTrue(left.isEmpty(), "threads still alive after close(): " + left);
    assertEquals(
        0,
        emulator().openConnections(),
        "connections still open after close(): " + emulator().describeOpenConnections());
  }

  private static Set<Thread> libraryThreads() {
    Set<Thread> threads = new HashSet<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().startsWith(THREAD_PREFIX) && thread.isAlive()) {
        threads.add(thread);
      }
    }
    return threads;
  }

  private static Set<Thread> newThreads(Set<Thread> before) {
    Set<Thread> now = libraryThreads();
    now.removeAll(before);
    return now;
  }

  private static Set<String> names(Set<Thread> threads) {
    Set<String> names = new HashSet<>();
    for (Thread thread : threads) {
      names.add(thread.getName());
    }
    return names;
  }

  // ---- TLS ----

  /** The platform's trust refuses a self-signed certificate: TLS, not retried, nothing sent. */
  @ParameterizedTest
  @EnumSource(Call.class)
  public void refusesAnUntrustedCertificate(Call call) {
    CapMonsterEmulator https = httpsEmulator(SelfSignedCertificate.forLoopback());
    CapReportClient client =
        client(builder(LONG_TIMEOUT_MILLIS).baseUrl(https.baseUrl()).retryPolicy(FAST_RETRIES));
    TransportFailureException e =
        report(client, call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID)
            .failedWith(TransportFailureException.class);
    assertEquals(TransportFailureException.Kind.TLS, e.kind(), e.toString());
    assertFalse(e.isRetryable());
    assertEquals(1, e.attempts(), "a TLS failure is never retried");
    assertEquals(0, https.requestCount(), "requests that reached the server");
  }

  /** Trusted, but made out to another host: host name verification refuses it. */
  @ParameterizedTest
  @EnumSource(Call.class)
  public void refusesATrustedCertificateForAnotherHost(Call call) {
    SelfSignedCertificate elsewhere = SelfSignedCertificate.forAnotherHost();
    CapMonsterEmulator https = httpsEmulator(elsewhere);
    CapReportClient client =
        client(
            builder(LONG_TIMEOUT_MILLIS)
                .baseUrl(https.baseUrl())
                .sslContext(elsewhere.clientContext())
                .retryPolicy(FAST_RETRIES));
    TransportFailureException e =
        report(client, call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID)
            .failedWith(TransportFailureException.class);
    assertEquals(TransportFailureException.Kind.TLS, e.kind(), e.toString());
    assertFalse(e.isRetryable());
    assertEquals(0, https.requestCount(), "requests that reached the server");
  }

  @ParameterizedTest
  @EnumSource(Call.class)
  public void trustsACertificateGivenThroughTheBuilder(Call call) {
    SelfSignedCertificate cert = SelfSignedCertificate.forLoopback();
    CapMonsterEmulator https = httpsEmulator(cert);
    CapReportClient client =
        client(
            builder(LONG_TIMEOUT_MILLIS).baseUrl(https.baseUrl()).sslContext(cert.clientContext()));
    ReportResult result = report(client, call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID).accepted();
    assertEquals(1, result.attempts());
    assertEquals(1, https.count(TASK_ID));
  }

  @Test
  public void trustsACertificateGivenThroughTheTransportsOwnClient() {
    SelfSignedCertificate cert = SelfSignedCertificate.forLoopback();
    Transport transport = transportWithOwnClientTrusting(cert.clientContext(), LONG_TIMEOUT_MILLIS);
    Assumptions.assumeTrue(transport != null, "the transport takes no HTTP client of the user's");
    closeAfterTheCase(transport);
    CapMonsterEmulator https = httpsEmulator(cert);
    CapReportClient client =
        client(builderFor(transport, LONG_TIMEOUT_MILLIS).baseUrl(https.baseUrl()));
    for (Call call : Call.values()) {
      report(client, call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID).accepted();
    }
    assertEquals(3, https.count(TASK_ID));
  }

  // ---- helpers ----

  /** The listener's events, the ones with a report's end, exactly once with the right count. */
  private void assertFinishedOnce(int attempts, boolean accepted) {
    List<Event> finished = listener.events(Type.REPORT_FINISHED);
    assertEquals(1, finished.size(), "reports finished: " + finished);
    assertEquals(attempts, finished.get(0).attempt, "attempts the listener heard");
    assertEquals(accepted, finished.get(0).result != null, finished.get(0).toString());
    assertEquals(attempts, listener.events(Type.ATTEMPT_STARTED).size(), "attempts started");
  }

  private static final TimeUnit SECONDS = TimeUnit.SECONDS;
}
