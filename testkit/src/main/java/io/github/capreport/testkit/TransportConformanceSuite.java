package io.github.capreport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.capreport.AccountOnHoldException;
import io.github.capreport.ApiErrorCode;
import io.github.capreport.CapReportClient;
import io.github.capreport.CapReportException;
import io.github.capreport.ReportCallback;
import io.github.capreport.ReportEndpoint;
import io.github.capreport.ReportOutcome;
import io.github.capreport.ReportRefusedException;
import io.github.capreport.ReportResult;
import io.github.capreport.ReportTask;
import io.github.capreport.RetryPolicy;
import io.github.capreport.TransportFailureException;
import io.github.capreport.UnexpectedResponseException;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The conformance suite every {@link Transport} passes: real HTTP over loopback against a {@link
 * CapMonsterEmulator}, through the public {@link CapReportClient}, for the blocking call and both
 * asynchronous forms.
 *
 * <pre>{@code
 * class JdkTransportConformanceTest extends TransportConformanceSuite {
 *   @Override
 *   protected TransportProvider provider() {
 *     return new JdkTransportProvider();
 *   }
 * }
 * }</pre>
 *
 * <p>A transport may skip a case only by overriding it, with a comment that says why. No case
 * asserts on elapsed time; each is bounded by a timeout only so that a hung transport fails instead
 * of hanging the build. After each case the suite checks that the client key appears in no message,
 * cause, suppressed exception or {@code toString()} the case produced: results, failures, listener
 * events, bulk outcomes, the emulator's recordings.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class TransportConformanceSuite extends ClientSuiteHarness {
  /** Above 2^32: survives only as a 64-bit JSON number. */
  protected static final long BIG_TASK_ID = 9_000_000_000L;

  /** The request timeout of the suite's clients: short, so that timeouts are quick to reach. */
  protected static final long REQUEST_TIMEOUT_MILLIS = 2_000;

  /**
   * The request timeout of a report the server never answers: it must time out whatever the
   * timeout, so this one can be much shorter. On a loaded machine it may fire before the request is
   * even sent; the report times out all the same.
   */
  private static final long NEVER_ANSWERED_TIMEOUT_MILLIS = 250;

  /**
   * The first request timeout of {@link #timesOutWhenTheAnswerDripsInTooSlowly}, which must fire
   * after the headers arrived: it is tried again four times as long, up to {@link
   * #DRIP_TIMEOUT_MAX_MILLIS}, on a machine too loaded to deliver them in time.
   */
  private static final long DRIP_TIMEOUT_MILLIS = 500;

  private static final long DRIP_TIMEOUT_MAX_MILLIS = 8_000;

  /** Every wait for an outcome is bounded by this, well above any timeout the clients use. */
  private static final long WAIT_SECONDS = 20;

  /** Another host that redirects point to; no request may reach it. */
  @RegisterExtension
  final CapMonsterEmulatorExtension otherHost =
      new CapMonsterEmulatorExtension(
          CapMonsterEmulator.builder().clientKey(CLIENT_KEY).acceptAnyTaskId());

  public TransportConformanceSuite() {
    super(
        CapMonsterEmulator.builder().clientKey(CLIENT_KEY).taskIds(TASK_ID, BIG_TASK_ID),
        REQUEST_TIMEOUT_MILLIS,
        WAIT_SECONDS);
  }

  /** How a case calls the client; {@link ClientSuiteHarness} calls it in each form. */
  public enum Call {
    /** {@code report(endpoint, taskId)}. */
    BLOCKING,
    /** {@code reportAsync(endpoint, taskId)}, the {@code CompletableFuture} form. */
    FUTURE,
    /** {@code reportAsync(endpoint, taskId, callback)}. */
    CALLBACK
  }

  // ---- the exact request ----

  static Stream<Arguments> endpointsAndCalls() {
    return withEachCall((Object[]) ReportEndpoint.values());
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("io.github.capreport.testkit.TransportConformanceSuite#endpointsAndCalls")
  public void sendsExactlyTheApisRequest(ReportEndpoint endpoint, Call call) {
    Outcome outcome = report(client(), call, endpoint, TASK_ID);
    // The request first: when it is wrong, that is the news, not the refusal it earned.
    assertEquals(1, emulator().requestCount(), "requests that reached the server");
    RecordedRequest request = emulator().lastRequest();
    assertEquals("POST", request.method());
    assertEquals(endpoint.path(), request.path());
    assertNull(request.query(), "query string");
    String contentType = request.header("Content-Type");
    assertNotNull(contentType, "Content-Type");
    assertTrue(
        contentType.toLowerCase(Locale.ROOT).startsWith("application/json"),
        "Content-Type: " + contentType);
    assertEquals("application/json", request.header("Accept"));
    String coding = request.header("Accept-Encoding");
    assertTrue(
        coding == null || coding.equals("identity"), "no content coding asked for: " + coding);
    assertEquals(CapReportClient.defaultUserAgent(provider().id()), request.header("User-Agent"));
    assertTrue(request.isJsonObject(), "the body is a JSON object");
    assertEquals(
        new HashSet<>(Arrays.asList("clientKey", "taskId")),
        request.jsonFieldNames(),
        "the body's fields");
    assertEquals(CLIENT_KEY, request.clientKey(), "clientKey, a JSON string");
    assertEquals(Long.valueOf(TASK_ID), request.taskId(), "taskId, a JSON integer");

    ReportResult result = outcome.accepted();
    assertEquals(endpoint, result.endpoint());
    assertEquals(TASK_ID, result.taskId());
    assertEquals(200, result.httpStatus());
    assertEquals(1, result.attempts());
  }

  @ParameterizedTest
  @EnumSource(Call.class)
  public void keepsATaskIdAboveTwoToThe32Intact(Call call) {
    Outcome outcome = report(client(), call, ReportEndpoint.TOKEN_CAPTCHA, BIG_TASK_ID);
    assertEquals(
        Long.valueOf(BIG_TASK_ID), emulator().lastRequest().taskId(), "taskId, a JSON integer");
    assertEquals(1, emulator().count(BIG_TASK_ID));
    assertEquals(BIG_TASK_ID, outcome.accepted().taskId());
  }

  // ---- refusals ----

  @ParameterizedTest
  @EnumSource(Call.class)
  public void refusesAnUnknownKey(Call call) {
    CapReportClient client = client(builder().clientKey(UNKNOWN_KEY));
    ReportRefusedException e =
        report(client, call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID)
            .failedWith(ReportRefusedException.class);
    assertEquals(ApiErrorCode.ERROR_KEY_DOES_NOT_EXIST, e.errorCode());
    assertEquals("ERROR_KEY_DOES_NOT_EXIST", e.rawErrorCode());
    assertEquals(1, e.errorId());
    assertEquals(200, e.httpStatus());
    assertFalse(e.isRetryable());
    assertEquals(1, emulator().requestCount(), "a refusal is never sent again");
  }

  // ---- the account guard, over this transport's HTTP ----

  /**
   * A wrong key costs one request, however many tasks: the first refusal puts the account on hold
   * and every other task ends on hold without I/O, none lost and none accepted.
   */
  @Test
  public void aBulkReportWithAWrongKeySendsOneRequest() throws Exception {
    CapReportClient client = client(builder().clientKey(UNKNOWN_KEY));
    assertOneRequestThenHeld(client, ApiErrorCode.ERROR_KEY_DOES_NOT_EXIST);
  }

  /** The same with an empty balance answered as HTTP 402: the envelope decides, not the status. */
  @Test
  public void aBulkReportWithAZeroBalanceAnsweredWith402SendsOneRequest() throws Exception {
    emulator()
        .nextRequest()
        .respondJson(402, "{\"errorId\":10,\"errorCode\":\"ERROR_ZERO_BALANCE\"}");
    assertOneRequestThenHeld(client(), ApiErrorCode.ERROR_ZERO_BALANCE);
  }

  private void assertOneRequestThenHeld(CapReportClient client, ApiErrorCode code)
      throws Exception {
    List<ReportTask> tasks = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      tasks.add(ReportTask.of(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID + i));
    }
    List<ReportOutcome> outcomes =
        client.reportAll(tasks, 16).await(WAIT_SECONDS, TimeUnit.SECONDS);
    assertEquals(1, emulator().requestCount(), "requests that reached the server");
    assertEquals(1_000, outcomes.size());
    for (int i = 0; i < outcomes.size(); i++) {
      ReportOutcome outcome = remember(outcomes.get(i));
      remember(outcome.failure());
      assertEquals(tasks.get(i), outcome.task());
      if (i == 0) {
        assertEquals(ReportOutcome.Status.REFUSED, outcome.status());
        assertEquals(code, ((ReportRefusedException) outcome.failure()).errorCode());
      } else {
        assertEquals(ReportOutcome.Status.ON_HOLD, outcome.status(), outcome.toString());
        assertEquals(code, ((AccountOnHoldException) outcome.failure()).hold().errorCode());
      }
    }
    assertNotNull(client.accountGuard().hold());
    assertEquals(1, listener.events(RecordingListener.Type.HOLD_STARTED).size());
  }

  /** The client remembers accepted tasks: a second report of one answers at once, unsent. */
  @ParameterizedTest
  @EnumSource(Call.class)
  public void aSecondReportOfAnAcceptedTaskSendsNothing(Call call) {
    CapReportClient client = client();
    assertFalse(
        report(client, call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID).accepted().alreadyReported());
    ReportResult again = report(client, call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID).accepted();
    assertTrue(again.alreadyReported());
    assertEquals(0, again.attempts());
    assertEquals(1, emulator().count(TASK_ID), "requests for the task");
  }

  @ParameterizedTest
  @EnumSource(Call.class)
  public void refusesAnUnknownTask(Call call) {
    ReportRefusedException e =
        report(client(), call, ReportEndpoint.IMAGE_CAPTCHA, 1)
            .failedWith(ReportRefusedException.class);
    assertEquals(ApiErrorCode.ERROR_NO_SUCH_CAPCHA_ID, e.errorCode());
    assertEquals(1, e.taskId());
    assertFalse(e.isRetryable());
    assertEquals(1, emulator().requestCount(), "a refusal is never sent again");
  }

  static Stream<Arguments> errorStatusesAndCalls() {
    return withEachCall(400, 403, 500, 503);
  }

  @ParameterizedTest(name = "HTTP {0} {1}")
  @MethodSource("io.github.capreport.testkit.TransportConformanceSuite#errorStatusesAndCalls")
  public void readsARefusalCarriedByAnErrorStatus(int status, Call call) {
    emulator()
        .nextRequest()
        .respondJson(
            status,
            "{\"errorId\":1,\"errorCode\":\"ERROR_ZERO_BALANCE\","
                + "\"errorDescription\":\"Account has zero balance\"}");
    ReportRefusedException e =
        report(client(), call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID)
            .failedWith(ReportRefusedException.class);
    assertEquals(ApiErrorCode.ERROR_ZERO_BALANCE, e.errorCode());
    assertEquals(status, e.httpStatus());
    assertEquals("Account has zero balance", e.errorDescription());
    assertFalse(e.isRetryable());
  }

  @ParameterizedTest
  @EnumSource(Call.class)
  public void keepsAnErrorCodeItDoesNotKnow(Call call) {
    emulator()
        .nextRequest()
        .respondJson(200, "{\"errorId\":16,\"errorCode\":\"ERROR_BRAND_NEW\",\"extra\":[1,{}]}");
    ReportRefusedException e =
        report(client(), call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID)
            .failedWith(ReportRefusedException.class);
    assertEquals(ApiErrorCode.UNKNOWN, e.errorCode());
    assertEquals("ERROR_BRAND_NEW", e.rawErrorCode());
    assertEquals(16, e.errorId());
  }

  @ParameterizedTest
  @EnumSource(Call.class)
  public void ignoresUnknownFieldsOfASuccess(Call call) {
    emulator()
        .nextRequest()
        .respondJson(
            200, "{\"status\":\"success\",\"cost\":0.0,\"nested\":{\"a\":[true]},\"errorId\":0}");
    report(client(), call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID).accepted();
  }

  // ---- answers that are not the API's ----

  @ParameterizedTest
  @EnumSource(Call.class)
  public void takesAnHtmlErrorPageForATransientFailure(Call call) {
    emulator()
        .nextRequest()
        .respond(502, "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>");
    UnexpectedResponseException e =
        report(client(), call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID)
            .failedWith(UnexpectedResponseException.class);
    assertEquals(502, e.httpStatus());
    assertTrue(e.isRetryable());
    assertTrue(e.bodyPreview().startsWith("<html><body><h1>502"), e.bodyPreview());
  }

  @ParameterizedTest
  @EnumSource(Call.class)
  public void passesRetryAfterOn(Call call) {
    emulator()
        .nextRequest()
        .respond(
            503,
            "text/html",
            "<html>Service Unavailable</html>",
            Collections.singletonMap("Retry-After", "7"));
    UnexpectedResponseException e =
        report(client(), call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID)
            .failedWith(UnexpectedResponseException.class);
    assertEquals(503, e.httpStatus());
    assertEquals(7_000, e.retryAfterMillis());
  }

  /** Bodies a 200 may carry that are not the API's answer. */
  public enum BadBody {
    MALFORMED_JSON,
    EMPTY,
    NO_STATUS,
    NOT_AN_OBJECT
  }

  static Stream<Arguments> badBodiesAndCalls() {
    return withEachCall((Object[]) BadBody.values());
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("io.github.capreport.testkit.TransportConformanceSuite#badBodiesAndCalls")
  public void takesA200WithoutTheApisEnvelopeForUnexpected(BadBody body, Call call) {
    switch (body) {
      case MALFORMED_JSON:
        emulator().nextRequest().malformedJson();
        break;
      case EMPTY:
        emulator().nextRequest().emptyBody();
        break;
      case NO_STATUS:
        emulator().nextRequest().noStatus();
        break;
      default:
        emulator().nextRequest().respondJson(200, "[{\"errorId\":0,\"status\":\"success\"}]");
        break;
    }
    UnexpectedResponseException e =
        report(client(), call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID)
            .failedWith(UnexpectedResponseException.class);
    assertEquals(200, e.httpStatus());
    assertFalse(e.isRetryable());
  }

  @ParameterizedTest
  @EnumSource(Call.class)
  public void refusesToReadAHugeBody(Call call) {
    emulator().nextRequest().hugeBody(8 * 1024 * 1024);
    UnexpectedResponseException e =
        report(client(), call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID)
            .failedWith(UnexpectedResponseException.class);
    assertEquals(200, e.httpStatus());
    assertTrue(e.getMessage().contains("larger than"), e.getMessage());
  }

  static Stream<Arguments> redirectsAndCalls() {
    return withEachCall(301, 302, 303, 307, 308);
  }

  @ParameterizedTest(name = "HTTP {0} {1}")
  @MethodSource("io.github.capreport.testkit.TransportConformanceSuite#redirectsAndCalls")
  public void neverFollowsARedirect(int status, Call call) {
    String path = ReportEndpoint.IMAGE_CAPTCHA.path();
    emulator().nextRequest().redirect(status, otherHost.baseUrl() + path);
    Outcome outcome = report(client(), call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID);
    assertEquals(0, otherHost.emulator().requestCount(), "requests that followed the redirect");
    assertEquals(1, emulator().requestCount());
    UnexpectedResponseException e = outcome.failedWith(UnexpectedResponseException.class);
    assertEquals(status, e.httpStatus());
    assertFalse(e.isRetryable());
  }

  static Stream<Arguments> immediateRetryInvitationsAndCalls() {
    List<Arguments> all = new ArrayList<>();
    for (int status : new int[] {503, 429}) {
      for (boolean envelope : new boolean[] {false, true}) {
        for (Call call : Call.values()) {
          all.add(Arguments.of(status, envelope, call));
        }
      }
    }
    return all.stream();
  }

  /**
   * An HTTP library may resend a POST on its own when invited to retry at once (OkHttp on a 503
   * with {@code Retry-After: 0}, Apache's default retry strategy on 429 and 503): no request may
   * leave that the client did not count, so with retries off exactly one arrives.
   */
  @ParameterizedTest(name = "HTTP {0}, envelope {1}, {2}")
  @MethodSource(
      "io.github.capreport.testkit.TransportConformanceSuite#immediateRetryInvitationsAndCalls")
  public void neverResendsAReportOnItsOwn(int status, boolean envelope, Call call) {
    Map<String, String> retryAtOnce = Collections.singletonMap("Retry-After", "0");
    if (envelope) {
      emulator()
          .nextRequest()
          .respond(
              status,
              "application/json",
              "{\"errorId\":1,\"errorCode\":\"ERROR_KEY_DOES_NOT_EXIST\"}",
              retryAtOnce);
    } else {
      emulator().nextRequest().respond(status, "text/html", "<html>busy</html>", retryAtOnce);
    }
    CapReportException e =
        report(client(), call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID)
            .failedWith(CapReportException.class);
    assertEquals(1, emulator().requestCount(), "requests that reached the server");
    assertEquals(1, e.attempts());
  }

  /** Where a hostile server puts the key that it was sent, in raw HTTP. */
  public enum Echo {
    STATUS_CODE("HTTP/1.1 {key} OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
    STATUS_LINE("{key} 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
    HEADER_LINE("HTTP/1.1 200 OK\r\n{key}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"),
    CHUNK_SIZE(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
            + "Connection: close\r\n\r\n{key}\r\n"),
    CONTENT_LENGTH("HTTP/1.1 200 OK\r\nContent-Length: {key}\r\nConnection: close\r\n\r\n{}"),
    ENVELOPE_STATUS(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
            + "{\"errorId\":0,\"status\":\"{key}\"}"),
    ENVELOPE_CODE(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
            + "{\"errorId\":1,\"errorCode\":\"{key}\",\"errorDescription\":\"{key}\"}");

    final String rawResponse;

    Echo(String rawResponse) {
      this.rawResponse = rawResponse;
    }
  }

  static Stream<Arguments> echoesAndCalls() {
    return withEachCall((Object[]) Echo.values());
  }

  /**
   * The key never reaches a message, a cause, a stack trace or a listener event, wherever in the
   * raw answer the server echoes it: the suite's check after each case scans them all.
   */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("io.github.capreport.testkit.TransportConformanceSuite#echoesAndCalls")
  public void redactsTheKeyWhereverARawAnswerEchoesIt(Echo echo, Call call) throws IOException {
    try (EchoingServer server = EchoingServer.answering(echo.rawResponse)) {
      CapReportException e =
          report(
                  client(builder().baseUrl(server.baseUrl())),
                  call,
                  ReportEndpoint.IMAGE_CAPTCHA,
                  TASK_ID)
              .failedWith(CapReportException.class);
      assertEquals(1, server.requests(), "requests that reached the server");
      assertNotNull(e.getMessage());
    }
  }

  // ---- no answer ----

  @ParameterizedTest
  @EnumSource(Call.class)
  public void failsToConnectToAClosedPort(Call call) throws IOException {
    CapReportClient client = client(builder().baseUrl("http://127.0.0.1:" + closedPort()));
    TransportFailureException e =
        report(client, call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID)
            .failedWith(TransportFailureException.class);
    assertEquals(TransportFailureException.Kind.CONNECT, e.kind());
    assertTrue(e.isRetryable());
    assertNotNull(e.getCause(), "the transport's own exception is the cause");
  }

  @ParameterizedTest
  @EnumSource(Call.class)
  public void timesOutWhenTheServerNeverAnswers(Call call) {
    emulator().nextRequest().neverAnswer();
    TransportFailureException e =
        report(
                client(builder(NEVER_ANSWERED_TIMEOUT_MILLIS)),
                call,
                ReportEndpoint.IMAGE_CAPTCHA,
                TASK_ID)
            .failedWith(TransportFailureException.class);
    assertEquals(TransportFailureException.Kind.TIMEOUT, e.kind());
    assertTrue(e.isRetryable());
  }

  /**
   * The request timeout bounds the whole answer, not only the wait for its headers. They arrive at
   * once; the body follows a byte every tenth of the timeout, so no single read waits as long as
   * the timeout, and the whole body would take three times as long. The timeout must fire while the
   * body drips: the case checks that the transport had handed over the headers before it fired. On
   * a machine so loaded that it had not, the run proves nothing, and the case runs again with a
   * timeout four times as long.
   */
  @ParameterizedTest
  @EnumSource(Call.class)
  public void timesOutWhenTheAnswerDripsInTooSlowly(Call call) {
    for (long timeout = DRIP_TIMEOUT_MILLIS; ; timeout *= 4) {
      RecordingProvider provider = new RecordingProvider(provider());
      emulator().nextRequest().drip(timeout / 10, TimeUnit.MILLISECONDS);
      TransportFailureException e =
          report(
                  client(builder(timeout).transportProvider(provider)),
                  call,
                  ReportEndpoint.IMAGE_CAPTCHA,
                  TASK_ID)
              .failedWith(TransportFailureException.class);
      assertEquals(TransportFailureException.Kind.TIMEOUT, e.kind());
      if (provider.answered() > 0) {
        return; // the headers came first: the timeout fired while the body dripped
      }
      if (timeout * 4 > DRIP_TIMEOUT_MAX_MILLIS) {
        fail(
            "up to a timeout of "
                + timeout
                + " ms, it always fired before execute() returned, though the headers were sent"
                + " at once: either the transport waits for the body before it returns, which it"
                + " must not, or this machine is too loaded to tell whether the timeout bounds"
                + " the body");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Call.class)
  public void answersInTimeAfterADelay(Call call) {
    emulator().nextRequest().delay(REQUEST_TIMEOUT_MILLIS / 10, TimeUnit.MILLISECONDS);
    report(client(), call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID).accepted();
  }

  /**
   * Every call ends in a result or a {@link CapReportException}, even when the client is closed
   * while the report waits for an answer.
   */
  @ParameterizedTest
  @EnumSource(Call.class)
  public void endsAReportInFlightWhenTheClientCloses(Call call) throws InterruptedException {
    emulator().nextRequest().neverAnswer();
    final CapReportClient client = client();
    Thread closer =
        new Thread(
            () -> {
              try {
                if (emulator().awaitRequests(1, WAIT_SECONDS, TimeUnit.SECONDS)) {
                  client.close();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "tck-closer");
    closer.start();
    try {
      Outcome outcome = report(client, call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID);
      outcome.failedWith(CapReportException.class);
    } finally {
      closer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
    }
  }

  /**
   * Before the headers and while the body arrives: java.net.http's own body stream swallowed an
   * interrupt that came while it waited for the body, and the report ended accepted.
   */
  @ParameterizedTest(name = "while the body arrives: {0}")
  @ValueSource(booleans = {false, true})
  public void endsABlockingReportWhenItsThreadIsInterrupted(boolean whileTheBodyArrives)
      throws InterruptedException {
    if (whileTheBodyArrives) {
      emulator().nextRequest().drip(100, TimeUnit.MILLISECONDS); // the headers at once
    } else {
      emulator().nextRequest().neverAnswer();
    }
    final Thread caller = Thread.currentThread();
    Thread interrupter =
        new Thread(
            () -> {
              try {
                if (emulator().awaitRequests(1, WAIT_SECONDS, TimeUnit.SECONDS)) {
                  if (whileTheBodyArrives) {
                    Thread.sleep(300); // a few of the body's bytes are in
                  }
                  caller.interrupt();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "tck-interrupter");
    interrupter.start();
    TransportFailureException e;
    boolean interrupted;
    try {
      e =
          assertThrows(
              TransportFailureException.class,
              () -> client().report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID));
    } finally {
      // Read and cleared first: it must not leak into the next case, nor make join() throw.
      interrupted = Thread.interrupted();
      interrupter.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
    }
    remember(e);
    assertEquals(TransportFailureException.Kind.INTERRUPTED, e.kind());
    assertFalse(e.isRetryable());
    assertTrue(interrupted, "the thread's interrupt status is kept");
  }

  /** How a connection can die under an exchange. */
  public enum Drop {
    BEFORE_THE_STATUS_LINE,
    MID_ANSWER
  }

  static Stream<Arguments> dropsAndCalls() {
    return withEachCall((Object[]) Drop.values());
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("io.github.capreport.testkit.TransportConformanceSuite#dropsAndCalls")
  public void failsWhenTheConnectionDrops(Drop drop, Call call) {
    // Three drops queued: a transport that silently resends the POST meets a drop again, and the
    // request count below says it resent.
    drop(emulator().nextRequests(3), drop);
    TransportFailureException e =
        report(client(), call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID)
            .failedWith(TransportFailureException.class);
    assertTrue(e.isRetryable(), "kind " + e.kind());
    assertEquals(
        1, emulator().requestCount(), "requests sent: a transport must not resend a POST itself");
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("io.github.capreport.testkit.TransportConformanceSuite#dropsAndCalls")
  public void failsWhenAReusedConnectionDrops(Drop drop, Call call) {
    CapReportClient client = client();
    report(client, call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID).accepted();
    drop(emulator().nextRequests(3), drop);
    // Another task: the client would answer a second report of the same one without I/O.
    TransportFailureException e =
        report(client, call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID + 1)
            .failedWith(TransportFailureException.class);
    assertTrue(e.isRetryable(), "kind " + e.kind());
    assertEquals(2, emulator().requestCount(), "requests sent: no silent resend of a POST");
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("io.github.capreport.testkit.TransportConformanceSuite#dropsAndCalls")
  public void recoversFromDropsWithTheClientsRetries(Drop drop, Call call) {
    drop(emulator().nextRequests(2), drop);
    RetryPolicy retries =
        RetryPolicy.builder()
            .maxAttempts(3)
            .initialDelay(1, TimeUnit.MILLISECONDS)
            .maxDelay(10, TimeUnit.MILLISECONDS)
            .build();
    ReportResult result =
        report(client(builder().retryPolicy(retries)), call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID)
            .accepted();
    assertEquals(3, result.attempts());
    assertEquals(3, emulator().count(TASK_ID));
  }

  private static void drop(NextRequests next, Drop drop) {
    if (drop == Drop.BEFORE_THE_STATUS_LINE) {
      next.closeConnection();
    } else {
      next.closeMidAnswer();
    }
  }

  // ---- many at once ----

  @Test
  public void carries64ConcurrentBlockingReportsEachExactlyOnce() throws Exception {
    emulator().acceptAnyTaskId(true);
    final CapReportClient client = concurrentClient();
    ExecutorService threads = Executors.newFixedThreadPool(64);
    try {
      final CountDownLatch start = new CountDownLatch(1);
      List<Future<ReportResult>> results = new ArrayList<>();
      for (int i = 1; i <= 64; i++) {
        final long taskId = 1_000 + i;
        results.add(
            threads.submit(
                () -> {
                  start.await();
                  return remember(client.report(ReportEndpoint.TOKEN_CAPTCHA, taskId));
                }));
      }
      start.countDown();
      for (int i = 0; i < 64; i++) {
        assertEquals(1_001 + i, results.get(i).get(WAIT_SECONDS, TimeUnit.SECONDS).taskId());
      }
    } finally {
      threads.shutdownNow();
    }
    assertEachArrivedOnce(1_001, 64);
  }

  @Test
  public void carries64ConcurrentAsynchronousReportsEachExactlyOnce() throws Exception {
    emulator().acceptAnyTaskId(true);
    CapReportClient client = concurrentClient();
    List<CompletableFuture<ReportResult>> futures = new ArrayList<>();
    for (int i = 1; i <= 64; i++) {
      futures.add(client.reportAsync(ReportEndpoint.TOKEN_CAPTCHA, 2_000 + i));
    }
    for (int i = 0; i < 64; i++) {
      assertEquals(
          2_001 + i, remember(futures.get(i).get(WAIT_SECONDS, TimeUnit.SECONDS)).taskId());
    }
    assertEachArrivedOnce(2_001, 64);
  }

  @Test
  public void carries64ConcurrentCallbackReportsEachExactlyOnce() throws Exception {
    emulator().acceptAnyTaskId(true);
    CapReportClient client = concurrentClient();
    final CountDownLatch done = new CountDownLatch(64);
    final List<Object> outcomes = Collections.synchronizedList(new ArrayList<>());
    for (int i = 1; i <= 64; i++) {
      client.reportAsync(
          ReportEndpoint.TOKEN_CAPTCHA,
          3_000 + i,
          new ReportCallback() {
            @Override
            public void onAccepted(ReportResult result) {
              outcomes.add(remember(result));
              done.countDown();
            }

            @Override
            public void onFailed(CapReportException failure) {
              outcomes.add(remember(failure));
              done.countDown();
            }
          });
    }
    assertTrue(done.await(WAIT_SECONDS, TimeUnit.SECONDS), "all 64 callbacks called");
    for (Object outcome : outcomes) {
      assertTrue(outcome instanceof ReportResult, String.valueOf(outcome));
    }
    assertEachArrivedOnce(3_001, 64);
  }

  @Test
  public void carriesABulkReportEachTaskExactlyOnce() throws Exception {
    emulator().acceptAnyTaskId(true);
    List<ReportTask> tasks = new ArrayList<>();
    for (int i = 1; i <= 200; i++) {
      tasks.add(ReportTask.of(ReportEndpoint.values()[i % 4], 4_000 + i));
    }
    List<ReportOutcome> outcomes =
        concurrentClient()
            .reportAll(tasks, 16, (outcome, done, total) -> remember(outcome))
            .await(WAIT_SECONDS, TimeUnit.SECONDS);
    for (ReportOutcome outcome : outcomes) {
      remember(outcome);
      remember(outcome.failure());
      assertEquals(ReportOutcome.Status.ACCEPTED, outcome.status(), String.valueOf(outcome));
    }
    assertEachArrivedOnce(4_001, 200);
  }

  @Test
  public void reusesConnectionsForSequentialReports() {
    CapReportClient client = client();
    for (int i = 0; i < 10; i++) {
      remember(client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID));
    }
    assertTrue(
        emulator().connectionsSeen() < 10,
        "10 reports in a row took " + emulator().connectionsSeen() + " connections");
  }

  /** These cases are not about timeouts: a loaded machine must not fail them. */
  private CapReportClient concurrentClient() {
    return client(
        builder()
            .requestTimeout(WAIT_SECONDS / 2, TimeUnit.SECONDS)
            .connectTimeout(WAIT_SECONDS / 2, TimeUnit.SECONDS));
  }

  private void assertEachArrivedOnce(long firstId, int n) {
    assertEquals(n, emulator().requestCount(), "requests that reached the server");
    for (long id = firstId; id < firstId + n; id++) {
      assertEquals(1, emulator().count(id), "requests for task " + id);
    }
  }

  // ---- before any I/O ----

  @ParameterizedTest
  @EnumSource(Call.class)
  public void rejectsATaskIdThatIsNotPositiveBeforeAnyIo(Call call) {
    CapReportClient client = client();
    for (final long bad : new long[] {0, -1, Long.MIN_VALUE}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> report(client, call, ReportEndpoint.IMAGE_CAPTCHA, bad));
      remember(e);
    }
    assertEquals(0, emulator().requestCount());
    assertEquals(0, emulator().connectionsSeen());
  }

  // ---- ownership ----

  @Test
  public void closesTheTransportItCreated() {
    RecordingProvider provider = new RecordingProvider(provider());
    CapReportClient client = client(builder().transportProvider(provider));
    remember(client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID));
    assertEquals(1, provider.created.size(), "transports created");
    client.close();
    assertEquals(1, provider.created.get(0).closes.get(), "closes of the created transport");
    client.close();
    assertEquals(1, provider.created.get(0).closes.get(), "close() is idempotent");
    remember(
        assertThrows(
            IllegalStateException.class,
            () -> client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID)));
  }

  @Test
  public void leavesAGivenTransportOpen() {
    RecordingProvider provider = new RecordingProvider(provider());
    TransportOptions options =
        TransportOptions.builder()
            .requestTimeout(REQUEST_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
            .connectTimeout(REQUEST_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
            .userAgent(CapReportClient.defaultUserAgent(provider.id()))
            .build();
    final Transport transport = provider.create(options);
    remember(closeAfterTheCase(transport));
    CapReportClient first = client(builderFor(transport));
    remember(first.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID));
    first.close();
    assertEquals(0, provider.created.get(0).closes.get(), "closes of the given transport");

    CapReportClient second = client(builderFor(transport));
    remember(second.report(ReportEndpoint.TOKEN_CAPTCHA, TASK_ID));
    assertEquals(2, emulator().count(TASK_ID));
  }

  // ---- the key stays secret ----

  @ParameterizedTest
  @EnumSource(Call.class)
  public void redactsTheKeyWhenTheServerEchoesIt(Call call) {
    emulator().nextRequest().echoClientKey();
    ReportRefusedException e =
        report(client(), call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID)
            .failedWith(ReportRefusedException.class);
    assertTrue(
        emulator().lastRequest().clientKey().equals(CLIENT_KEY), "the server got the real key");
    assertNotNull(e.errorDescription());
    assertFalse(e.errorDescription().contains(CLIENT_KEY), "the description is redacted");
    // The @AfterEach check covers the message, the causes and toString().
  }

  @ParameterizedTest
  @EnumSource(Call.class)
  public void redactsTheKeyInAnErrorPageThatQuotesIt(Call call) {
    emulator()
        .nextRequest()
        .respond(
            500, "text/html", "<html>bad request {\"clientKey\":\"" + CLIENT_KEY + "\"}</html>");
    UnexpectedResponseException e =
        report(client(), call, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID)
            .failedWith(UnexpectedResponseException.class);
    assertFalse(e.bodyPreview().contains(CLIENT_KEY), "the body preview is redacted");
  }

  /**
   * A builder with the suite's settings: the provider under test, the emulator's URL, {@link
   * #CLIENT_KEY}, {@value #REQUEST_TIMEOUT_MILLIS} ms timeouts and no retries, and a listener whose
   * every event, result and failure is checked for the key after the case.
   */
  protected CapReportClient.Builder builder() {
    return builder(REQUEST_TIMEOUT_MILLIS);
  }

  /**
   * As {@link #builder()}, for a transport the case made itself: whose connect timeout and TLS are
   * its own, so the client's builder sets neither.
   */
  protected CapReportClient.Builder builderFor(Transport transport) {
    return builderFor(transport, REQUEST_TIMEOUT_MILLIS);
  }

  /** A client from {@link #builder()}, closed after the case. */
  protected CapReportClient client() {
    return client(builder());
  }
}
