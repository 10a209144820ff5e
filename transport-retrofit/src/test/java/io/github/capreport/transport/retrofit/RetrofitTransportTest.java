package io.github.capreport.transport.retrofit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.capreport.CapReportClient;
import io.github.capreport.ReportEndpoint;
import io.github.capreport.RetryPolicy;
import io.github.capreport.UnexpectedResponseException;
import io.github.capreport.spi.Exchange;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportRequest;
import io.github.capreport.testkit.CapMonsterEmulator;
import io.github.capreport.testkit.CapMonsterEmulatorExtension;
import io.github.capreport.testkit.EchoingServer;
import java.io.IOException;
import java.net.URI;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import retrofit2.Retrofit;

/**
 * What the shared suites cannot see: clients and Retrofits given by the user, what the client the
 * transport builds is made of, and what close() releases. Real HTTP over loopback against the
 * emulator, through {@link CapReportClient}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RetrofitTransportTest {
  private static final String KEY = "retrofit-test-key-5a0c7e1d93";
  private static final long TASK_ID = 7654321L;

  @RegisterExtension
  final CapMonsterEmulatorExtension api =
      new CapMonsterEmulatorExtension(CapMonsterEmulator.builder().clientKey(KEY).taskIds(TASK_ID));

  @RegisterExtension
  final CapMonsterEmulatorExtension otherHost = new CapMonsterEmulatorExtension(KEY);

  private final List<AutoCloseable> closeAfter = new ArrayList<>();
  private OkHttpClient userClient;

  @AfterEach
  void release() throws Exception {
    Collections.reverse(closeAfter);
    for (AutoCloseable closeable : closeAfter) {
      closeable.close();
    }
    if (userClient != null) {
      userClient.connectionPool().evictAll();
    }
  }

  private static TransportOptions options() {
    return TransportOptions.builder()
        .connectTimeout(10, TimeUnit.SECONDS)
        .requestTimeout(10, TimeUnit.SECONDS)
        .build();
  }

  private static TransportOptions noClientSettings() {
    return TransportOptions.builder().requestTimeout(10, TimeUnit.SECONDS).build();
  }

  private OkHttpClient usersClient() {
    userClient = new OkHttpClient();
    assertTrue(userClient.followRedirects(), "OkHttp's default follows redirects");
    return userClient;
  }

  private <T extends AutoCloseable> T closeAfter(T closeable) {
    closeAfter.add(closeable);
    return closeable;
  }

  private CapReportClient client(Transport transport) {
    return closeAfter(
        CapReportClient.builder()
            .clientKey(KEY)
            .baseUrl(api.baseUrl())
            .transport(transport)
            .retryPolicy(RetryPolicy.none())
            .build());
  }

  private RetrofitTransport transportOver(OkHttpClient users) {
    return closeAfter(
        RetrofitTransport.builder().okHttpClient(users).options(noClientSettings()).build());
  }

  private void assertNotRedirected(CapReportClient client, int status) {
    api.emulator()
        .nextRequest()
        .redirect(status, otherHost.baseUrl() + ReportEndpoint.IMAGE_CAPTCHA.path());
    UnexpectedResponseException e =
        assertThrows(
            UnexpectedResponseException.class,
            () -> client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID));
    assertEquals(status, e.httpStatus());
    assertEquals(0, otherHost.emulator().requestCount(), "requests that followed a redirect");
  }

  @Test
  void aUsersClientThatFollowsRedirectsIsStillNotRedirected() {
    OkHttpClient given = usersClient();
    CapReportClient client = client(transportOver(given));
    for (int status : new int[] {301, 302, 303, 307, 308}) {
      assertNotRedirected(client, status);
    }
    assertEquals(5, api.emulator().requestCount());
    assertTrue(given.followRedirects(), "the user's client is not changed");
  }

  @Test
  void aUsersRetrofitLendsItsClientButNotItsRedirects() {
    Retrofit retrofit =
        new Retrofit.Builder().baseUrl("https://example.invalid/").client(usersClient()).build();
    RetrofitTransport transport =
        closeAfter(
            RetrofitTransport.builder().retrofit(retrofit).options(noClientSettings()).build());
    assertSame(userClient.connectionPool(), transport.client.connectionPool());
    CapReportClient client = client(transport);
    assertNotRedirected(client, 302);
    assertEquals(200, client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID).httpStatus());
  }

  @Test
  void aRetrofitWhoseCallFactoryIsNotAnOkHttpClientIsRefused() {
    final OkHttpClient inner = usersClient();
    Retrofit retrofit =
        new Retrofit.Builder()
            .baseUrl("https://example.invalid/")
            .callFactory(request -> inner.newCall(request))
            .build();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> RetrofitTransport.builder().retrofit(retrofit));
    assertTrue(e.getMessage().contains("must be an OkHttpClient"), e.getMessage());
  }

  @Test
  void aUsersClientIsDerivedNeverToResendOrRedirect() {
    OkHttpClient users = usersClient();
    OkHttpClient derived = transportOver(users).client;
    assertFalse(derived.retryOnConnectionFailure(), "core owns retries");
    assertFalse(derived.followRedirects());
    assertFalse(derived.followSslRedirects());
    assertSame(users.connectionPool(), derived.connectionPool());
    assertSame(users.dispatcher(), derived.dispatcher());
    assertTrue(users.retryOnConnectionFailure(), "the user's own client is left as it was");
  }

  /**
   * OkHttp resends a request after an authentication challenge when the client's authenticator
   * answers one, unless its body is one-shot: a user's authenticator must not resend a report.
   */
  @Test
  void aUsersAuthenticatorNeverResendsAReport() {
    final AtomicInteger challenges = new AtomicInteger();
    OkHttpClient users =
        new OkHttpClient.Builder()
            .authenticator(
                (route, response) -> {
                  challenges.incrementAndGet();
                  return response.request().newBuilder().header("Authorization", "x").build();
                })
            .build();
    userClient = users;
    api.emulator()
        .nextRequest()
        .respond(
            401,
            "text/plain",
            "who are you",
            Collections.singletonMap("WWW-Authenticate", "Basic realm=\"capmonster\""));
    UnexpectedResponseException e =
        assertThrows(
            UnexpectedResponseException.class,
            () -> client(transportOver(users)).report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID));
    assertEquals(401, e.httpStatus());
    assertEquals(1, api.emulator().requestCount(), "requests that reached the server");
  }

  @Test
  void connectTimeoutOrSslContextWithAUsersClientFailAtBuildTime() throws Exception {
    OkHttpClient users = usersClient();
    IllegalStateException timeout =
        assertThrows(
            IllegalStateException.class,
            () -> RetrofitTransport.builder().okHttpClient(users).options(options()).build());
    assertTrue(timeout.getMessage().startsWith("connectTimeout"), timeout.getMessage());
    assertTrue(timeout.getMessage().contains("OkHttpClient"), timeout.getMessage());
    TransportOptions tls =
        noClientSettings().toBuilder().sslContext(SSLContext.getDefault()).build();
    IllegalStateException ssl =
        assertThrows(
            IllegalStateException.class,
            () -> RetrofitTransport.builder().okHttpClient(users).options(tls).build());
    assertTrue(ssl.getMessage().startsWith("sslContext"), ssl.getMessage());
    TransportOptions direct = noClientSettings().toBuilder().noProxy().build();
    IllegalStateException proxy =
        assertThrows(
            IllegalStateException.class,
            () -> RetrofitTransport.builder().okHttpClient(users).options(direct).build());
    assertTrue(proxy.getMessage().startsWith("noProxy"), proxy.getMessage());
  }

  @Test
  void closingLeavesAUsersClientAndItsPoolUsable() throws IOException {
    OkHttpClient given = usersClient();
    RetrofitTransport transport =
        RetrofitTransport.builder().okHttpClient(given).options(noClientSettings()).build();
    try (CapReportClient client = client(transport)) {
      client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID);
    }
    transport.close();
    transport.close();
    assertEquals(1, given.connectionPool().connectionCount(), "the user's pooled connection");

    // The user's client, and a new transport over it, still work, on the same connection.
    Request request =
        new Request.Builder()
            .url(api.baseUrl() + ReportEndpoint.TOKEN_CAPTCHA.path())
            .post(
                RequestBody.create(
                    "{\"clientKey\":\"" + KEY + "\",\"taskId\":" + TASK_ID + "}",
                    MediaType.get("application/json")))
            .build();
    try (Response response = given.newCall(request).execute()) {
      assertEquals(200, response.code());
    }
    client(transportOver(given)).report(ReportEndpoint.TOKEN_CAPTCHA, TASK_ID);
    assertEquals(3, api.emulator().count(TASK_ID));
    assertEquals(1, api.emulator().connectionsSeen());
  }

  @Test
  void closingTheClientItMadeEvictsItsConnections() {
    RetrofitTransport transport =
        (RetrofitTransport) new RetrofitTransportProvider().create(options());
    OkHttpClient own = transport.client;
    try (CapReportClient client = client(transport)) {
      client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID);
      client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID).join();
    }
    assertEquals(1, own.connectionPool().connectionCount(), "the connection is pooled");
    transport.close();
    assertEquals(0, own.connectionPool().connectionCount(), "pooled connections");
    transport.close();
  }

  @Test
  void theClientItMakesFollowsTheOptions() {
    TransportOptions options =
        TransportOptions.builder()
            .connectTimeout(3, TimeUnit.SECONDS)
            .requestTimeout(7, TimeUnit.SECONDS)
            .maxConnections(5)
            .build();
    OkHttpClient own = closeAfter(RetrofitTransport.builder().options(options).build()).client;
    assertEquals(3_000, own.connectTimeoutMillis());
    // A backstop after core's deadline, the call timeout no earlier than the others (see the
    // class's javadoc: it keeps okio from waking its watchdog on every read and write).
    assertEquals(8_000, own.callTimeoutMillis(), "the request timeout and a second");
    assertEquals(8_000, own.readTimeoutMillis());
    assertEquals(8_000, own.writeTimeoutMillis());
    assertFalse(own.followRedirects());
    assertFalse(own.followSslRedirects());
    assertFalse(own.retryOnConnectionFailure(), "core owns retries");
  }

  /**
   * Core reports on its own threads, and OkHttp's blocking {@code execute()} runs on them: neither
   * a thread of the transport's nor one of OkHttp's dispatcher ever exists.
   */
  @Test
  void noThreadOfTheTransportsOwnExists() {
    try (Transport transport = new RetrofitTransportProvider().create(options())) {
      CapReportClient client = client(transport);
      client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID);
      client.reportAsync(ReportEndpoint.TOKEN_CAPTCHA, TASK_ID).join();
      for (Thread thread : Thread.getAllStackTraces().keySet()) {
        assertFalse(thread.getName().startsWith("capreport-retrofit"), thread.getName());
        assertFalse(thread.getName().startsWith("OkHttp Dispatcher"), thread.getName());
      }
    }
  }

  /** The request's own Content-Type, once, unparsed: the body carries no media type. */
  @Test
  void sendsExactlyTheRequestsHeaders() {
    try (Transport transport = new RetrofitTransportProvider().create(options())) {
      client(transport).report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID);
    }
    Map<String, List<String>> headers = api.emulator().lastRequest().headers();
    assertEquals(
        Collections.singletonList("application/json"), headers.get("Content-Type"), "" + headers);
    assertEquals(Collections.singletonList("application/json"), headers.get("Accept"));
  }

  /** OkHttp's {@code header(name)} gives a header's last value; the SPI asks for the first. */
  @Test
  void readsTheFirstValueOfARepeatedHeader() throws IOException {
    try (EchoingServer server =
            EchoingServer.answering(
                "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 7\r\nRetry-After: 1\r\n"
                    + "Content-Length: 0\r\nConnection: close\r\n\r\n");
        Transport transport = new RetrofitTransportProvider().create(options());
        CapReportClient client =
            CapReportClient.builder()
                .clientKey(KEY)
                .baseUrl(server.baseUrl())
                .transport(transport)
                .retryPolicy(RetryPolicy.none())
                .build()) {
      UnexpectedResponseException e =
          assertThrows(
              UnexpectedResponseException.class,
              () -> client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID));
      assertEquals(503, e.httpStatus());
      assertEquals(7_000, e.retryAfterMillis());
    }
  }

  @Test
  void anExchangeAbortedBeforeItStartsSendsNothing() throws IOException {
    try (Transport transport = new RetrofitTransportProvider().create(options())) {
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Content-Type", "application/json");
      TransportRequest request =
          new TransportRequest(
                  URI.create(api.baseUrl() + ReportEndpoint.IMAGE_CAPTCHA.path()),
                  ReportEndpoint.IMAGE_CAPTCHA,
                  headers)
              .withBody(TASK_ID, transport.json().reportBody(KEY, TASK_ID));
      Exchange exchange = transport.newExchange(request);
      exchange.abort();
      assertThrows(IOException.class, exchange::execute);
      exchange.abort();
    }
    assertEquals(0, api.emulator().requestCount());
  }

  /**
   * OkHttp hands over any status's body unread, where Retrofit buffered a non-2xx body whole: core
   * cuts an oversized error page off and drops its connection instead of reading it.
   */
  @Test
  void anOversizedErrorAnswerIsNotReadWhole() {
    try (Transport transport = new RetrofitTransportProvider().create(options())) {
      CapReportClient client = client(transport);
      api.emulator().nextRequest().respond(500, "text/html", repeat('x', 8 * 1024 * 1024));
      UnexpectedResponseException e =
          assertThrows(
              UnexpectedResponseException.class,
              () -> client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID));
      assertEquals(500, e.httpStatus());
      assertTrue(e.getMessage().contains("larger than"), e.getMessage());
      // Other tasks: the client answers a second report of an accepted one without I/O.
      api.emulator().acceptAnyTaskId(true);
      assertEquals(200, client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID + 1).httpStatus());
      assertEquals(200, client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID + 2).httpStatus());
    }
    assertEquals(2, api.emulator().connectionsSeen(), "the oversized answer's connection dropped");
  }

  @Test
  void tlsFromTheOptionsGoesWithThePlatformsTrustManagerForOkHttp() throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {platformTrustManager()}, null);
    TransportOptions options = options().toBuilder().sslContext(context).build();
    RetrofitTransport transport = closeAfter(RetrofitTransport.builder().options(options).build());
    assertNotNull(transport.client.x509TrustManager());
    assertSame(
        context.getSocketFactory().getClass(), transport.client.sslSocketFactory().getClass());
  }

  private static X509TrustManager platformTrustManager() throws Exception {
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init((KeyStore) null);
    return (X509TrustManager) factory.getTrustManagers()[0];
  }

  private static String repeat(char c, int n) {
    char[] chars = new char[n];
    java.util.Arrays.fill(chars, c);
    return new String(chars);
  }
}
