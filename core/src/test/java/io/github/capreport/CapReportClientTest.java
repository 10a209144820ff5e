package io.github.capreport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.capreport.spi.JsonBinding;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportRequest;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;

/** The client's own logic, with a scripted transport as the seam. Real HTTP is the testkit's. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CapReportClientTest {
  private static final String KEY = "client-key-under-test";
  private final ScriptedTransport transport = new ScriptedTransport();
  private CapReportClient built;

  @AfterEach
  void closeClient() {
    if (built != null) {
      built.close();
    }
  }

  private CapReportClient.Builder builder() {
    // One attempt: retries have their own tests.
    return CapReportClient.builder()
        .clientKey(KEY)
        .transport(transport)
        .retryPolicy(RetryPolicy.none());
  }

  private CapReportClient client() {
    built = builder().build();
    return built;
  }

  /** Hears an asynchronous report's outcome and the thread it came on. */
  private static final class Outcome implements ReportCallback {
    final CompletableFuture<Object> outcome = new CompletableFuture<>();
    volatile Thread thread;

    @Override
    public void onAccepted(ReportResult result) {
      thread = Thread.currentThread();
      outcome.complete(result);
    }

    @Override
    public void onFailed(CapReportException failure) {
      thread = Thread.currentThread();
      outcome.complete(failure);
    }

    Object get() throws Exception {
      return outcome.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void sendsTheReportToTheEndpointUnderTheBaseUrl() throws Exception {
    transport.then(Answers.success());
    try (CapReportClient client = builder().baseUrl("https://example.test/api/").build()) {
      assertEquals(
          new ReportResult(ReportEndpoint.TOKEN_CAPTCHA, 42L, 200),
          client.report(CaptchaKind.HCAPTCHA, 42L));
    }
    assertEquals(1, transport.sent().size());
    TransportRequest request = transport.sent().get(0);
    assertEquals("https://example.test/api/reportIncorrectTokenCaptcha", request.uri().toString());
    assertEquals(ReportEndpoint.TOKEN_CAPTCHA, request.endpoint());
    assertEquals(42L, request.taskId());
    assertEquals(
        "{\"clientKey\":\"" + KEY + "\",\"taskId\":42}",
        new String(request.body(), StandardCharsets.UTF_8));
    assertEquals(
        Arrays.asList("Content-Type", "Accept", "User-Agent"),
        Arrays.asList(request.headers().keySet().toArray()));
    assertEquals("application/json", request.headers().get("Content-Type"));
    assertEquals("application/json", request.headers().get("Accept"));
    String agent = request.headers().get("User-Agent");
    assertTrue(agent.matches("capreport/\\S+ \\(fake\\)"), agent);
  }

  @Test
  void everyReportReadsItsBodyAndClosesTheResponse() throws Exception {
    transport.otherwise(Answers.success());
    CapReportClient client = client();
    for (long id = 1; id <= 5; id++) {
      client.reportImage(id);
    }
    assertEquals(5, transport.sent().size());
    assertEquals(0, transport.inFlight(), "a response was left open");
    assertEquals(0, transport.aborted(), "a fully read answer needs no abort");
  }

  @Test
  void anOversizedAnswerDropsTheConnectionRatherThanDrainIt() {
    byte[] big = new byte[64 * 1024 + 1];
    Arrays.fill(big, (byte) ' ');
    transport.then(Answers.bytes(200, big));
    UnexpectedResponseException e =
        assertThrows(UnexpectedResponseException.class, () -> client().reportImage(5));
    assertTrue(e.getMessage().contains("larger than 65536 bytes"), e.getMessage());
    assertEquals(1, transport.aborted());
    assertEquals(0, transport.inFlight());
  }

  @Test
  void defaultsToTheVendorsApi() {
    assertEquals("https://api.capmonster.cloud", client().baseUrl());
  }

  @Test
  void theUserAgentCanBeReplaced() {
    assertEquals("my-app/2.0", builder().userAgent("my-app/2.0").build().userAgent());
    assertThrows(IllegalArgumentException.class, () -> builder().userAgent("a\r\nX-Evil: 1"));
    assertThrows(IllegalArgumentException.class, () -> builder().userAgent("приложение/1.0"));
  }

  @Test
  void aMissingKeyIsRejectedAtBuildTime() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> CapReportClient.builder().transport(transport).build());
    assertEquals("clientKey is null: it is required", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> CapReportClient.builder().clientKey(" \t").transport(transport).build());
    assertEquals("clientKey is blank: it is required", e.getMessage());
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {"key with space", "key\n", "kl\u00fcssel", "half\ud800surrogate"})
  void aKeyThatIsNotPrintableAsciiIsRejectedAtBuildTimeWithoutShowingIt(String key) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> CapReportClient.builder().clientKey(key).transport(transport).build());
    assertTrue(e.getMessage().contains("printable ASCII"), e.getMessage());
    assertFalse(e.getMessage().contains(key.trim()), e.getMessage());
  }

  @Test
  void plainHttpToARemoteHostIsRejectedUnlessAllowed() {
    assertThrows(
        IllegalArgumentException.class, () -> builder().baseUrl("http://api.example").build());
    assertEquals(
        "http://api.example",
        builder().baseUrl("http://api.example").allowPlainHttp(true).build().baseUrl());
  }

  @Test
  void aGivenTransportWithAConnectTimeoutFailsAtBuildNamingIt() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> builder().connectTimeout(3, TimeUnit.SECONDS).build());
    assertTrue(e.getMessage().startsWith("connectTimeout cannot apply to"), e.getMessage());
    assertTrue(e.getMessage().contains("transport(...)"), e.getMessage());
    assertEquals(0, transport.handed().size());
  }

  @Test
  void aGivenTransportWithAnSslContextFailsAtBuildNamingIt() throws Exception {
    SSLContext tls = SSLContext.getDefault();
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> builder().sslContext(tls).build());
    assertTrue(e.getMessage().startsWith("sslContext cannot apply to"), e.getMessage());
  }

  @Test
  void aGivenTransportKeepsTheClientsOwnLimits() {
    // The request timeout and maxConnections are core's, so they apply to any transport.
    builder().requestTimeout(5, TimeUnit.SECONDS).maxConnections(2).build().close();
  }

  @Test
  void badArgumentsFailBeforeAnyIo() throws Exception {
    CapReportClient client = client();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> client.reportImage(0));
    assertEquals("taskId must be a positive task id, was 0", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> client.reportToken(-7));
    assertThrows(
        IllegalArgumentException.class, () -> client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, -1));
    assertThrows(
        IllegalArgumentException.class,
        () -> client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 0, new Outcome()));
    assertThrows(NullPointerException.class, () -> client.report((ReportEndpoint) null, 1));
    assertThrows(NullPointerException.class, () -> client.report((CaptchaKind) null, 1));
    assertThrows(
        NullPointerException.class,
        () -> client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 1, null));
    assertEquals(0, transport.handed().size());
  }

  @Test
  void aClosedClientRefusesNewReports() throws Exception {
    CapReportClient client = client();
    client.close();
    assertThrows(IllegalStateException.class, () -> client.reportImage(1));
    assertThrows(
        IllegalStateException.class, () -> client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 1));
    assertThrows(
        IllegalStateException.class,
        () -> client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 1, new Outcome()));
    assertEquals(0, transport.handed().size());
  }

  @Test
  void closingNeverClosesATransportTheUserPassedIn() {
    builder().build().close();
    assertEquals(0, transport.closes());
  }

  @Test
  void closingClosesATransportTheClientCreatedOnce() {
    CapReportClient client =
        CapReportClient.builder().clientKey(KEY).transportProvider(transport.provider()).build();
    client.close();
    client.close();
    assertEquals(1, transport.closes());
  }

  @Test
  void theProviderGetsTheBuildersOptions() {
    ScriptedTransport.Provider provider = transport.provider();
    CapReportClient.builder()
        .clientKey(KEY)
        .transportProvider(provider)
        .connectTimeout(3, TimeUnit.SECONDS)
        .requestTimeout(1500, TimeUnit.MILLISECONDS)
        .maxConnections(8)
        .build()
        .close();
    TransportOptions options = provider.options;
    assertEquals(3000, options.connectTimeoutMillis());
    assertEquals(1500, options.requestTimeoutMillis());
    assertEquals(8, options.maxConnections());
    assertTrue(options.userAgent().endsWith("(made)"));
    assertNotNull(options.executor(), "core lends the transport its own threads");
  }

  @Test
  void theTransportIdCanBeChosenThroughDiscovery() {
    // core's test resources register a provider with id "test".
    try (CapReportClient client =
        CapReportClient.builder().clientKey(KEY).transportId("test").build()) {
      assertEquals("test", client.transportId());
    }
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> CapReportClient.builder().clientKey(KEY).transportId("nope").build());
    assertTrue(e.getMessage().contains("found: [test]"), e.getMessage());
  }

  @Test
  void aTransportFailureBecomesATypedException() throws Exception {
    ConnectException refused = new ConnectException("Connection refused");
    transport.then(ScriptedTransport.fail(refused));
    TransportFailureException e =
        assertThrows(TransportFailureException.class, () -> client().reportImage(5));
    assertSame(refused, e.getCause());
    assertEquals(TransportFailureException.Kind.CONNECT, e.kind());
    assertEquals(1, e.attempts());
    assertFalse(e.getMessage().contains("Gave up"), e.getMessage());
  }

  @Test
  void aBodyThatBreaksMidwayIsAnIoFailure() {
    transport.then(ScriptedTransport.breakMidway("{\"errorId\":"));
    TransportFailureException e =
        assertThrows(TransportFailureException.class, () -> client().reportImage(5));
    assertEquals(TransportFailureException.Kind.IO, e.kind());
    assertTrue(e.getMessage().contains("connection reset"), e.getMessage());
    assertEquals(0, transport.inFlight(), "the response was not closed");
  }

  @Test
  void aTransportThatThrowsUncheckedStillEndsInATypedException() throws Exception {
    transport.then(ScriptedTransport.crash(new IllegalStateException("bug")));
    TransportFailureException e =
        assertThrows(TransportFailureException.class, () -> client().reportImage(5));
    assertTrue(e.getMessage().contains("transport 'fake' failed unexpectedly"), e.getMessage());
  }

  @Test
  void aBindingThatCannotWriteTheBodyIsTheTransportsBugBeforeAnyIo() throws Exception {
    java.util.concurrent.atomic.AtomicInteger writes =
        new java.util.concurrent.atomic.AtomicInteger();
    JsonBinding broken =
        new JsonBinding() {
          @Override
          public byte[] reportBody(String clientKey, long taskId) throws IOException {
            writes.incrementAndGet();
            throw new IOException("cannot write " + clientKey); // the key, to see it redacted
          }

          @Override
          public void readMembers(byte[] json, Members members) throws Exception {
            ScriptedTransport.JSON.readMembers(json, members);
          }
        };
    transport.binding(broken);
    java.util.List<CapReportException> finished = new java.util.concurrent.CopyOnWriteArrayList<>();
    built =
        builder()
            .retryPolicy(RetryPolicy.builder().maxAttempts(3).build()) // would retry an I/O error
            .listener(
                new ReportListener() {
                  @Override
                  public void reportFinished(
                      ReportEndpoint endpoint,
                      long taskId,
                      int attempts,
                      ReportResult result,
                      CapReportException failure) {
                    finished.add(failure);
                  }
                })
            .build();
    TransportFailureException e =
        assertThrows(TransportFailureException.class, () -> built.reportImage(5));
    assertEquals(1, writes.get(), "not retried: writing it again fails again");
    assertTrue(e.getMessage().contains("for task 5 could not be sent"), e.getMessage());
    assertTrue(e.getMessage().contains("transport 'fake' failed unexpectedly"), e.getMessage());
    assertTrue(e.getMessage().contains("The report did not reach the server"), e.getMessage());
    assertEquals(TransportFailureException.Kind.TRANSPORT_BUG, e.kind());
    assertFalse(e.isRetryable(), "a retry cannot help: writing it again fails again");
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertFalse(String.valueOf(t).contains(KEY), "the key in " + t.getClass());
    }
    // Asynchronous and bulk reports end through their callback, future and outcome, as any
    // failure does: nothing is thrown at the caller, and a bulk report finishes.
    ExecutionException async =
        assertThrows(
            ExecutionException.class,
            () -> built.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 6).get(10, TimeUnit.SECONDS));
    assertInstanceOf(TransportFailureException.class, async.getCause());
    java.util.List<ReportOutcome> outcomes =
        built
            .reportAll(
                Arrays.asList(
                    ReportTask.of(ReportEndpoint.IMAGE_CAPTCHA, 7),
                    ReportTask.of(ReportEndpoint.IMAGE_CAPTCHA, 8)),
                1)
            .await(10, TimeUnit.SECONDS);
    assertEquals(2, outcomes.size());
    for (ReportOutcome outcome : outcomes) {
      assertEquals(ReportOutcome.Status.FAILED, outcome.status());
      assertInstanceOf(TransportFailureException.class, outcome.failure());
    }
    assertEquals(4, finished.size(), "the listener heard every report end");
    assertEquals(0, transport.handed().size(), "no exchange was made");
  }

  @Test
  void aTransportWhoseNewExchangeThrowsStillEndsInATypedException() throws Exception {
    transport.failNewExchange(new IllegalStateException("bug"));
    // A short retry deadline: see theAttemptsOfATransportWhoseNewExchangeThrowsAreBounded.
    built =
        builder()
            .retryPolicy(RetryPolicy.builder().maxAttempts(1).deadline(1, TimeUnit.SECONDS).build())
            .build();
    TransportFailureException e =
        assertThrows(TransportFailureException.class, () -> built.reportImage(5));
    assertTrue(e.getMessage().contains("transport 'fake' failed unexpectedly"), e.getMessage());
    assertTrue(e.getMessage().contains("The report did not reach the server"), e.getMessage());
    assertEquals(TransportFailureException.Kind.TRANSPORT_BUG, e.kind());
    assertFalse(e.isRetryable(), "the same transport fails the same way");
    ExecutionException async =
        assertThrows(
            ExecutionException.class,
            () -> built.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 6).get(10, TimeUnit.SECONDS));
    assertInstanceOf(TransportFailureException.class, async.getCause());
    assertEquals(0, transport.sent().size());
  }

  @Test
  void theAttemptsOfATransportWhoseNewExchangeThrowsAreBounded() {
    transport.failNewExchange(new IllegalStateException("bug"));
    CapReportClient client = client(); // RetryPolicy.none()
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> assertThrows(TransportFailureException.class, () -> client.reportImage(5)));
    assertEquals(1, transport.handed().size(), "newExchange was called again and again");
  }

  @Test
  void asyncReportsCompleteTheFuture() throws Exception {
    transport.then(Answers.success());
    CompletableFuture<ReportResult> future = client().reportAsync(CaptchaKind.TURNSTILE, 9L);
    assertEquals(
        new ReportResult(ReportEndpoint.TOKEN_CAPTCHA, 9L, 200), future.get(10, TimeUnit.SECONDS));
  }

  @Test
  void asyncRefusalsFailTheFutureWithTheTypedException() {
    transport.then(Answers.refusal(200, "ERROR_ZERO_BALANCE"));
    CompletableFuture<ReportResult> future = client().reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 9L);
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
    ReportRefusedException refusal = assertInstanceOf(ReportRefusedException.class, e.getCause());
    assertEquals(ApiErrorCode.ERROR_ZERO_BALANCE, refusal.errorCode());
  }

  @Test
  void asyncFailuresReachTheCallbackOnTheClientsThread() throws Exception {
    transport.then(ScriptedTransport.fail(new ConnectException("no")));
    Outcome outcome = new Outcome();
    ReportCall call = client().reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 3L, outcome);
    assertNotNull(call);
    TransportFailureException e = assertInstanceOf(TransportFailureException.class, outcome.get());
    assertEquals(TransportFailureException.Kind.CONNECT, e.kind());
    assertNotSame(Thread.currentThread(), outcome.thread);
    assertTrue(outcome.thread.getName().startsWith("capreport-"), outcome.thread.getName());
    assertFalse(call.isCancelled());
  }

  @Test
  void anAsyncTransportThatThrowsStillCompletesTheFuture() {
    transport.then(ScriptedTransport.crash(new IllegalStateException("bug")));
    CompletableFuture<ReportResult> future = client().reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 1L);
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
    assertInstanceOf(TransportFailureException.class, e.getCause());
  }

  @Test
  void aThrowingCallbackIsCalledOnceAndTheClientGoesOn() throws Exception {
    transport.otherwise(Answers.success());
    CapReportClient client = client();
    java.util.concurrent.atomic.AtomicInteger calls =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.CountDownLatch called = new java.util.concurrent.CountDownLatch(1);
    client.reportAsync(
        ReportEndpoint.IMAGE_CAPTCHA,
        1L,
        new ReportCallback() {
          @Override
          public void onAccepted(ReportResult result) {
            calls.incrementAndGet();
            called.countDown();
            throw new IllegalStateException("callback bug");
          }

          @Override
          public void onFailed(CapReportException failure) {
            calls.incrementAndGet();
          }
        });
    assertTrue(called.await(10, TimeUnit.SECONDS));
    // The next report on the same workers still completes.
    assertEquals(
        1,
        client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 2).get(10, TimeUnit.SECONDS).attempts());
    assertEquals(1, calls.get());
  }

  @Test
  void anExchangeAbortedByTheTransportItselfIsAnIoFailure() {
    transport.then(ScriptedTransport.fail(new IOException("stream was reset: CANCEL")));
    TransportFailureException e =
        assertThrows(TransportFailureException.class, () -> client().reportImage(5));
    assertEquals(TransportFailureException.Kind.IO, e.kind());
    assertTrue(e.isRetryable());
  }

  @Test
  void toStringNeverShowsTheKey() {
    CapReportClient client = client();
    assertFalse(client.toString().contains(KEY), client.toString());
    assertTrue(client.toString().contains("<redacted>"));
  }

  @Test
  void userAgentHeaderIsTheClientsUserAgent() throws Exception {
    transport.then(Answers.success());
    built = builder().userAgent("my-app/2.0").build();
    built.reportImage(1);
    assertEquals("my-app/2.0", transport.sent().get(0).headers().get("User-Agent"));
  }

  // ---- found from outside ----

  @Test
  void theTransportIsChosenOnceAndNeverAsNull() {
    assertThrows(NullPointerException.class, () -> CapReportClient.builder().transport(null));
    assertThrows(
        NullPointerException.class, () -> CapReportClient.builder().transportProvider(null));
    assertThrows(NullPointerException.class, () -> CapReportClient.builder().transportId(null));
    IllegalStateException twice =
        assertThrows(
            IllegalStateException.class,
            () ->
                CapReportClient.builder()
                    .clientKey(KEY)
                    .transport(transport)
                    .transportId("jdk")
                    .build());
    assertTrue(twice.getMessage().contains("set one of them"), twice.getMessage());
    assertThrows(
        IllegalStateException.class,
        () ->
            CapReportClient.builder()
                .clientKey(KEY)
                .transportProvider(transport.provider())
                .transportId("nope")
                .build());
  }

  @Test
  void aTimeoutLongerThanEveryTransportTakesIsRefusedByName() {
    IllegalArgumentException request =
        assertThrows(
            IllegalArgumentException.class,
            () -> CapReportClient.builder().requestTimeout(Long.MAX_VALUE, TimeUnit.MILLISECONDS));
    assertTrue(
        request.getMessage().startsWith("requestTimeout must be from 1 ms to 24 days"),
        request.getMessage());
    IllegalArgumentException connect =
        assertThrows(
            IllegalArgumentException.class,
            () -> CapReportClient.builder().connectTimeout(25, TimeUnit.DAYS));
    assertTrue(connect.getMessage().startsWith("connectTimeout"), connect.getMessage());
    CapReportClient.builder().requestTimeout(24, TimeUnit.DAYS).connectTimeout(24, TimeUnit.DAYS);
  }

  @Test
  void theGuardsOptionsNameThemselvesWhenRefused() {
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> AccountGuard.builder().holdFor(-1, TimeUnit.SECONDS))
            .getMessage()
            .startsWith("holdFor"));
    assertEquals(
        "holdFor unit == null",
        assertThrows(NullPointerException.class, () -> AccountGuard.builder().holdFor(1, null))
            .getMessage());
    assertEquals(
        "inMemory unit == null",
        assertThrows(NullPointerException.class, () -> ReportedTasks.inMemory(5, null, 10))
            .getMessage());
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> ReportedTasks.inMemory(0, TimeUnit.MINUTES, 10))
            .getMessage()
            .startsWith("inMemory"));
  }

  @Test
  void aHostJavaNetUriRefusesIsNamedAsSuch() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> builder().baseUrl("https://my_host.example.com").build());
    assertTrue(e.getMessage().contains("no '_'"), e.getMessage());
  }
}
