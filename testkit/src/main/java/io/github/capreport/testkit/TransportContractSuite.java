package io.github.capreport.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.capreport.CapReportClient;
import io.github.capreport.ReportEndpoint;
import io.github.capreport.spi.Exchange;
import io.github.capreport.spi.JsonBinding;
import io.github.capreport.spi.ResponseEnvelope;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportProvider;
import io.github.capreport.spi.TransportRequest;
import io.github.capreport.spi.TransportResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract every {@link Transport} passes, tested on the transport itself, not through the
 * client: real HTTP over loopback against a {@link CapMonsterEmulator} and a few hostile servers.
 * It tests HTTP, not capreport: the exact bytes on the wire, the JSON binding, no redirect
 * followed, no request sent twice, {@link Exchange#abort()} in every phase, connection reuse, TLS
 * trust and host names, the exception types core classifies, and what {@link Transport#close()}
 * releases. What a report means (retries, deadlines, bulk, redaction) is core's and tested once,
 * with {@link TransportConformanceSuite} and {@link TransportReliabilitySuite} on a reference
 * transport.
 *
 * <pre>{@code
 * class MyHttpTransportContractTest extends TransportContractSuite {
 *   @Override
 *   protected TransportProvider provider() {
 *     return new MyHttpTransportProvider();
 *   }
 * }
 * }</pre>
 *
 * <p>No case asserts on elapsed time: the transport is built with a 60 s request timeout, so an
 * exchange that ends sooner after an abort ended because of the abort; each wait is bounded only so
 * that a hung transport fails the case instead of the build.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class TransportContractSuite {
  protected static final String CLIENT_KEY = "contract-client-key-5d2c8e1a93";
  protected static final long TASK_ID = 7654321L;
  private static final String USER_AGENT = CapReportClient.defaultUserAgent("contract");
  private static final long WAIT_SECONDS = 20;

  @RegisterExtension
  final CapMonsterEmulatorExtension api =
      new CapMonsterEmulatorExtension(
          CapMonsterEmulator.builder().clientKey(CLIENT_KEY).taskIds(TASK_ID));

  /** Where redirects point; nothing may reach it. */
  @RegisterExtension
  final CapMonsterEmulatorExtension otherHost =
      new CapMonsterEmulatorExtension(
          CapMonsterEmulator.builder().clientKey(CLIENT_KEY).acceptAnyTaskId());

  private final List<AutoCloseable> closeAfter = Collections.synchronizedList(new ArrayList<>());
  private final ExecutorService callers = Executors.newCachedThreadPool();
  private final Map<Exchange, Thread> running = new java.util.concurrent.ConcurrentHashMap<>();

  /** The transport under test. */
  protected abstract TransportProvider provider();

  /**
   * For a transport that takes the user's own HTTP client: one over a client of the user's that
   * trusts {@code trust}, as a user would build it, closing that client when it closes. Null (the
   * default) skips the case.
   */
  protected Transport transportWithOwnClientTrusting(SSLContext trust, long requestTimeoutMillis) {
    return null;
  }

  @AfterEach
  public void closeWhatTheCaseOpened() throws Exception {
    callers.shutdownNow();
    for (AutoCloseable closeable : new ArrayList<>(closeAfter)) {
      closeable.close();
    }
  }

  // ---- the request ----

  @ParameterizedTest
  @EnumSource(ReportEndpoint.class)
  public void sendsExactlyTheRequestItIsGiven(ReportEndpoint endpoint) throws Exception {
    Transport transport = transport();
    TransportRequest request = request(transport, api.baseUrl(), endpoint, TASK_ID);
    Result result = run(transport.newExchange(request));
    RecordedRequest seen = api.emulator().lastRequest();
    assertEquals("POST", seen.method());
    assertEquals(endpoint.path(), seen.path());
    assertNull(seen.query());
    assertEquals("application/json", seen.header("Content-Type"));
    assertEquals("application/json", seen.header("Accept"));
    assertEquals(USER_AGENT, seen.header("User-Agent"));
    assertEquals(String.valueOf(request.bodyLength()), seen.header("Content-Length"));
    assertNull(seen.header("Transfer-Encoding"), "the body goes with its length, not chunked");
    assertArrayEquals(request.body(), seen.body(), "the body, byte for byte");
    assertTrue(seen.isWellFormedReport(), seen.toString());
    assertEquals(200, result.status);
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain-key", "k\"e\\y/", "!#$%&'()*+,-.:;<=>?@[]^_`{|}~"})
  public void writesTheReportBodyExactly(String key) {
    JsonBinding json = transport().json();
    for (long taskId : new long[] {1, 9_000_000_000L, Long.MAX_VALUE}) {
      String expected =
          "{\"clientKey\":\""
              + key.replace("\\", "\\\\").replace("\"", "\\\"")
              + "\",\"taskId\":"
              + taskId
              + "}";
      assertEquals(
          expected, new String(json.reportBody(key, taskId), StandardCharsets.UTF_8), "for " + key);
    }
  }

  @Test
  public void readsTheEnvelopeIgnoringWhatItDoesNotKnow() throws Exception {
    JsonBinding json = transport().json();
    ResponseEnvelope refused =
        json.envelope(
            utf8(
                "{\"errorId\":16,\"errorCode\":\"ERROR_X\",\"errorDescription\":\"d\","
                    + "\"new\":{\"nested\":[1,2]},\"more\":null}"));
    assertEquals(Long.valueOf(16), refused.errorId());
    assertEquals("ERROR_X", refused.errorCode());
    assertEquals("d", refused.errorDescription());
    assertNull(refused.status());
    ResponseEnvelope mistyped =
        json.envelope(utf8("{\"errorId\":\"0\",\"status\":1,\"errorCode\":[]}"));
    assertNull(mistyped.errorId(), "a string is not an errorId");
    assertNull(mistyped.status());
    assertNull(mistyped.errorCode());
    assertNull(json.envelope(utf8("{\"errorId\":1.5}")).errorId(), "nor is a fraction");
    for (String notAnObject : new String[] {"[1]", "<html>", "{\"errorId\":", "\"x\""}) {
      assertThrows(Exception.class, () -> json.envelope(utf8(notAnObject)), notAnObject);
    }
  }

  // ---- what a transport must never do on its own ----

  @ParameterizedTest(name = "HTTP {0}")
  @ValueSource(ints = {301, 302, 303, 307, 308})
  public void neverFollowsARedirect(int status) throws Exception {
    api.emulator()
        .nextRequest()
        .redirect(status, otherHost.baseUrl() + ReportEndpoint.IMAGE_CAPTCHA.path());
    Transport transport = transport();
    Result result = run(transport.newExchange(request(transport, api.baseUrl())));
    assertEquals(status, result.status, "the redirect itself is the answer");
    assertEquals(0, otherHost.emulator().requestCount(), "requests that followed the redirect");
  }

  /** What invites an HTTP library to send a request again by itself. */
  public enum Invitation {
    UNAVAILABLE_RETRY_AT_ONCE(503, "Retry-After", "0"),
    TOO_MANY_REQUESTS_RETRY_AT_ONCE(429, "Retry-After", "0"),
    REQUEST_TIMEOUT(408, "Connection", "close"),
    AUTHENTICATE(401, "WWW-Authenticate", "Basic realm=\"api\""),
    MISDIRECTED(421, "X-Nothing", "-");

    final int status;
    final String header;
    final String value;

    Invitation(int status, String header, String value) {
      this.status = status;
      this.header = header;
      this.value = value;
    }
  }

  @ParameterizedTest
  @EnumSource(Invitation.class)
  public void neverSendsARequestTwice(Invitation invitation) throws Exception {
    api.emulator()
        .nextRequests(2)
        .respond(
            invitation.status,
            "text/html",
            "<html>again?</html>",
            Collections.singletonMap(invitation.header, invitation.value));
    Transport transport = transport();
    Result result = run(transport.newExchange(request(transport, api.baseUrl())));
    assertEquals(invitation.status, result.status);
    assertEquals(1, api.emulator().requestCount(), "requests that reached the server");
  }

  @Test
  public void neverSendsARequestTwiceAfterTheConnectionDrops() throws Exception {
    api.emulator().nextRequests(2).closeConnection();
    Transport transport = transport();
    Exchange exchange = transport.newExchange(request(transport, api.baseUrl()));
    assertThrows(IOException.class, () -> run(exchange));
    assertEquals(1, api.emulator().requestCount(), "requests that reached the server");
  }

  @Test
  public void failsTheReadOfABodyCutShort() throws Exception {
    api.emulator().nextRequest().closeMidAnswer();
    Transport transport = transport();
    assertThrows(
        IOException.class, () -> run(transport.newExchange(request(transport, api.baseUrl()))));
  }

  // ---- abort ----

  @Test
  public void abortBeforeExecuteSendsNothing() throws Exception {
    Transport transport = transport();
    Exchange exchange = transport.newExchange(request(transport, api.baseUrl()));
    exchange.abort();
    assertThrows(IOException.class, () -> run(exchange));
    assertEquals(0, api.emulator().requestCount(), "requests that reached the server");
  }

  @Test
  public void abortEndsAnExchangeStillConnecting() throws Exception {
    // Over https a server that never answers holds the client in its TLS handshake.
    try (EchoingServer silent = EchoingServer.silent()) {
      Transport transport = transport();
      String baseUrl = silent.baseUrl().replace("http://", "https://");
      Exchange exchange = transport.newExchange(request(transport, baseUrl));
      Future<Result> outcome = start(exchange);
      awaitTrue(() -> silent.connections() > 0, "the client connected");
      awaitTrue(() -> running.containsKey(exchange), "the exchange runs");
      abort(exchange);
      expectFailure(outcome);
    }
  }

  @Test
  public void abortEndsAnExchangeWaitingForItsAnswer() throws Exception {
    api.emulator().nextRequest().neverAnswer();
    Transport transport = transport();
    Exchange exchange = transport.newExchange(request(transport, api.baseUrl()));
    Future<Result> outcome = start(exchange);
    assertTrue(api.emulator().awaitRequests(1, WAIT_SECONDS, TimeUnit.SECONDS), "request sent");
    abort(exchange);
    expectFailure(outcome);
    assertTrue(
        api.emulator().awaitOpenConnectionsAtMost(0, WAIT_SECONDS, TimeUnit.SECONDS),
        "the aborted connection is closed, not kept for reuse");
  }

  @Test
  public void abortEndsTheReadOfASlowBody() throws Exception {
    api.emulator().nextRequest().drip(1, TimeUnit.SECONDS);
    Transport transport = transport();
    final Exchange exchange = transport.newExchange(request(transport, api.baseUrl()));
    final CountDownLatch reading = new CountDownLatch(1);
    Future<Result> outcome =
        callers.submit(
            () -> {
              running.put(exchange, Thread.currentThread());
              try (TransportResponse response = exchange.execute()) {
                assertEquals(200, response.statusCode());
                InputStream body = response.body();
                assertTrue(body.read() >= 0, "the first byte arrives");
                reading.countDown();
                return new Result(response.statusCode(), readAll(body));
              }
            });
    assertTrue(reading.await(WAIT_SECONDS, TimeUnit.SECONDS), "the body started");
    abort(exchange);
    expectFailure(outcome);
  }

  @Test
  public void abortIsHarmlessAfterTheExchangeEnded() throws Exception {
    Transport transport = transport();
    Exchange exchange = transport.newExchange(request(transport, api.baseUrl()));
    assertEquals(200, run(exchange).status);
    exchange.abort();
    exchange.abort();
    assertEquals(200, run(transport.newExchange(request(transport, api.baseUrl()))).status);
  }

  // ---- connections ----

  @Test
  public void reusesItsConnectionForSequentialExchanges() throws Exception {
    Transport transport = transport();
    for (int i = 0; i < 10; i++) {
      assertEquals(200, run(transport.newExchange(request(transport, api.baseUrl()))).status);
    }
    assertEquals(10, api.emulator().requestCount());
    assertTrue(
        api.emulator().connectionsSeen() <= 2,
        "connections for 10 sequential exchanges: " + api.emulator().connectionsSeen());
  }

  @Test
  public void closeReleasesItsConnectionsAndItStartsNoThreadOfItsOwn() throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    Transport transport = provider().create(options().build());
    for (int i = 0; i < 3; i++) {
      assertEquals(200, run(transport.newExchange(request(transport, api.baseUrl()))).status);
    }
    assertTrue(api.emulator().openConnections() > 0, "a connection is kept for reuse");
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (!before.contains(thread) && thread.getName().startsWith("capreport")) {
        fail("the transport started a thread of its own: " + thread.getName());
      }
    }
    transport.close();
    transport = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (api.emulator().openConnections() > 0 && System.nanoTime() - deadline < 0) {
      // Before Java 21 java.net.http closes its connections only once the client is collected.
      System.gc();
      Thread.sleep(50);
    }
    assertEquals(0, api.emulator().openConnections(), "connections open after close()");
  }

  // ---- failures core classifies by their type ----

  @Test
  public void aClosedPortIsAConnectException() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = socket.getLocalPort();
    }
    Transport transport = transport();
    IOException e =
        assertThrows(
            IOException.class,
            () -> run(transport.newExchange(request(transport, "http://127.0.0.1:" + port))));
    assertTrue(e instanceof ConnectException, "a ConnectException, was " + e);
  }

  @Test
  public void anUntrustedCertificateIsAnSslException() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.forLoopback();
    CapMonsterEmulator https = https(cert);
    Transport transport = transport();
    IOException e =
        assertThrows(
            IOException.class,
            () -> run(transport.newExchange(request(transport, https.baseUrl()))));
    assertTrue(e instanceof SSLException, "an SSLException, was " + e);
    assertEquals(0, https.requestCount(), "requests that reached the server");
  }

  @Test
  public void aTrustedCertificateForAnotherHostIsAnSslException() throws Exception {
    SelfSignedCertificate elsewhere = SelfSignedCertificate.create("dns:elsewhere.invalid");
    CapMonsterEmulator https = https(elsewhere);
    Transport transport = transport(options().sslContext(elsewhere.clientContext()).build());
    IOException e =
        assertThrows(
            IOException.class,
            () -> run(transport.newExchange(request(transport, https.baseUrl()))));
    assertTrue(e instanceof SSLException, "an SSLException, was " + e);
    assertEquals(0, https.requestCount(), "requests that reached the server");
  }

  @Test
  public void trustsTheCertificateOfItsOptions() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.forLoopback();
    CapMonsterEmulator https = https(cert);
    Transport transport = transport(options().sslContext(cert.clientContext()).build());
    assertEquals(200, run(transport.newExchange(request(transport, https.baseUrl()))).status);
    assertEquals(1, https.count(TASK_ID));
  }

  @Test
  public void trustsTheCertificateOfAUsersOwnClient() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.forLoopback();
    Transport transport = transportWithOwnClientTrusting(cert.clientContext(), 60_000);
    org.junit.jupiter.api.Assumptions.assumeTrue(
        transport != null, "the transport takes no HTTP client of the user's");
    closeAfter.add(transport);
    CapMonsterEmulator https = https(cert);
    assertEquals(200, run(transport.newExchange(request(transport, https.baseUrl()))).status);
    assertEquals(1, https.count(TASK_ID));
  }

  @Test
  public void httpsToAPlainHttpPortIsAnSslException() throws Exception {
    try (EchoingServer plain =
        EchoingServer.answeringAtOnce(
            "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")) {
      Transport transport = transport();
      String baseUrl = plain.baseUrl().replace("http://", "https://");
      IOException e =
          assertThrows(
              IOException.class, () -> run(transport.newExchange(request(transport, baseUrl))));
      assertTrue(e instanceof SSLException, "an SSLException, was " + e);
    }
  }

  // ---- helpers ----

  /** The options the suite builds transports with: a 60 s request timeout, so only aborts end. */
  protected TransportOptions.Builder options() {
    return TransportOptions.builder()
        .connectTimeout(10, TimeUnit.SECONDS)
        .requestTimeout(60, TimeUnit.SECONDS)
        .maxConnections(8)
        .userAgent(USER_AGENT);
  }

  /** A transport from {@link #provider()} with {@link #options()}, closed after the case. */
  protected Transport transport() {
    return transport(options().build());
  }

  protected Transport transport(TransportOptions options) {
    Transport transport = provider().create(options);
    closeAfter.add(transport);
    return transport;
  }

  private TransportRequest request(Transport transport, String baseUrl) {
    return request(transport, baseUrl, ReportEndpoint.IMAGE_CAPTCHA, TASK_ID);
  }

  private static TransportRequest request(
      Transport transport, String baseUrl, ReportEndpoint endpoint, long taskId) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("Accept", "application/json");
    headers.put("User-Agent", USER_AGENT);
    return new TransportRequest(URI.create(baseUrl + endpoint.path()), endpoint, headers)
        .withBody(taskId, transport.json().reportBody(CLIENT_KEY, taskId));
  }

  private CapMonsterEmulator https(SelfSignedCertificate cert) {
    CapMonsterEmulator https = ClientSuiteHarness.startHttpsEmulator(cert, CLIENT_KEY, TASK_ID);
    closeAfter.add(https);
    return https;
  }

  private static final class Result {
    final int status;
    final byte[] body;

    Result(int status, byte[] body) {
      this.status = status;
      this.body = body;
    }
  }

  /** Runs the exchange on another thread, reading the whole answer: a hang fails the case. */
  private Result run(Exchange exchange) throws Exception {
    try {
      return start(exchange).get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException) {
        throw (IOException) e.getCause();
      }
      throw new AssertionError("the exchange failed with something else", e.getCause());
    } catch (TimeoutException e) {
      exchange.abort();
      throw new AssertionError("no outcome within " + WAIT_SECONDS + " s", e);
    }
  }

  private Future<Result> start(final Exchange exchange) {
    return callers.submit(
        new Callable<Result>() {
          @Override
          public Result call() throws Exception {
            running.put(exchange, Thread.currentThread());
            try (TransportResponse response = exchange.execute()) {
              return new Result(response.statusCode(), readAll(response.body()));
            } finally {
              running.remove(exchange);
            }
          }
        });
  }

  /**
   * Aborts as core does: {@link Exchange#abort()}, and for an exchange that {@linkplain
   * Exchange#abortsByInterrupt() needs it} an interrupt of the thread running it.
   */
  protected final void abort(Exchange exchange) {
    exchange.abort();
    Thread runner = running.get(exchange);
    if (runner != null && exchange.abortsByInterrupt()) {
      runner.interrupt();
    }
  }

  private static void expectFailure(Future<Result> running) throws InterruptedException {
    try {
      Result result = running.get(WAIT_SECONDS, TimeUnit.SECONDS);
      fail("the aborted exchange ended normally with HTTP " + result.status);
    } catch (ExecutionException e) {
      assertTrue(
          e.getCause() instanceof IOException,
          "an aborted exchange fails with an IOException, was " + e.getCause());
    } catch (TimeoutException e) {
      running.cancel(true);
      fail("abort() did not end the exchange within " + WAIT_SECONDS + " s");
    }
  }

  private static byte[] readAll(InputStream body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (body == null) {
      return out.toByteArray();
    }
    byte[] buffer = new byte[4096];
    int n;
    while ((n = body.read(buffer)) >= 0) {
      out.write(buffer, 0, n);
      if (out.size() > 1 << 20) {
        throw new AssertionError("a body over 1 MiB where a small one was expected");
      }
    }
    return out.toByteArray();
  }

  private interface Condition {
    boolean holds();
  }

  private static void awaitTrue(Condition condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!condition.holds()) {
      if (System.nanoTime() - deadline >= 0) {
        fail("not within " + WAIT_SECONDS + " s: " + what);
      }
      Thread.sleep(10);
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
