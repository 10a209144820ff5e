package io.github.capreport.testkit;

import static io.github.capreport.testkit.Http.KEY;
import static io.github.capreport.testkit.Http.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The forward proxy between plain JDK clients and the emulator, over loopback: forwarded requests,
 * CONNECT tunnels with TLS end to end, Basic credentials, failures, and what it records.
 */
@Timeout(30)
class ForwardProxyTest {
  private static final String PATH = "/reportIncorrectImageCaptcha";
  private static final String SUCCESS = "{\"errorId\":0,\"status\":\"success\"}";
  private static final SelfSignedCertificate CERT = SelfSignedCertificate.forLoopback();
  private static final String CREDENTIALS =
      "Basic " + Base64.getEncoder().encodeToString("user:s3cret".getBytes(StandardCharsets.UTF_8));

  private final List<AutoCloseable> started = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable closeable : started) {
      closeable.close();
    }
  }

  private <T extends AutoCloseable> T keep(T closeable) {
    started.add(closeable);
    return closeable;
  }

  private CapMonsterEmulator http() {
    return keep(CapMonsterEmulator.builder().clientKey(KEY).taskIds(7).start());
  }

  private CapMonsterEmulator https() {
    return keep(
        CapMonsterEmulator.builder().https(CERT.serverContext()).clientKey(KEY).taskIds(7).start());
  }

  private ForwardProxy proxy() {
    return keep(ForwardProxy.start());
  }

  private ForwardProxy proxyWithAuth() {
    return keep(ForwardProxy.builder().basicAuth("user", "s3cret").start());
  }

  /** A report POSTed through the proxy with {@link HttpURLConnection}. */
  private static Http.Answer post(ForwardProxy proxy, String url, String proxyAuthorization)
      throws IOException {
    HttpURLConnection connection = (HttpURLConnection) new URL(url).openConnection(proxy.asProxy());
    if (connection instanceof HttpsURLConnection) {
      ((HttpsURLConnection) connection)
          .setSSLSocketFactory(CERT.clientContext().getSocketFactory());
    }
    connection.setConnectTimeout(5_000);
    connection.setReadTimeout(10_000);
    connection.setRequestMethod("POST");
    connection.setDoOutput(true);
    connection.setRequestProperty("Content-Type", "application/json");
    if (proxyAuthorization != null) {
      connection.setRequestProperty("Proxy-Authorization", proxyAuthorization);
    }
    try (OutputStream out = connection.getOutputStream()) {
      out.write(report(KEY, 7).getBytes(StandardCharsets.UTF_8));
    }
    int status = connection.getResponseCode();
    InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
    String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    Map<String, List<String>> headers = connection.getHeaderFields();
    connection.disconnect();
    return new Http.Answer(status, connection.getContentType(), body, headers);
  }

  /** Sends CONNECT on a new socket; returns the socket, the proxy's answer head read. */
  private static Socket connect(ForwardProxy proxy, int port, String proxyAuthorization)
      throws IOException {
    Socket socket = new Socket("127.0.0.1", proxy.port());
    socket.setSoTimeout(10_000);
    String authority = "127.0.0.1:" + port;
    String head =
        "CONNECT "
            + authority
            + " HTTP/1.1\r\nHost: "
            + authority
            + "\r\n"
            + (proxyAuthorization != null
                ? "Proxy-Authorization: " + proxyAuthorization + "\r\n"
                : "")
            + "\r\n";
    socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    return socket;
  }

  private static String statusLine(Socket socket) throws IOException {
    HttpHead head = HttpHead.read(socket.getInputStream());
    return head == null ? "" : head.startLine();
  }

  @Test
  void forwardsAPlainRequestAndRecordsIt() throws IOException {
    CapMonsterEmulator emulator = http();
    ForwardProxy proxy = proxy();
    Http.Answer answer = post(proxy, emulator.baseUrl() + PATH, null);
    assertEquals(200, answer.status());
    assertEquals(SUCCESS, answer.body());
    assertEquals("close", answer.header("Connection"));

    ProxiedRequest asked = proxy.lastRequest();
    assertEquals(1, proxy.requestCount());
    assertEquals("POST", asked.method());
    assertEquals(emulator.baseUrl() + PATH, asked.target(), "absolute-form");
    assertFalse(asked.isConnect());
    assertEquals(200, asked.status());
    assertNull(asked.failure());
    assertEquals("application/json", asked.header("content-type"));
    String fromClient = new String(asked.bytesFromClient(), StandardCharsets.UTF_8);
    assertTrue(fromClient.startsWith("POST " + emulator.baseUrl() + PATH + " HTTP/1.1\r\n"));
    assertTrue(fromClient.endsWith(report(KEY, 7)), fromClient);
    assertTrue(new String(asked.bytesToClient(), StandardCharsets.UTF_8).endsWith(SUCCESS));
    assertTrue(proxy.sawInClear(KEY), "over plain HTTP the key passes in the clear");
    assertFalse(asked.toString().contains(KEY), asked.toString());

    RecordedRequest arrived = emulator.lastRequest();
    assertEquals(PATH, arrived.path(), "origin-form at the origin");
    assertEquals(7L, arrived.taskId());
    assertEquals("close", arrived.header("Connection"));
    assertNull(arrived.header("Proxy-Connection"));
  }

  @Test
  void tunnelsTlsEndToEndWithoutSeeingTheKey() throws IOException {
    CapMonsterEmulator emulator = https();
    ForwardProxy proxy = proxy();
    Http.Answer answer = post(proxy, emulator.baseUrl() + PATH, null);
    assertEquals(200, answer.status());
    assertEquals(SUCCESS, answer.body());
    assertEquals(7L, emulator.lastRequest().taskId());

    ProxiedRequest asked = proxy.lastRequest();
    assertTrue(asked.isConnect());
    assertEquals("127.0.0.1:" + emulator.port(), asked.target());
    assertEquals(200, asked.status());
    assertTrue(asked.bytesToClient().length > 0, "the server's TLS records");
    assertFalse(proxy.sawInClear(KEY), "the key went through encrypted");
    assertFalse(proxy.sawInClear("reportIncorrect"), "so did the path");
    assertTrue(proxy.sawInClear("CONNECT 127.0.0.1:"), "the CONNECT head itself is plain");
  }

  @Test
  void asksForCredentialsWith407ThenForwards() throws IOException {
    CapMonsterEmulator emulator = http();
    ForwardProxy proxy = proxyWithAuth();
    Http.Answer refused = post(proxy, emulator.baseUrl() + PATH, null);
    assertEquals(407, refused.status());
    assertEquals("Basic realm=\"capreport-testkit-proxy\"", refused.header("Proxy-Authenticate"));
    String wrong =
        "Basic "
            + Base64.getEncoder().encodeToString("user:guess".getBytes(StandardCharsets.UTF_8));
    assertEquals(407, post(proxy, emulator.baseUrl() + PATH, wrong).status());
    assertEquals(0, emulator.requestCount(), "nothing reached the origin");

    Http.Answer accepted = post(proxy, emulator.baseUrl() + PATH, CREDENTIALS);
    assertEquals(200, accepted.status());
    assertEquals(SUCCESS, accepted.body());
    List<ProxiedRequest> asked = proxy.requests();
    assertEquals(List.of(407, 407, 200), asked.stream().map(ProxiedRequest::status).toList());
    assertEquals(CREDENTIALS, asked.get(2).header("Proxy-Authorization"));
    assertNull(
        emulator.lastRequest().header("Proxy-Authorization"), "credentials stop at the proxy");
    assertTrue(asked.get(2).toString().contains("Proxy-Authorization=<redacted>"));
    assertFalse(asked.get(2).toString().contains(CREDENTIALS.substring(6)));
    assertFalse(proxy.toString().contains("s3cret"));
  }

  @Test
  void tunnelsTlsAfterA407WhenGivenCredentials() throws IOException {
    CapMonsterEmulator emulator = https();
    ForwardProxy proxy = proxyWithAuth();
    try (Socket refused = connect(proxy, emulator.port(), null)) {
      assertEquals("HTTP/1.1 407 Proxy Authentication Required", statusLine(refused));
    }
    try (Socket tunnel = connect(proxy, emulator.port(), CREDENTIALS)) {
      assertEquals("HTTP/1.1 200 Connection established", statusLine(tunnel));
      SSLSocket tls =
          (SSLSocket)
              CERT.clientContext()
                  .getSocketFactory()
                  .createSocket(tunnel, "127.0.0.1", emulator.port(), true);
      Http.writeRequest(tls, PATH, report(KEY, 7), true);
      String answer = Http.readUntilClosed(tls);
      assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
      assertTrue(answer.endsWith(SUCCESS), answer);
    }
    assertEquals(7L, emulator.lastRequest().taskId());
    assertNull(emulator.lastRequest().header("Proxy-Authorization"));
    assertEquals(CREDENTIALS, proxy.lastRequest().header("Proxy-Authorization"));
    assertFalse(proxy.sawInClear(KEY));
  }

  @ParameterizedTest
  @EnumSource(
      value = ForwardProxy.Failure.class,
      names = {"REFUSE_CONNECT_403", "REFUSE_CONNECT_502"})
  void refusesConnectButStillForwards(ForwardProxy.Failure failure) throws IOException {
    CapMonsterEmulator tls = https();
    CapMonsterEmulator plain = http();
    ForwardProxy proxy = proxy().fail(failure);
    int status = failure == ForwardProxy.Failure.REFUSE_CONNECT_403 ? 403 : 502;
    IOException e = assertThrows(IOException.class, () -> post(proxy, tls.baseUrl() + PATH, null));
    assertTrue(e.getMessage().contains("" + status), e.getMessage());
    assertEquals(0, tls.requestCount());
    assertEquals(status, proxy.lastRequest().status());
    assertEquals(failure, proxy.lastRequest().failure());

    assertEquals(SUCCESS, post(proxy, plain.baseUrl() + PATH, null).body());
  }

  @Test
  void closesTheTunnelOnceEstablished() throws IOException {
    CapMonsterEmulator emulator = https();
    ForwardProxy proxy = proxy().fail(ForwardProxy.Failure.CLOSE_TUNNEL);
    assertThrows(IOException.class, () -> post(proxy, emulator.baseUrl() + PATH, null));
    try (Socket tunnel = connect(proxy, emulator.port(), null)) {
      assertEquals("HTTP/1.1 200 Connection established", statusLine(tunnel));
      assertEquals(-1, tunnel.getInputStream().read(), "closed right after");
    }
    assertEquals(0, emulator.requestCount());
    assertEquals(ForwardProxy.Failure.CLOSE_TUNNEL, proxy.lastRequest().failure());
    assertEquals(200, proxy.lastRequest().status());

    proxy.behave();
    assertEquals(SUCCESS, post(proxy, emulator.baseUrl() + PATH, null).body());
  }

  @Test
  void answers502And504ItselfForEveryRequest() throws IOException {
    CapMonsterEmulator emulator = http();
    ForwardProxy proxy = proxy().fail(ForwardProxy.Failure.BAD_GATEWAY);
    Http.Answer answer = post(proxy, emulator.baseUrl() + PATH, null);
    assertEquals(502, answer.status());
    assertEquals("text/html", answer.contentType());
    assertTrue(answer.body().contains("502 Bad Gateway"));

    proxy.fail(ForwardProxy.Failure.GATEWAY_TIMEOUT);
    assertEquals(504, post(proxy, emulator.baseUrl() + PATH, null).status());
    try (Socket tunnel = connect(proxy, emulator.port(), null)) {
      assertEquals("HTTP/1.1 504 Gateway Timeout", statusLine(tunnel));
    }
    assertEquals(0, emulator.requestCount());
    assertEquals(ForwardProxy.Failure.GATEWAY_TIMEOUT, proxy.lastRequest().failure());
  }

  @Test
  void answers502WhenTheOriginDropsOrCannotBeReached() throws IOException {
    CapMonsterEmulator emulator = http();
    ForwardProxy proxy = proxy();
    emulator.nextRequest().closeConnection();
    assertEquals(502, post(proxy, emulator.baseUrl() + PATH, null).status());
    assertEquals(1, emulator.requestCount());

    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    assertEquals(502, post(proxy, "http://127.0.0.1:" + closedPort + PATH, null).status());
    try (Socket tunnel = connect(proxy, closedPort, null)) {
      assertEquals("HTTP/1.1 502 Bad Gateway", statusLine(tunnel));
    }
    assertNull(proxy.lastRequest().failure(), "the origin failed, not a failure switched on");
  }

  @Test
  void refusesWhatIsNotAProxyRequest() throws IOException {
    ForwardProxy proxy = proxy();
    String answer = Http.rawExchange(proxy.port(), PATH, report(KEY, 7));
    assertTrue(answer.startsWith("HTTP/1.1 400"), "origin-form: " + answer);
    assertEquals(PATH, proxy.lastRequest().target());
  }

  @Test
  void aClosedProxyRefusesConnectionsAndEndsItsThreads() throws Exception {
    CapMonsterEmulator emulator = https();
    ForwardProxy proxy = proxy();
    Socket open = connect(proxy, emulator.port(), null);
    assertEquals("HTTP/1.1 200 Connection established", statusLine(open));
    String prefix = "capreport-testkit-forward-proxy-" + proxy.port() + "-";
    assertTrue(threadsNamed(prefix) > 0);

    proxy.close();
    assertEquals(-1, open.getInputStream().read(), "open tunnels are closed");
    open.close();
    Http.assertNothingListensOn(proxy.port());
    assertThrows(ConnectException.class, () -> post(proxy, emulator.baseUrl() + PATH, null));
    for (int i = 0; i < 500 && threadsNamed(prefix) > 0; i++) {
      Thread.sleep(10);
    }
    assertEquals(0, threadsNamed(prefix), "threads left");
    assertTrue(proxy.toString().endsWith("closed}"), proxy.toString());
    proxy.close();
  }

  @Test
  void resetForgetsWhatItSawAndBehaves() throws IOException {
    CapMonsterEmulator emulator = http();
    ForwardProxy proxy = proxy();
    post(proxy, emulator.baseUrl() + PATH, null);
    proxy.fail(ForwardProxy.Failure.BAD_GATEWAY);
    proxy.reset();
    assertEquals(0, proxy.requestCount());
    assertNull(proxy.lastRequest());
    assertFalse(proxy.sawInClear(KEY));
    assertEquals(SUCCESS, post(proxy, emulator.baseUrl() + PATH, null).body());
  }

  private static long threadsNamed(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.getName().startsWith(prefix) && thread.isAlive())
        .count();
  }
}
