package io.github.capreport.slf4j;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.capreport.AccountGuard;
import io.github.capreport.AccountOnHoldException;
import io.github.capreport.ApiErrorCode;
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
import io.github.capreport.slf4j.CapturingLoggerFactory.Line;
import io.github.capreport.testkit.CapMonsterEmulator;
import io.github.capreport.testkit.CapMonsterEmulatorExtension;
import io.github.capreport.testkit.SelfSignedCertificate;
import io.github.capreport.transport.jdk.JdkTransportProvider;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.event.Level;

/**
 * Every way a report can end, through a real client over loopback HTTP to the emulator, with every
 * line the listener logs captured (by {@link CapturingProvider}) and scanned: the levels and
 * loggers are the documented ones, and neither the client key nor a wrong key appears anywhere, in
 * a message or a stack trace.
 */
class Slf4jReportListenerTest {
  /** Distinctive, so that any trace of it in a log is found. */
  private static final String KEY = "slf4jKEY-9f8e7d6c5b4a39281706f5e4d3c2b1a0";

  private static final String WRONG_KEY = "slf4jWRONG-0a1b2c3d4e5f60718293a4b5c6d7e8f9";

  private static final long KNOWN = 42;
  private static final long UNKNOWN_TASK = 43;

  private static final String ATTEMPT = "io.github.capreport.report.attempt";
  private static final String RETRY = "io.github.capreport.report.retry";
  private static final String OUTCOME = "io.github.capreport.report.outcome";
  private static final String ACCOUNT = "io.github.capreport.report.account";

  /** The refusals the class javadoc promises at ERROR; written out here, not taken from main. */
  private static final Set<ApiErrorCode> ACCOUNT_LEVEL =
      EnumSet.of(
          ApiErrorCode.ERROR_KEY_DOES_NOT_EXIST,
          ApiErrorCode.ERROR_ZERO_BALANCE,
          ApiErrorCode.ERROR_IP_NOT_ALLOWED,
          ApiErrorCode.ERROR_IP_BANNED,
          ApiErrorCode.ERROR_IP_BLOCKED);

  private static final RetryPolicy THREE_QUICK_ATTEMPTS =
      RetryPolicy.builder()
          .maxAttempts(3)
          .initialDelay(1, TimeUnit.MILLISECONDS)
          .maxDelay(5, TimeUnit.MILLISECONDS)
          .build();

  @RegisterExtension
  static final CapMonsterEmulatorExtension capmonster =
      new CapMonsterEmulatorExtension(CapMonsterEmulator.builder().clientKey(KEY).taskIds(KNOWN));

  private CapturingLoggerFactory log;

  @BeforeEach
  void captureEverything() {
    log = CapturingLoggerFactory.installed();
    log.reset(Level.TRACE);
  }

  @AfterEach
  void noKeyWasLogged() {
    assertNoKeyIn(log.lines());
  }

  @Test
  void anAcceptedReportLogsItsAttemptAndOutcomeAtDebug() {
    try (CapReportClient client = client(THREE_QUICK_ATTEMPTS)) {
      client.reportImage(KNOWN);
    }
    assertLines(
        ATTEMPT,
        Level.DEBUG,
        "reportIncorrectImageCaptcha task 42: sending attempt 1",
        OUTCOME,
        Level.DEBUG,
        "reportIncorrectImageCaptcha task 42: accepted after 1 attempt");
    assertNull(log.lines(OUTCOME).get(0).stackTrace);
  }

  @Test
  void aRetryIsInfoAndTheAcceptanceAfterItDebug() {
    capmonster.emulator().nextRequest().respond(503, "text/html", "<html>busy</html>");
    try (CapReportClient client = client(THREE_QUICK_ATTEMPTS)) {
      assertEquals(2, client.reportToken(KNOWN).attempts());
    }
    assertLines(
        ATTEMPT,
        Level.DEBUG,
        "reportIncorrectTokenCaptcha task 42: sending attempt 1",
        RETRY,
        Level.INFO,
        "reportIncorrectTokenCaptcha task 42: attempt 1 failed with HTTP 503, retrying in ",
        ATTEMPT,
        Level.DEBUG,
        "reportIncorrectTokenCaptcha task 42: sending attempt 2",
        OUTCOME,
        Level.DEBUG,
        "reportIncorrectTokenCaptcha task 42: accepted after 2 attempts");
    Line retry = log.lines(RETRY).get(0);
    assertTrue(
        Pattern.compile("retrying in \\d+ ms \\(UnexpectedResponseException: .*HTTP 503")
            .matcher(retry.message)
            .find(),
        retry.message);
  }

  /**
   * Every code of the glossary, and one it does not know, as the API's refusal: account-level ones
   * at ERROR, the rest at WARN; the transient ones are retried at INFO first.
   */
  @ParameterizedTest
  @EnumSource(ApiErrorCode.class)
  void everyRefusalIsLoggedAtItsLevel(ApiErrorCode code) {
    String wire = code == ApiErrorCode.UNKNOWN ? "ERROR_FROM_A_LATER_API" : code.name();
    capmonster
        .emulator()
        .nextRequests(3)
        .respondJson(200, "{\"errorId\":7,\"errorCode\":\"" + wire + "\"}");
    try (CapReportClient client = client(THREE_QUICK_ATTEMPTS)) {
      ReportRefusedException e =
          assertThrows(ReportRefusedException.class, () -> client.reportImage(KNOWN));
      assertEquals(code, e.errorCode());
    }
    int attempts = code.isRetryable() ? 3 : 1;
    List<Line> retries = log.lines(RETRY);
    assertEquals(attempts - 1, retries.size(), log.lines().toString());
    for (Line retry : retries) {
      assertEquals(Level.INFO, retry.level);
      assertTrue(
          retry.message.contains("failed with " + code.name() + ", retrying in"), retry.message);
    }
    assertEquals(attempts, log.lines(ATTEMPT).size());
    Line outcome = single(OUTCOME);
    assertEquals(ACCOUNT_LEVEL.contains(code) ? Level.ERROR : Level.WARN, outcome.level);
    List<Line> account = log.lines(ACCOUNT);
    assertEquals(ACCOUNT_LEVEL.contains(code) ? 1 : 0, account.size(), "the hold, once");
    for (Line hold : account) {
      assertEquals(Level.ERROR, hold.level);
      assertTrue(
          hold.message.startsWith("account on hold after " + code.name() + " (" + code.meaning()),
          hold.message);
    }
    assertTrue(
        outcome.message.startsWith(
            "reportIncorrectImageCaptcha task 42: refused with "
                + code.name()
                + " after "
                + attempts
                + (attempts == 1 ? " attempt" : " attempts")
                + " (ReportRefusedException: "),
        outcome.message);
  }

  /**
   * Every transport failure kind, as the listener is told it: the levels the class javadoc
   * promises, written out here. The ones a real client meets are run over HTTP above; the proxy
   * kinds need a proxy, which core's and testkit's suites run.
   */
  @ParameterizedTest
  @EnumSource(TransportFailureException.Kind.class)
  void everyTransportFailureKindIsLoggedAtItsLevel(TransportFailureException.Kind kind) {
    Level expected;
    switch (kind) {
      case CANCELLED:
      case INTERRUPTED:
        expected = Level.INFO;
        break;
      case TLS:
      case PROXY_AUTHENTICATION:
      case PROXY_REFUSED:
      case TRANSPORT_BUG:
        expected = Level.ERROR;
        break;
      default:
        expected = Level.WARN;
    }
    Slf4jReportListener.create()
        .reportFinished(
            ReportEndpoint.TOKEN_CAPTCHA,
            9,
            1,
            null,
            new TransportFailureException(
                "m", new java.io.IOException("x"), kind, ReportEndpoint.TOKEN_CAPTCHA, 9));
    Line outcome = single(OUTCOME);
    assertEquals(expected, outcome.level, kind.name());
    if (expected != Level.INFO) {
      assertTrue(
          outcome.message.startsWith(
              "reportIncorrectTokenCaptcha task 9: failed with "
                  + kind.name()
                  + " after 1 attempt"),
          outcome.message);
    }
  }

  @Test
  void theDocumentedAccountLevelCodesAreCoresAccountWideOnes() {
    Set<ApiErrorCode> accountWide = EnumSet.noneOf(ApiErrorCode.class);
    for (ApiErrorCode code : ApiErrorCode.values()) {
      if (code.isAccountWide()) {
        accountWide.add(code);
      }
    }
    assertEquals(ACCOUNT_LEVEL, accountWide);
  }

  /**
   * A wrong key, which the emulator does not know: the refusal is an ERROR on the outcome logger,
   * the hold it starts one ERROR on the account logger that says when sending resumes, and every
   * report it stops, blocking, asynchronous or in a bulk report of 10,000 tasks, one DEBUG line
   * without a stack trace; lifting the hold is INFO. The key is in no line (checked after each
   * test), and with the loggers at INFO the whole run is three lines.
   */
  @Test
  void aHoldIsOneErrorAndTheReportsItStopsAreDebug() throws Exception {
    List<ReportTask> tasks = new ArrayList<>();
    for (long id = 1; id <= 10_000; id++) {
      tasks.add(ReportTask.of(ReportEndpoint.IMAGE_CAPTCHA, id));
    }
    for (Level threshold : new Level[] {Level.TRACE, Level.INFO}) {
      log.reset(threshold);
      capmonster.emulator().reset();
      AccountGuard guard = AccountGuard.create();
      try (CapReportClient client =
          CapReportClient.builder()
              .clientKey(WRONG_KEY)
              .baseUrl(capmonster.baseUrl())
              .transportProvider(new JdkTransportProvider())
              .retryPolicy(THREE_QUICK_ATTEMPTS)
              .accountGuard(guard)
              .listener(Slf4jReportListener.create())
              .build()) {
        ReportRefusedException refused =
            assertThrows(ReportRefusedException.class, () -> client.reportImage(KNOWN));
        assertEquals(ApiErrorCode.ERROR_KEY_DOES_NOT_EXIST, refused.errorCode());
        assertThrows(AccountOnHoldException.class, () -> client.reportToken(KNOWN));
        CompletableFuture<ReportResult> async =
            client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, UNKNOWN_TASK);
        assertThrows(java.util.concurrent.ExecutionException.class, async::get);
        List<ReportOutcome> outcomes = client.reportAll(tasks, 64).await(60, TimeUnit.SECONDS);
        for (ReportOutcome outcome : outcomes) {
          assertEquals(ReportOutcome.Status.ON_HOLD, outcome.status(), outcome.toString());
        }
        assertEquals(1, capmonster.emulator().requestCount(), "only the first was sent");
        guard.lift();
      }

      List<Line> account = log.lines(ACCOUNT);
      assertEquals(2, account.size(), account.toString());
      Line started = account.get(0);
      assertEquals(Level.ERROR, started.level);
      assertTrue(
          Pattern.compile(
                  "^account on hold after ERROR_KEY_DOES_NOT_EXIST \\(the client key was not found"
                      + " or is malformed\\) on reportIncorrectImageCaptcha task 42: no report is"
                      + " sent for 600 s, until \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ, or until"
                      + " AccountGuard\\.lift\\(\\)$")
              .matcher(started.message)
              .matches(),
          started.message);
      assertNull(started.stackTrace);
      Line ended = account.get(1);
      assertEquals(Level.INFO, ended.level);
      assertEquals(
          "account hold after ERROR_KEY_DOES_NOT_EXIST ended: reports are sent again",
          ended.message);

      List<Line> outcomes = log.lines(OUTCOME);
      Line refusal = outcomes.get(0);
      assertEquals(Level.ERROR, refusal.level);
      assertTrue(refusal.message.contains("refused with ERROR_KEY_DOES_NOT_EXIST"));
      if (threshold == Level.INFO) {
        assertEquals(1, outcomes.size(), "nothing about the held reports at INFO");
        assertEquals(3, log.lines().size(), log.lines().toString());
        continue;
      }
      List<Line> held = outcomes.subList(1, outcomes.size());
      assertEquals(2 + tasks.size(), held.size());
      for (Line line : held) {
        assertEquals(Level.DEBUG, line.level, line.printed());
        assertNull(line.stackTrace, "no stack trace per held report");
        assertTrue(
            Pattern.compile(
                    "^report\\w+ task \\d+: not sent, the account is on hold after"
                        + " ERROR_KEY_DOES_NOT_EXIST \\(AccountOnHoldException: ")
                .matcher(line.message)
                .find(),
            line.message);
      }
      assertTrue(
          held.get(0).message.startsWith("reportIncorrectTokenCaptcha task 42: not sent,"),
          held.get(0).message);
    }
  }

  @Test
  void aHoldThatRunsOutIsInfoWhenTheNextReportNoticesIt() throws Exception {
    AccountGuard guard = AccountGuard.builder().holdFor(50, TimeUnit.MILLISECONDS).build();
    Slf4jReportListener listener = Slf4jReportListener.create();
    try (CapReportClient wrong =
            CapReportClient.builder()
                .clientKey(WRONG_KEY)
                .baseUrl(capmonster.baseUrl())
                .transportProvider(new JdkTransportProvider())
                .accountGuard(guard)
                .listener(listener)
                .build();
        CapReportClient right =
            CapReportClient.builder()
                .clientKey(KEY)
                .baseUrl(capmonster.baseUrl())
                .transportProvider(new JdkTransportProvider())
                .accountGuard(guard)
                .listener(listener)
                .build()) {
      assertThrows(ReportRefusedException.class, () -> wrong.reportImage(KNOWN));
      Thread.sleep(200); // longer than the hold: the next report finds it over
      right.reportImage(KNOWN);
    }
    List<Line> account = log.lines(ACCOUNT);
    assertEquals(2, account.size(), "a listener shared by two clients hears the hold once");
    assertEquals(Level.ERROR, account.get(0).level);
    assertTrue(account.get(0).message.contains("no report is sent for 1 s, until "));
    assertEquals(Level.INFO, account.get(1).level);
    assertTrue(account.get(1).message.endsWith("ended: reports are sent again"));
    assertEquals(Level.DEBUG, log.lines(OUTCOME).get(1).level);
    assertTrue(log.lines(OUTCOME).get(1).message.endsWith(": accepted after 1 attempt"));
  }

  @Test
  void aReportCutShortByAHoldAfterAnAttemptSaysItWasNotSentAgain() {
    AtomicReference<AccountOnHoldException> held = new AtomicReference<>();
    try (CapReportClient client =
        CapReportClient.builder()
            .clientKey(WRONG_KEY)
            .baseUrl(capmonster.baseUrl())
            .transportProvider(new JdkTransportProvider())
            .build()) {
      assertThrows(ReportRefusedException.class, () -> client.reportImage(KNOWN));
      held.set(assertThrows(AccountOnHoldException.class, () -> client.reportImage(KNOWN)));
    }
    // What the listener is told when a hold stops the retry of a report whose first attempt failed.
    Slf4jReportListener.create()
        .reportFinished(ReportEndpoint.TOKEN_CAPTCHA, 7, 1, null, held.get());
    Line line = single(OUTCOME);
    assertEquals(Level.DEBUG, line.level);
    assertTrue(
        line.message.startsWith(
            "reportIncorrectTokenCaptcha task 7: not sent again after 1 attempt, the account is on"
                + " hold after ERROR_KEY_DOES_NOT_EXIST (AccountOnHoldException: "),
        line.message);
    assertNull(line.stackTrace);
  }

  @Test
  void anAlreadyReportedTaskIsDebug() {
    log.reset(Level.INFO);
    try (CapReportClient client = client(THREE_QUICK_ATTEMPTS)) {
      client.reportImage(KNOWN);
      assertTrue(client.reportImage(KNOWN).alreadyReported());
    }
    assertEquals(Collections.emptyList(), log.lines(), "nothing at INFO");
    log.reset(Level.DEBUG);
    try (CapReportClient client = client(THREE_QUICK_ATTEMPTS)) {
      client.reportImage(KNOWN);
      assertTrue(client.reportImage(KNOWN).alreadyReported());
    }
    List<Line> outcomes = log.lines(OUTCOME);
    assertEquals(2, outcomes.size(), outcomes.toString());
    assertEquals(Level.DEBUG, outcomes.get(1).level);
    assertEquals(
        "reportIncorrectImageCaptcha task 42: already reported, not sent again",
        outcomes.get(1).message);
    assertEquals(1, log.lines(ATTEMPT).size(), "sent once");
  }

  @Test
  void theApisOwnAnswerToAWrongKeyIsAnError() {
    try (CapReportClient client = client(WRONG_KEY, capmonster.baseUrl(), THREE_QUICK_ATTEMPTS)) {
      assertThrows(ReportRefusedException.class, () -> client.reportImage(KNOWN));
    }
    Line outcome = single(OUTCOME);
    assertEquals(Level.ERROR, outcome.level);
    assertTrue(outcome.message.contains("refused with ERROR_KEY_DOES_NOT_EXIST after 1 attempt"));
    assertEquals(1, capmonster.emulator().requestCount(), "never retried");
    assertEquals(Level.ERROR, single(ACCOUNT).level);
  }

  @Test
  void anUnknownTaskIsAWarning() {
    try (CapReportClient client = client(THREE_QUICK_ATTEMPTS)) {
      assertThrows(ReportRefusedException.class, () -> client.reportImage(UNKNOWN_TASK));
    }
    Line outcome = single(OUTCOME);
    assertEquals(Level.WARN, outcome.level);
    assertTrue(
        outcome.message.startsWith(
            "reportIncorrectImageCaptcha task 43: refused with ERROR_NO_SUCH_CAPCHA_ID after 1"
                + " attempt"),
        outcome.message);
  }

  @Test
  void aDroppedConnectionIsRetriedAtInfoThenAWarning() {
    capmonster.emulator().nextRequests(3).closeConnection();
    try (CapReportClient client = client(THREE_QUICK_ATTEMPTS)) {
      TransportFailureException e =
          assertThrows(TransportFailureException.class, () -> client.reportImage(KNOWN));
      assertEquals(TransportFailureException.Kind.IO, e.kind());
    }
    assertRetriedThenEnded(
        "failed with IO", Level.WARN, "failed with IO after 3 attempts (TransportFailureException");
  }

  @Test
  void anHtml503IsRetriedAtInfoThenAWarning() {
    capmonster
        .emulator()
        .nextRequests(3)
        .respond(503, "text/html", "<html><h1>503 Service Unavailable</h1></html>");
    try (CapReportClient client = client(THREE_QUICK_ATTEMPTS)) {
      assertThrows(UnexpectedResponseException.class, () -> client.reportImage(KNOWN));
    }
    assertRetriedThenEnded(
        "failed with HTTP 503",
        Level.WARN,
        "failed with HTTP 503 after 3 attempts (UnexpectedResponseException");
  }

  @Test
  void aTimeoutIsAWarning() {
    capmonster.emulator().nextRequest().neverAnswer();
    try (CapReportClient client =
        CapReportClient.builder()
            .clientKey(KEY)
            .baseUrl(capmonster.baseUrl())
            .transportProvider(new JdkTransportProvider())
            .retryPolicy(RetryPolicy.none())
            .requestTimeout(500, TimeUnit.MILLISECONDS)
            .listener(Slf4jReportListener.create())
            .build()) {
      TransportFailureException e =
          assertThrows(TransportFailureException.class, () -> client.reportImage(KNOWN));
      assertEquals(TransportFailureException.Kind.TIMEOUT, e.kind());
    }
    Line outcome = single(OUTCOME);
    assertEquals(Level.WARN, outcome.level);
    assertTrue(
        outcome.message.startsWith(
            "reportIncorrectImageCaptcha task 42: failed with TIMEOUT after 1 attempt"
                + " (TransportFailureException: "),
        outcome.message);
  }

  @Test
  void aRefusedConnectionIsRetriedAtInfoThenAWarning() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (CapReportClient client =
        client(KEY, "http://127.0.0.1:" + closedPort, THREE_QUICK_ATTEMPTS)) {
      TransportFailureException e =
          assertThrows(TransportFailureException.class, () -> client.reportImage(KNOWN));
      assertEquals(TransportFailureException.Kind.CONNECT, e.kind());
    }
    assertRetriedThenEnded(
        "failed with CONNECT",
        Level.WARN,
        "failed with CONNECT after 3 attempts (TransportFailureException");
  }

  @Test
  void anUntrustedCertificateIsAnError() {
    SelfSignedCertificate certificate = SelfSignedCertificate.forLoopback();
    try (CapMonsterEmulator https =
            CapMonsterEmulator.builder()
                .clientKey(KEY)
                .taskIds(KNOWN)
                .https(certificate.serverContext())
                .start();
        CapReportClient client = client(KEY, https.baseUrl(), THREE_QUICK_ATTEMPTS)) {
      TransportFailureException e =
          assertThrows(TransportFailureException.class, () -> client.reportImage(KNOWN));
      assertEquals(TransportFailureException.Kind.TLS, e.kind());
    }
    assertEquals(0, log.lines(RETRY).size(), "TLS is not retried");
    Line outcome = single(OUTCOME);
    assertEquals(Level.ERROR, outcome.level);
    assertTrue(outcome.message.contains("failed with TLS after 1 attempt"), outcome.message);
  }

  @Test
  void aCancelledReportIsInfo() throws Exception {
    capmonster.emulator().nextRequest().neverAnswer();
    try (CapReportClient client = client(THREE_QUICK_ATTEMPTS)) {
      CompletableFuture<ReportResult> future = client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 42);
      assertTrue(capmonster.emulator().awaitRequests(1, 10, TimeUnit.SECONDS));
      future.cancel(true);
      awaitLine(OUTCOME);
    }
    Line outcome = single(OUTCOME);
    assertEquals(Level.INFO, outcome.level);
    assertTrue(
        outcome.message.startsWith(
            "reportIncorrectImageCaptcha task 42: cancelled after 1 attempt"),
        outcome.message);
  }

  @Test
  void anInterruptedReportIsInfo() throws Exception {
    capmonster.emulator().nextRequest().neverAnswer();
    AtomicReference<CapReportException> failure = new AtomicReference<>();
    try (CapReportClient client = client(THREE_QUICK_ATTEMPTS)) {
      Thread caller =
          new Thread(
              () -> {
                try {
                  client.reportImage(KNOWN);
                } catch (CapReportException e) {
                  failure.set(e);
                }
              });
      caller.start();
      assertTrue(capmonster.emulator().awaitRequests(1, 10, TimeUnit.SECONDS));
      caller.interrupt();
      caller.join(TimeUnit.SECONDS.toMillis(30));
      assertFalse(caller.isAlive());
    }
    assertEquals(
        TransportFailureException.Kind.INTERRUPTED,
        ((TransportFailureException) failure.get()).kind());
    Line outcome = single(OUTCOME);
    assertEquals(Level.INFO, outcome.level);
    assertTrue(outcome.message.contains(": interrupted after 1 attempt"), outcome.message);
  }

  @Test
  void stackTracesOnlyWhenTheLoggerIsEnabledForDebug() {
    log.reset(Level.INFO);
    capmonster.emulator().nextRequests(3).respond(502, "text/html", "<html>gateway</html>");
    try (CapReportClient client = client(THREE_QUICK_ATTEMPTS)) {
      assertThrows(UnexpectedResponseException.class, () -> client.reportImage(KNOWN));
    }
    assertEquals(0, log.lines(ATTEMPT).size(), "DEBUG is off");
    assertEquals(2, log.lines(RETRY).size());
    for (Line line : log.lines()) {
      assertNull(line.stackTrace, line.printed());
    }
    assertNoKeyIn(log.lines());

    log.reset(Level.DEBUG);
    capmonster.emulator().reset();
    capmonster.emulator().nextRequests(3).respond(502, "text/html", "<html>gateway</html>");
    try (CapReportClient client = client(THREE_QUICK_ATTEMPTS)) {
      assertThrows(UnexpectedResponseException.class, () -> client.reportImage(KNOWN));
    }
    for (Line retry : log.lines(RETRY)) {
      assertNotNull(retry.stackTrace);
    }
    String trace = single(OUTCOME).stackTrace;
    assertNotNull(trace);
    assertTrue(trace.startsWith(UnexpectedResponseException.class.getName()), trace);
    assertEquals(2, count(trace, "Suppressed: " + UnexpectedResponseException.class.getName()));
  }

  @Test
  void aBelowThresholdLevelLogsNothing() {
    log.reset(Level.WARN);
    try (CapReportClient client = client(THREE_QUICK_ATTEMPTS)) {
      client.reportImage(KNOWN);
      capmonster.emulator().nextRequest().respond(503, "text/html", "<html>busy</html>");
      client.reportImage(KNOWN);
    }
    assertEquals(Collections.emptyList(), log.lines());
  }

  /** Servers that quote the key back, in each place an answer has. */
  static Stream<Consumer<CapMonsterEmulator>> serversEchoingTheKey() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("X-Echo", KEY);
    headers.put("Retry-After", "0");
    List<Consumer<CapMonsterEmulator>> echoes = new ArrayList<>();
    echoes.add(named("the testkit's echo", e -> e.nextRequests(3).echoClientKey()));
    echoes.add(
        named(
            "an unknown error code and a description",
            e ->
                e.nextRequests(3)
                    .respondJson(
                        200,
                        "{\"errorId\":9,\"errorCode\":\"ERROR_"
                            + KEY
                            + "\",\"errorDescription\":\"your key is "
                            + KEY
                            + "\"}")));
    echoes.add(
        named(
            "a transient refusal's description",
            e ->
                e.nextRequests(3)
                    .respondJson(
                        200,
                        "{\"errorId\":2,\"errorCode\":\"ERROR_NO_SLOT_AVAILABLE\","
                            + "\"errorDescription\":\""
                            + KEY
                            + "\"}")));
    echoes.add(
        named(
            "a 503 page and a header",
            e ->
                e.nextRequests(3)
                    .respond(503, "text/html", "<html>key=" + KEY + "</html>", headers)));
    echoes.add(
        named(
            "a status that is not success",
            e -> e.nextRequests(3).respondJson(200, "{\"errorId\":0,\"status\":\"" + KEY + "\"}")));
    echoes.add(named("plain text", e -> e.nextRequests(3).respond(200, "text/plain", KEY)));
    return echoes.stream();
  }

  @ParameterizedTest
  @MethodSource("serversEchoingTheKey")
  void aServerEchoingTheKeyLeaksNothingIntoTheLog(Consumer<CapMonsterEmulator> echo) {
    echo.accept(capmonster.emulator());
    try (CapReportClient client = client(THREE_QUICK_ATTEMPTS)) {
      assertThrows(CapReportException.class, () -> client.reportImage(KNOWN));
    }
    List<Line> lines = log.lines();
    assertTrue(lines.size() >= 2, lines.toString());
    assertNotNull(single(OUTCOME).stackTrace, "the whole chain was printed and scanned");
    assertNoKeyIn(lines);
  }

  @Test
  void aBrokenLoggerNeverReachesTheClient() {
    Slf4jReportListener listener = Slf4jReportListener.create();
    log.throwing(true);
    assertDoesNotThrow(() -> listener.attemptStarted(ReportEndpoint.IMAGE_CAPTCHA, 1, 1));
    assertDoesNotThrow(
        () ->
            listener.retryScheduled(
                ReportEndpoint.IMAGE_CAPTCHA,
                1,
                1,
                10,
                new UnexpectedResponseException("m", ReportEndpoint.IMAGE_CAPTCHA, 1, 503, "")));
    assertDoesNotThrow(
        () ->
            listener.reportFinished(
                ReportEndpoint.IMAGE_CAPTCHA,
                1,
                1,
                new ReportResult(ReportEndpoint.IMAGE_CAPTCHA, 1, 200),
                null));
    capmonster.emulator().nextRequest().respond(503, "text/html", "<html>busy</html>");
    try (CapReportClient client = client(THREE_QUICK_ATTEMPTS)) {
      assertEquals(2, client.reportImage(KNOWN).attempts());
    }
    AccountGuard guard = AccountGuard.create();
    try (CapReportClient wrong =
        CapReportClient.builder()
            .clientKey(WRONG_KEY)
            .baseUrl(capmonster.baseUrl())
            .transportProvider(new JdkTransportProvider())
            .accountGuard(guard)
            .listener(listener)
            .build()) {
      assertThrows(ReportRefusedException.class, () -> wrong.reportImage(KNOWN));
      AccountOnHoldException held =
          assertThrows(AccountOnHoldException.class, () -> wrong.reportImage(KNOWN));
      assertDoesNotThrow(() -> listener.accountHoldStarted(held.hold()));
      assertDoesNotThrow(() -> listener.accountHoldEnded(held.hold()));
      assertDoesNotThrow(guard::lift);
    }
    log.throwing(false);
  }

  @Test
  void theLoggerPrefixNamesTheLoggers() {
    Slf4jReportListener listener =
        Slf4jReportListener.builder().loggerPrefix("com.example.captcha.reports").build();
    assertEquals("com.example.captcha.reports", listener.loggerPrefix());
    assertEquals("Slf4jReportListener{com.example.captcha.reports}", listener.toString());
    try (CapReportClient client =
        CapReportClient.builder()
            .clientKey(KEY)
            .baseUrl(capmonster.baseUrl())
            .transportProvider(new JdkTransportProvider())
            .listener(listener)
            .build()) {
      client.reportImage(KNOWN);
    }
    assertEquals(1, log.lines("com.example.captcha.reports.attempt").size());
    assertEquals(1, log.lines("com.example.captcha.reports.outcome").size());
    assertEquals(2, log.lines().size());
    try (CapReportClient client =
        CapReportClient.builder()
            .clientKey(WRONG_KEY)
            .baseUrl(capmonster.baseUrl())
            .transportProvider(new JdkTransportProvider())
            .listener(listener)
            .build()) {
      assertThrows(ReportRefusedException.class, () -> client.reportImage(KNOWN));
      client.accountGuard().lift();
    }
    assertEquals(2, log.lines("com.example.captcha.reports.account").size());
    assertEquals(
        Slf4jReportListener.DEFAULT_LOGGER_PREFIX, Slf4jReportListener.create().loggerPrefix());
  }

  @Test
  void theBuilderRefusesAPrefixThatIsNotALoggerName() {
    for (String bad : new String[] {"", ".a", "a.", "a..b", "a b", "a\tb"}) {
      assertThrows(
          IllegalArgumentException.class,
          () -> Slf4jReportListener.builder().loggerPrefix(bad),
          bad);
    }
    assertThrows(
        NullPointerException.class, () -> Slf4jReportListener.builder().loggerPrefix(null));
  }

  // ---- helpers ----

  private static CapReportClient client(RetryPolicy policy) {
    return client(KEY, capmonster.baseUrl(), policy);
  }

  private static CapReportClient client(String key, String baseUrl, RetryPolicy policy) {
    return CapReportClient.builder()
        .clientKey(key)
        .baseUrl(baseUrl)
        .transportProvider(new JdkTransportProvider())
        .retryPolicy(policy)
        .listener(Slf4jReportListener.create())
        .build();
  }

  /** Attempts 1 and 2 failed and were retried at INFO; the third ended the report. */
  private void assertRetriedThenEnded(String retryCause, Level level, String outcome) {
    List<Line> retries = log.lines(RETRY);
    assertEquals(2, retries.size(), log.lines().toString());
    for (int i = 0; i < 2; i++) {
      Line retry = retries.get(i);
      assertEquals(Level.INFO, retry.level);
      assertTrue(
          retry.message.startsWith(
              "reportIncorrectImageCaptcha task 42: attempt "
                  + (i + 1)
                  + " "
                  + retryCause
                  + ", retrying in "),
          retry.message);
    }
    assertEquals(3, log.lines(ATTEMPT).size());
    Line end = single(OUTCOME);
    assertEquals(level, end.level);
    assertTrue(end.message.contains(outcome), end.message);
  }

  /** The lines logged, in order, as (logger, level, start of the message) triples. */
  private void assertLines(Object... expected) {
    List<Line> lines = log.lines();
    assertEquals(expected.length / 3, lines.size(), lines.toString());
    for (int i = 0; i < lines.size(); i++) {
      Line line = lines.get(i);
      assertEquals(expected[3 * i], line.logger, line.printed());
      assertEquals(expected[3 * i + 1], line.level, line.printed());
      assertTrue(line.message.startsWith((String) expected[3 * i + 2]), line.printed());
    }
  }

  private Line single(String logger) {
    List<Line> lines = log.lines(logger);
    assertEquals(1, lines.size(), log.lines().toString());
    return lines.get(0);
  }

  private void awaitLine(String logger) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (log.lines(logger).isEmpty()) {
      if (System.nanoTime() - deadline > 0) {
        fail("nothing logged on " + logger + ": " + log.lines());
      }
      Thread.sleep(5);
    }
  }

  private static void assertNoKeyIn(List<Line> lines) {
    for (Line line : lines) {
      String printed = line.printed();
      for (String secret : new String[] {KEY, WRONG_KEY}) {
        if (printed.contains(secret)) {
          // Not the line itself: the test's output must not show the key either.
          fail("a client key was logged on " + line.logger + " at " + line.level);
        }
      }
    }
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  private static <T> Consumer<T> named(String name, Consumer<T> action) {
    return new Consumer<T>() {
      @Override
      public void accept(T t) {
        action.accept(t);
      }

      @Override
      public String toString() {
        return name;
      }
    };
  }
}
