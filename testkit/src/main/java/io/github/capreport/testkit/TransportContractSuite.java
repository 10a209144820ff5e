package io.github.capreport.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.capreport.CapReportClient;
import io.github.capreport.ReportEndpoint;
import io.github.capreport.RetryPolicy;
import io.github.capreport.TransportFailureException;
import io.github.capreport.spi.Exchange;
import io.github.capreport.spi.JsonBinding;
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
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
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
import java.util.function.Consumer;
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
 * <p>Behind a proxy, through a {@link ForwardProxy}: plain http as an absolute-form request, https
 * through a {@code CONNECT} tunnel whose bytes the proxy cannot read, Basic credentials for the
 * proxy alone, the JVM's proxy settings when the options set none and {@code noProxy()} against
 * them, and, through a {@link CapReportClient} over the transport, the typed failure of each way a
 * proxy fails: down, wrong credentials, a refused or failing {@code CONNECT}, a tunnel it closes.
 * Two cases set the JVM's {@code https.proxyHost}, {@code https.proxyPort} and {@code
 * http.nonProxyHosts} while they run, and put them back. A transport built on java.net.http needs
 * {@code -Djdk.http.auth.tunneling.disabledSchemes=} for the credentials case, as its users do.
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
  private static final String PROXY_USER = "proxy-user";
  private static final String PROXY_PASSWORD = "proxy-pass-6b1f0e";

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
    String coding = seen.header("Accept-Encoding");
    assertTrue(
        coding == null || coding.equals("identity"),
        "no content coding asked for (a gzipped answer would be read on one transport only): "
            + coding);
    assertEquals(USER_AGENT, seen.header("User-Agent"));
    assertEquals(String.valueOf(request.bodyLength()), seen.header("Content-Length"));
    assertNull(seen.header("Transfer-Encoding"), "the body goes with its length, not chunked");
    assertArrayEquals(request.body(), seen.body(), "the body, byte for byte");
    assertTrue(seen.isWellFormedReport(), seen.toString());
    assertEquals(200, result.status);
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain-key", "k\"e\\y/", "!#$%&'()*+,-.:;<=>?@[]^_`{|}~"})
  public void writesTheReportBodyExactly(String key) throws IOException {
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

  /**
   * The binding hands core each top-level member of the answer, a string's text, a number's literal
   * (never an integer for a number that is not one), null for any other value; core alone decides
   * which members count.
   */
  @Test
  public void readsTheAnswersTopLevelMembers() throws Exception {
    JsonBinding json = transport().json();
    assertEquals(
        Arrays.asList(
            "errorId#16", "errorCode=ERROR_X", "new=null", "errorDescription=d", "more=null"),
        members(
            json,
            "{\"errorId\":16,\"errorCode\":\"ERROR_X\",\"new\":{\"errorId\":0,\"a\":[1,2]},"
                + "\"errorDescription\":\"d\",\"more\":null}"));
    assertEquals(
        Arrays.asList(
            "errorId=0", "status#1", "errorCode=null", "x=null", "big#9223372036854775808"),
        members(
            json,
            "{\"errorId\":\"0\",\"status\":1,\"errorCode\":[],\"x\":true,"
                + "\"big\":9223372036854775808}"));
    for (String fraction : new String[] {"1.5", "1.0", "1e0", "-0.0"}) {
      List<String> seen = members(json, "{\"errorId\":" + fraction + "}");
      assertEquals(1, seen.size(), fraction);
      assertTrue(seen.get(0).startsWith("errorId#"), fraction);
      assertThrows(
          NumberFormatException.class,
          () -> Long.parseLong(seen.get(0).substring("errorId#".length())),
          fraction + " must not read as an integer");
    }
    assertEquals(
        Arrays.asList("errorId#0"),
        members(json, " {\"errorId\":0}\r\n\t \n"),
        "whitespace around the object");
    List<String> repeated = members(json, "{\"errorId\":0,\"errorId\":\"1\"}");
    assertEquals("errorId=1", repeated.get(repeated.size() - 1), "the last repeat is handed last");
    for (String notAnObject :
        new String[] {
          "[1]",
          "<html>",
          "{\"errorId\":",
          "\"x\"",
          "{\"errorId\":0} x",
          "{}{}",
          "{\"errorId\":0} // c",
          "{\"errorId\":0,}",
          "{'errorId':1}",
          "{\"errorId\":+1}",
          "{\"errorId\":007}"
        }) {
      assertThrows(Exception.class, () -> members(json, notAnObject), notAnObject);
    }
  }

  /** What a binding hands over: name#number, name=string, or name=null for any other value. */
  private static List<String> members(JsonBinding json, String body) throws Exception {
    List<String> seen = new ArrayList<>();
    json.readMembers(
        utf8(body), (name, isNumber, text) -> seen.add(name + (isNumber ? "#" : "=") + text));
    return seen;
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
    SelfSignedCertificate elsewhere = SelfSignedCertificate.forAnotherHost();
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

  // ---- the answer, as core reads it ----

  /**
   * {@link TransportResponse.Headers} lists the values of a header, matched without regard to case,
   * in the order received: core takes the first {@code Retry-After}, and this checks that it gets
   * the first of two.
   */
  @Test
  public void givesTheFirstValueOfARepeatedHeaderWhateverItsCase() throws Exception {
    String body = "{\"errorId\":0,\"status\":\"success\"}";
    try (EchoingServer server =
        EchoingServer.answering(
            "HTTP/1.1 200 OK\r\nretry-after: 7\r\nRETRY-AFTER: 9\r\n"
                + "Content-Type: application/json\r\nContent-Length: "
                + body.length()
                + "\r\nConnection: close\r\n\r\n"
                + body)) {
      Transport transport = transport();
      Exchange exchange = transport.newExchange(request(transport, server.baseUrl()));
      Future<String> first =
          callers.submit(
              () -> {
                try (TransportResponse response = exchange.execute()) {
                  readAll(response.body());
                  return response.header("Retry-After");
                }
              });
      assertEquals("7", first.get(WAIT_SECONDS, TimeUnit.SECONDS), "the first of two values");
    }
  }

  /** java.net.http throws IllegalArgumentException on a malformed Content-Length. */
  @Test
  public void aMalformedContentLengthIsAnIoExceptionNeverAnUncheckedOne() throws Exception {
    String body = "{\"errorId\":0,\"status\":\"success\"}";
    try (EchoingServer server =
        EchoingServer.answering(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: abc\r\n"
                + "Connection: close\r\n\r\n"
                + body)) {
      Transport transport = transport();
      Exchange exchange = transport.newExchange(request(transport, server.baseUrl()));
      Future<Object> outcome =
          callers.submit(
              () -> {
                try (TransportResponse response = exchange.execute()) {
                  readAll(response.body());
                  return "read";
                } catch (IOException e) {
                  return e;
                }
              });
      // An unchecked exception fails the get: core would call it the transport's bug.
      Object result = outcome.get(WAIT_SECONDS, TimeUnit.SECONDS);
      assertTrue(result.equals("read") || result instanceof IOException, String.valueOf(result));
    }
  }

  // ---- behind a proxy ----

  @Test
  public void reportsThroughAProxyAsAnAbsoluteFormRequest() throws Exception {
    ForwardProxy proxy = proxy(ForwardProxy.builder());
    Transport transport = transport(options().proxy("127.0.0.1", proxy.port()).build());
    assertEquals(200, run(transport.newExchange(request(transport, api.baseUrl()))).status);
    assertEquals(1, proxy.requestCount(), proxy.requests().toString());
    assertEquals("POST", proxy.lastRequest().method());
    assertEquals(api.baseUrl() + ReportEndpoint.IMAGE_CAPTCHA.path(), proxy.lastRequest().target());
    assertEquals(1, api.emulator().count(TASK_ID));
    assertTrue(api.emulator().lastRequest().isWellFormedReport());
    // Why plain http through a proxy must be allowed by name: the proxy reads the key.
    assertTrue(proxy.sawInClear(CLIENT_KEY), "over plain http the proxy sees the key");
  }

  @Test
  public void reportsOverTlsThroughAConnectTunnelThatHidesTheKey() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.forLoopback();
    CapMonsterEmulator https = https(cert);
    ForwardProxy proxy = proxy(ForwardProxy.builder());
    Transport transport =
        transport(
            options().sslContext(cert.clientContext()).proxy("127.0.0.1", proxy.port()).build());
    assertEquals(200, run(transport.newExchange(request(transport, https.baseUrl()))).status);
    assertEquals(1, https.count(TASK_ID));
    assertTrue(proxy.requestCount() > 0, "the report went through the proxy");
    for (ProxiedRequest asked : proxy.requests()) {
      assertEquals("CONNECT", asked.method(), asked.toString());
      assertEquals(https.baseUrl().substring("https://".length()), asked.target());
    }
    assertFalse(proxy.sawInClear(CLIENT_KEY), "the proxy saw the key in the clear");
  }

  @Test
  public void sendsProxyCredentialsToTheProxyAndNeverToTheApi() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.forLoopback();
    CapMonsterEmulator https = https(cert);
    ForwardProxy proxy = proxy(ForwardProxy.builder().basicAuth(PROXY_USER, PROXY_PASSWORD));
    Transport transport =
        transport(
            options()
                .sslContext(cert.clientContext())
                .proxy("127.0.0.1", proxy.port())
                .proxyCredentials(PROXY_USER, PROXY_PASSWORD)
                .build());
    assertEquals(200, run(transport.newExchange(request(transport, https.baseUrl()))).status);
    assertEquals(1, https.count(TASK_ID));
    assertEquals(200, proxy.lastRequest().status(), proxy.requests().toString());
    assertTrue(proxy.lastRequest().header("Proxy-Authorization") != null, "sent to the proxy");
    assertNull(https.lastRequest().header("Proxy-Authorization"), "sent to the API host");
    assertNull(https.lastRequest().header("Authorization"), "sent to the API host");
    assertFalse(proxy.sawInClear(CLIENT_KEY), "the proxy saw the key in the clear");
  }

  @Test
  public void goesThroughTheJvmsProxySettingsWhenTheOptionsSetNone() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.forLoopback();
    CapMonsterEmulator https = https(cert);
    ForwardProxy proxy = proxy(ForwardProxy.builder());
    withJvmProxy(
        proxy,
        () -> {
          Transport transport = transport(options().sslContext(cert.clientContext()).build());
          assertEquals(200, run(transport.newExchange(request(transport, https.baseUrl()))).status);
        });
    assertTrue(proxy.requestCount() > 0, "through https.proxyHost");
    assertEquals("CONNECT", proxy.lastRequest().method());
    assertEquals(1, https.count(TASK_ID));
  }

  @Test
  public void noProxyGoesStraightToTheApiWhateverTheJvmSays() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.forLoopback();
    CapMonsterEmulator https = https(cert);
    ForwardProxy proxy = proxy(ForwardProxy.builder());
    withJvmProxy(
        proxy,
        () -> {
          Transport transport =
              transport(options().sslContext(cert.clientContext()).noProxy().build());
          assertEquals(200, run(transport.newExchange(request(transport, https.baseUrl()))).status);
        });
    assertEquals(0, proxy.requestCount(), "requests through the proxy");
    assertEquals(1, https.count(TASK_ID));
  }

  @Test
  public void reportsToAnIpv6LiteralBaseUrl() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create("ip:::1");
    CapMonsterEmulator https = https(cert);
    Ipv6Relay relay = new Ipv6Relay(https.port());
    closeAfter.add(relay);
    Transport transport = transport(options().sslContext(cert.clientContext()).noProxy().build());
    assertEquals(
        200,
        run(transport.newExchange(request(transport, "https://[::1]:" + relay.port()))).status);
    assertEquals(1, https.count(TASK_ID));
    // Plain http to [::1] is loopback: the client takes it without allowPlainHttp.
    Ipv6Relay plain = new Ipv6Relay(api.emulator().port());
    closeAfter.add(plain);
    CapReportClient client = client("http://[::1]:" + plain.port(), b -> b.noProxy());
    assertEquals(1, client.reportImage(TASK_ID).attempts());
    assertEquals(1, api.emulator().count(TASK_ID));
  }

  /** What the suite's failing proxies do, with the failure each must be and its retryability. */
  public enum ProxyFault {
    DOWN(TransportFailureException.Kind.PROXY_UNREACHABLE),
    WRONG_CREDENTIALS(TransportFailureException.Kind.PROXY_AUTHENTICATION),
    NO_CREDENTIALS(TransportFailureException.Kind.PROXY_AUTHENTICATION),
    REFUSES_CONNECT_403(TransportFailureException.Kind.PROXY_REFUSED),
    CONNECT_502(TransportFailureException.Kind.PROXY_UPSTREAM),
    CONNECT_504(TransportFailureException.Kind.PROXY_UPSTREAM),
    CLOSES_THE_TUNNEL(TransportFailureException.Kind.PROXY_UPSTREAM);

    final TransportFailureException.Kind kind;

    ProxyFault(TransportFailureException.Kind kind) {
      this.kind = kind;
    }
  }

  @ParameterizedTest
  @EnumSource(ProxyFault.class)
  public void aFailingProxyIsATypedFailureThatNamesIt(ProxyFault fault) throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.forLoopback();
    CapMonsterEmulator https = https(cert);
    boolean authenticating =
        fault == ProxyFault.WRONG_CREDENTIALS || fault == ProxyFault.NO_CREDENTIALS;
    ForwardProxy.Builder builder = ForwardProxy.builder();
    ForwardProxy proxy =
        proxy(authenticating ? builder.basicAuth(PROXY_USER, PROXY_PASSWORD) : builder);
    int port = proxy.port();
    if (fault == ProxyFault.DOWN) {
      proxy.close(); // its port now refuses connections
    } else if (fault == ProxyFault.REFUSES_CONNECT_403) {
      proxy.fail(ForwardProxy.Failure.REFUSE_CONNECT_403);
    } else if (fault == ProxyFault.CONNECT_502) {
      proxy.fail(ForwardProxy.Failure.REFUSE_CONNECT_502);
    } else if (fault == ProxyFault.CONNECT_504) {
      proxy.fail(ForwardProxy.Failure.GATEWAY_TIMEOUT);
    } else if (fault == ProxyFault.CLOSES_THE_TUNNEL) {
      proxy.fail(ForwardProxy.Failure.CLOSE_TUNNEL);
    }
    String wrongPassword = "not-" + PROXY_PASSWORD;
    CapReportClient client =
        client(
            https.baseUrl(),
            b -> {
              b.sslContext(cert.clientContext()).proxy("127.0.0.1", port);
              if (fault == ProxyFault.WRONG_CREDENTIALS) {
                b.proxyCredentials(PROXY_USER, wrongPassword);
              }
            });
    TransportFailureException e =
        assertThrows(TransportFailureException.class, () -> client.reportImage(TASK_ID));
    assertEquals(fault.kind, e.kind(), e.getMessage());
    boolean retryable =
        fault.kind == TransportFailureException.Kind.PROXY_UNREACHABLE
            || fault.kind == TransportFailureException.Kind.PROXY_UPSTREAM;
    assertEquals(retryable, e.isRetryable(), "retryable: " + e.getMessage());
    assertFalse(e.mayHaveReachedServer(), e.getMessage());
    assertTrue(e.getMessage().contains("the proxy 127.0.0.1:" + port), e.getMessage());
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertFalse(String.valueOf(t).contains(wrongPassword), "the password in " + t);
      assertFalse(String.valueOf(t).contains(CLIENT_KEY), "the key in " + t);
    }
    assertEquals(0, https.requestCount(), "requests that reached the API");
  }

  @Test
  public void aProxyNeverGetsARetryOfCredentialsItRefused() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.forLoopback();
    ForwardProxy proxy = proxy(ForwardProxy.builder().basicAuth(PROXY_USER, PROXY_PASSWORD));
    CapReportClient client =
        client(
            https(cert).baseUrl(),
            b ->
                b.sslContext(cert.clientContext())
                    .proxy("127.0.0.1", proxy.port())
                    .proxyCredentials(PROXY_USER, "wrong")
                    .retryPolicy(RetryPolicy.defaults()));
    TransportFailureException e =
        assertThrows(TransportFailureException.class, () -> client.reportImage(TASK_ID));
    assertEquals(TransportFailureException.Kind.PROXY_AUTHENTICATION, e.kind());
    assertEquals(1, e.attempts(), "attempts of the report");
  }

  @Test
  public void aNameThatDoesNotResolveIsSaidSo() {
    TransportFailureException api =
        assertThrows(
            TransportFailureException.class,
            () -> client("https://api.capreport.invalid", b -> b.noProxy()).reportImage(TASK_ID));
    assertEquals(TransportFailureException.Kind.UNKNOWN_HOST, api.kind(), api.getMessage());
    assertTrue(api.getMessage().contains("could not resolve the host name of"), api.getMessage());
    TransportFailureException proxy =
        assertThrows(
            TransportFailureException.class,
            () ->
                client(
                        "https://api.capreport.invalid",
                        b -> b.proxy("proxy.capreport.invalid", 3128))
                    .reportImage(TASK_ID));
    assertEquals(
        TransportFailureException.Kind.PROXY_UNREACHABLE, proxy.kind(), proxy.getMessage());
    assertTrue(
        proxy
            .getMessage()
            .contains("could not resolve the host name of the proxy proxy.capreport.invalid:3128"),
        proxy.getMessage());
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

  private ForwardProxy proxy(ForwardProxy.Builder builder) {
    ForwardProxy proxy = builder.start();
    closeAfter.add(proxy);
    return proxy;
  }

  /**
   * A client over a transport of {@link #provider()}, with one attempt unless {@code configure}
   * says otherwise, closed after the case.
   */
  private CapReportClient client(String baseUrl, Consumer<CapReportClient.Builder> configure) {
    CapReportClient.Builder builder =
        CapReportClient.builder()
            .clientKey(CLIENT_KEY)
            .baseUrl(baseUrl)
            .transportProvider(provider())
            .retryPolicy(RetryPolicy.none())
            .requestTimeout(60, TimeUnit.SECONDS);
    configure.accept(builder);
    CapReportClient client = builder.build();
    closeAfter.add(client);
    return client;
  }

  private interface Body {
    void run() throws Exception;
  }

  /**
   * Runs {@code body} with the JVM's https proxy properties pointing at {@code proxy}, loopback not
   * excluded, and puts the properties back.
   */
  private static void withJvmProxy(ForwardProxy proxy, Body body) throws Exception {
    String[] names = {"https.proxyHost", "https.proxyPort", "http.nonProxyHosts"};
    // An empty http.nonProxyHosts, not a pattern: the JDK adds loopback to any other value.
    String[] values = {"127.0.0.1", String.valueOf(proxy.port()), ""};
    String[] saved = new String[names.length];
    for (int i = 0; i < names.length; i++) {
      saved[i] = System.getProperty(names[i]);
      System.setProperty(names[i], values[i]);
    }
    try {
      body.run();
    } finally {
      for (int i = 0; i < names.length; i++) {
        if (saved[i] == null) {
          System.clearProperty(names[i]);
        } else {
          System.setProperty(names[i], saved[i]);
        }
      }
    }
  }

  /** Relays connections on [::1] to a port on 127.0.0.1, where the emulator listens. */
  private static final class Ipv6Relay implements AutoCloseable {
    private final ServerSocket listener;
    private final int target;
    private final Set<Socket> sockets = java.util.concurrent.ConcurrentHashMap.newKeySet();

    Ipv6Relay(int target) throws IOException {
      this.listener = new ServerSocket(0, 50, InetAddress.getByName("::1"));
      this.target = target;
      start(this::accept);
    }

    int port() {
      return listener.getLocalPort();
    }

    private void accept() {
      while (!listener.isClosed()) {
        try {
          Socket in = listener.accept();
          sockets.add(in);
          Socket out = new Socket(InetAddress.getByName("127.0.0.1"), target);
          sockets.add(out);
          start(() -> pump(in, out));
          start(() -> pump(out, in));
        } catch (IOException closedOrRefused) {
          // Closed: the loop ends; refused: that connection ends.
        }
      }
    }

    private void pump(Socket from, Socket to) {
      byte[] buffer = new byte[8192];
      try {
        int n;
        while ((n = from.getInputStream().read(buffer)) >= 0) {
          to.getOutputStream().write(buffer, 0, n);
        }
        to.shutdownOutput();
      } catch (IOException broken) {
        closeQuietly(from);
        closeQuietly(to);
      }
    }

    private static void start(Runnable task) {
      Thread thread = new Thread(task, "contract-ipv6-relay");
      thread.setDaemon(true);
      thread.start();
    }

    private static void closeQuietly(Socket socket) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // Closing is all that is wanted.
      }
    }

    @Override
    public void close() throws IOException {
      listener.close();
      for (Socket socket : sockets) {
        closeQuietly(socket);
      }
    }
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
    try {
      return new TransportRequest(URI.create(baseUrl + endpoint.path()), endpoint, headers)
          .withBody(taskId, transport.json().reportBody(CLIENT_KEY, taskId));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("the binding could not write the body", e);
    }
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

  /**
   * How long an aborted exchange may take to fail: generous, since {@link Exchange#abort()} ends an
   * exchange promptly and a loaded machine only delays the thread it wakes. {@code
   * SuiteCatchesFlawsTest}, whose transport ignores aborts and so waits out the whole bound, makes
   * it shorter.
   */
  long abortWaitSeconds() {
    return WAIT_SECONDS;
  }

  private void expectFailure(Future<Result> running) throws InterruptedException {
    long waitSeconds = abortWaitSeconds();
    try {
      Result result = running.get(waitSeconds, TimeUnit.SECONDS);
      fail("the aborted exchange ended normally with HTTP " + result.status);
    } catch (ExecutionException e) {
      assertTrue(
          e.getCause() instanceof IOException,
          "an aborted exchange fails with an IOException, was " + e.getCause());
    } catch (TimeoutException e) {
      running.cancel(true);
      fail("abort() did not end the exchange within " + waitSeconds + " s");
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
