package io.github.capreport.transport.apache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.capreport.CapReportClient;
import io.github.capreport.ReportEndpoint;
import io.github.capreport.ReportRefusedException;
import io.github.capreport.RetryPolicy;
import io.github.capreport.TransportFailureException;
import io.github.capreport.UnexpectedResponseException;
import io.github.capreport.spi.Exchange;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportProvider;
import io.github.capreport.spi.TransportRequest;
import io.github.capreport.spi.TransportResponse;
import io.github.capreport.testkit.CapMonsterEmulator;
import io.github.capreport.testkit.CapMonsterEmulatorExtension;
import io.github.capreport.testkit.SelfSignedCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the shared suites cannot know about this transport: its own client and abort. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApacheTransportTest {
  private static final String CLIENT_KEY = "apache-test-key-0b9e27d4c1";
  private static final long TASK_ID = 4242L;
  private static final long WAIT_SECONDS = 20;

  @RegisterExtension
  final CapMonsterEmulatorExtension api =
      new CapMonsterEmulatorExtension(
          CapMonsterEmulator.builder().clientKey(CLIENT_KEY).taskIds(TASK_ID));

  @RegisterExtension
  final CapMonsterEmulatorExtension otherHost = new CapMonsterEmulatorExtension(CLIENT_KEY);

  private static TransportOptions options(long requestTimeoutMillis) {
    return TransportOptions.builder()
        .requestTimeout(requestTimeoutMillis, TimeUnit.MILLISECONDS)
        .userAgent(CapReportClient.defaultUserAgent(ApacheTransportProvider.ID))
        .build();
  }

  private CapReportClient client(Transport transport) {
    return CapReportClient.builder()
        .transport(transport)
        .baseUrl(api.baseUrl())
        .clientKey(CLIENT_KEY)
        .retryPolicy(RetryPolicy.none())
        .build();
  }

  /** A report's request, as core makes it, for driving an exchange directly. */
  private TransportRequest request(Transport transport) throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json; charset=utf-8");
    headers.put("Accept", "application/json");
    headers.put("User-Agent", CapReportClient.defaultUserAgent(ApacheTransportProvider.ID));
    ReportEndpoint endpoint = ReportEndpoint.IMAGE_CAPTCHA;
    return new TransportRequest(URI.create(api.baseUrl() + endpoint.path()), endpoint, headers)
        .withBody(TASK_ID, transport.json().reportBody(CLIENT_KEY, TASK_ID));
  }

  @Test
  void isFoundByServiceLoaderWithItsIdAndPriority() {
    TransportProvider found = null;
    for (TransportProvider provider :
        ServiceLoader.load(TransportProvider.class, TransportProvider.class.getClassLoader())) {
      if (provider instanceof ApacheTransportProvider) {
        found = provider;
      }
    }
    assertNotNull(found, "ApacheTransportProvider is registered in META-INF/services");
    assertEquals("apache", found.id());
    assertEquals(300, found.priority());
  }

  /**
   * HttpClients.createDefault() retries 429 and 503 answers by itself, POST included: a report must
   * still be sent exactly once, whatever its answer invites.
   */
  @ParameterizedTest(name = "HTTP {0}")
  @ValueSource(ints = {429, 503})
  void neverResendsAReportWithAUsersClientThatWould(int status) throws IOException {
    try (CloseableHttpClient users = HttpClients.createDefault();
        ApacheTransport transport =
            ApacheTransport.builder().httpClient(users).options(options(5_000)).build();
        CapReportClient client = client(transport)) {
      api.emulator()
          .nextRequest()
          .respond(
              status,
              "application/json",
              "{\"errorId\":1,\"errorCode\":\"ERROR_NO_SUCH_CAPCHA_ID\"}",
              Collections.singletonMap("Retry-After", "0"));
      assertThrows(
          ReportRefusedException.class, () -> client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID));
      assertEquals(1, api.emulator().requestCount(), "requests that reached the server");
    }
  }

  /** A client built with HttpClients.custom() follows redirects; a report must not. */
  @ParameterizedTest(name = "HTTP {0}")
  @ValueSource(ints = {301, 302, 303, 307, 308})
  void neverFollowsARedirectWithAUsersClientThatWould(int status) throws IOException {
    try (CloseableHttpClient users = HttpClients.custom().build()) {
      try (ApacheTransport transport =
              ApacheTransport.builder().httpClient(users).options(options(5_000)).build();
          CapReportClient client = client(transport)) {
        api.emulator()
            .nextRequest()
            .redirect(status, otherHost.baseUrl() + ReportEndpoint.IMAGE_CAPTCHA.path());
        UnexpectedResponseException e =
            assertThrows(
                UnexpectedResponseException.class,
                () -> client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID));
        assertEquals(status, e.httpStatus());
        assertEquals(0, otherHost.emulator().requestCount(), "requests that followed");
      }
      // The transport is closed; the user's client is not, and still follows redirects itself.
      api.emulator().nextRequest().redirect(302, otherHost.baseUrl() + "/elsewhere");
      int followedTo =
          users.execute(
              new HttpGet(api.baseUrl() + "/somewhere"),
              response -> {
                EntityUtils.consume(response.getEntity());
                return otherHost.emulator().requestCount();
              });
      assertEquals(1, followedTo, "the user's client works and keeps its own redirect setting");
    }
  }

  @Test
  void leavesAUsersClientOpenForTheNextTransport() throws IOException {
    try (CloseableHttpClient users = HttpClients.custom().disableAutomaticRetries().build()) {
      ApacheTransport first = ApacheTransport.builder().httpClient(users).build();
      try (CapReportClient client = client(first)) {
        client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID);
      }
      first.close();
      try (ApacheTransport second = ApacheTransport.builder().httpClient(users).build();
          CapReportClient client = client(second)) {
        client.report(ReportEndpoint.TOKEN_CAPTCHA, TASK_ID);
      }
      assertEquals(2, api.emulator().count(TASK_ID));
    }
  }

  /** A user's client brings its own TLS trust, which the transport leaves alone. */
  @Test
  void reportsOverHttpsWithAUsersClientThatTrustsTheServer() throws IOException {
    SelfSignedCertificate cert = SelfSignedCertificate.forLoopback();
    try (CapMonsterEmulator https =
            CapMonsterEmulator.builder()
                .https(cert.serverContext())
                .clientKey(CLIENT_KEY)
                .taskIds(TASK_ID)
                .start();
        CloseableHttpClient users =
            HttpClients.custom()
                .setConnectionManager(
                    PoolingHttpClientConnectionManagerBuilder.create()
                        .setTlsSocketStrategy(
                            ClientTlsStrategyBuilder.create()
                                .setSslContext(cert.clientContext())
                                .buildClassic())
                        .build())
                .build();
        ApacheTransport transport = ApacheTransport.builder().httpClient(users).build();
        CapReportClient client =
            CapReportClient.builder()
                .transport(transport)
                .baseUrl(https.baseUrl())
                .clientKey(CLIENT_KEY)
                .retryPolicy(RetryPolicy.none())
                .build()) {
      assertEquals(1, client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID).attempts());
      assertEquals(1, https.count(TASK_ID));
    }
  }

  /** Like java.net.http, the client the transport builds goes through the JVM's proxy settings. */
  @Test
  void goesThroughTheProxyOfTheJvmsSystemProperties() {
    Map<String, String> saved = new LinkedHashMap<>();
    for (String name : new String[] {"http.proxyHost", "http.proxyPort", "http.nonProxyHosts"}) {
      saved.put(name, System.getProperty(name));
    }
    // The proxy is the other emulator, which answers a proxied request as the API would. The API's
    // host need not resolve: only the proxy connects to it. (The JDK never proxies loopback.)
    System.setProperty("http.proxyHost", "127.0.0.1");
    System.setProperty("http.proxyPort", String.valueOf(otherHost.emulator().port()));
    System.setProperty("http.nonProxyHosts", "nothing.invalid");
    try (ApacheTransport transport = ApacheTransport.builder().options(options(5_000)).build();
        CapReportClient client =
            CapReportClient.builder()
                .transport(transport)
                .baseUrl("http://api.capmonster.invalid:" + api.emulator().port())
                .allowPlainHttp(true)
                .clientKey(CLIENT_KEY)
                .retryPolicy(RetryPolicy.none())
                .build()) {
      client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID);
    } finally {
      for (Map.Entry<String, String> property : saved.entrySet()) {
        if (property.getValue() == null) {
          System.clearProperty(property.getKey());
        } else {
          System.setProperty(property.getKey(), property.getValue());
        }
      }
    }
    assertEquals(1, otherHost.emulator().requestCount(), "requests through the proxy");
    assertEquals(
        "http://api.capmonster.invalid:" + api.emulator().port(),
        "http://" + otherHost.emulator().lastRequest().header("Host"),
        "the proxy was asked for the API's host");
  }

  /** The connect timeout and TLS of a user's client are that client's: setting them here fails. */
  @ParameterizedTest
  @ValueSource(strings = {"connectTimeout", "sslContext", "proxy"})
  void refusesClientSettingsWithAUsersClientAtBuildTime(String option) throws IOException {
    TransportOptions.Builder options = options(5_000).toBuilder();
    if (option.equals("connectTimeout")) {
      options.connectTimeout(2, TimeUnit.SECONDS);
    } else if (option.equals("proxy")) {
      options.proxy("127.0.0.1", 3128);
    } else {
      options.sslContext(SelfSignedCertificate.forLoopback().clientContext());
    }
    try (CloseableHttpClient users = HttpClients.custom().disableAutomaticRetries().build()) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> ApacheTransport.builder().httpClient(users).options(options.build()).build());
      assertTrue(e.getMessage().startsWith(option + " "), e.getMessage());
      assertTrue(e.getMessage().contains("CloseableHttpClient"), e.getMessage());
    }
  }

  /** Core aborts an oversized answer before closing it; closing then drops, not drains. */
  @Test
  void dropsTheConnectionOfAnOversizedAnswer() throws IOException {
    try (ApacheTransport transport = ApacheTransport.builder().options(options(10_000)).build();
        CapReportClient client = client(transport)) {
      api.emulator().nextRequest().hugeBody(8 * 1024 * 1024);
      UnexpectedResponseException e =
          assertThrows(
              UnexpectedResponseException.class,
              () -> client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID));
      assertTrue(e.getMessage().contains("larger than"), e.getMessage());
      client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID);
      client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID);
    }
    assertEquals(
        2,
        api.emulator().connectionsSeen(),
        "the oversized answer's connection was dropped; the next two reports share one");
  }

  @Test
  void anAbortBeforeExecuteSendsNothing() throws Exception {
    try (ApacheTransport transport = ApacheTransport.builder().options(options(5_000)).build()) {
      Exchange exchange = transport.newExchange(request(transport));
      exchange.abort();
      exchange.abort(); // any number of times
      assertThrows(IOException.class, exchange::execute);
      // The next exchange goes out, so the first one had its chance to.
      try (TransportResponse answer = transport.newExchange(request(transport)).execute()) {
        assertEquals(200, answer.statusCode());
      }
    }
    assertEquals(1, api.emulator().requestCount(), "only the exchange that was not aborted");
  }

  @Test
  void anAbortEndsAnExchangeWaitingForItsAnswer() throws Exception {
    try (ApacheTransport transport = ApacheTransport.builder().options(options(30_000)).build()) {
      api.emulator().nextRequest().neverAnswer();
      Exchange exchange = transport.newExchange(request(transport));
      CompletableFuture<Throwable> failure =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  exchange.execute().close();
                  return null;
                } catch (Throwable t) {
                  return t;
                }
              });
      assertTrue(api.emulator().awaitRequests(1, WAIT_SECONDS, TimeUnit.SECONDS), "sent");
      exchange.abort();
      Throwable thrown = failure.get(WAIT_SECONDS, TimeUnit.SECONDS);
      assertTrue(thrown instanceof IOException, String.valueOf(thrown));
    }
  }

  /** After an abort, a read of the body fails and close() returns without draining the rest. */
  @Test
  void closingAnAbortedAnswerDoesNotDrainIt() throws Exception {
    try (ApacheTransport transport = ApacheTransport.builder().options(options(30_000)).build()) {
      api.emulator().nextRequest().hugeBody(64 * 1024 * 1024);
      Exchange exchange = transport.newExchange(request(transport));
      TransportResponse answer = exchange.execute();
      InputStream body = answer.body();
      assertTrue(body.read() >= 0, "the body starts");
      exchange.abort();
      // What HttpClient had buffered may still come; then the read fails, well before the end.
      assertThrows(
          IOException.class,
          () -> {
            byte[] chunk = new byte[8192];
            long read = 0;
            while (read < 1024 * 1024) {
              int n = body.read(chunk);
              assertTrue(n >= 0, "the body ended early");
              read += n;
            }
          });
      answer.close();
      assertTrue(
          api.emulator().awaitOpenConnectionsAtMost(0, WAIT_SECONDS, TimeUnit.SECONDS),
          "the connection is closed");
      // The aborted connection did not go back to the pool: the next exchange opens a new one.
      try (TransportResponse next = transport.newExchange(request(transport)).execute()) {
        assertEquals(200, next.statusCode());
      }
      assertEquals(2, api.emulator().connectionsSeen());
    }
  }

  @Test
  void readsTheStatusAHeaderWithoutRegardToCaseAndTheBody() throws Exception {
    try (ApacheTransport transport = ApacheTransport.builder().options(options(5_000)).build()) {
      api.emulator()
          .nextRequest()
          .respond(
              429,
              "application/json",
              "{\"errorId\":1}",
              Collections.singletonMap("Retry-After", "7"));
      try (TransportResponse answer = transport.newExchange(request(transport)).execute()) {
        assertEquals(429, answer.statusCode());
        assertEquals("7", answer.header("retry-after"));
        assertEquals(null, answer.header("X-Absent"));
        byte[] bytes = new byte[64];
        int n = answer.body().read(bytes);
        assertEquals("{\"errorId\":1}", new String(bytes, 0, n, "UTF-8"));
      }
    }
  }

  @Test
  void timesOutAReportWithAUsersClientThatHasNoTimeouts() throws IOException {
    try (CloseableHttpClient users = HttpClients.custom().disableAutomaticRetries().build();
        ApacheTransport transport =
            ApacheTransport.builder().httpClient(users).options(options(1_000)).build();
        CapReportClient client =
            CapReportClient.builder()
                .transport(transport)
                .baseUrl(api.baseUrl())
                .clientKey(CLIENT_KEY)
                .requestTimeout(1, TimeUnit.SECONDS)
                .retryPolicy(RetryPolicy.none())
                .build()) {
      api.emulator().nextRequest().neverAnswer();
      TransportFailureException e =
          assertThrows(
              TransportFailureException.class,
              () -> client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID));
      assertEquals(TransportFailureException.Kind.TIMEOUT, e.kind());
    }
  }

  /** Core runs every exchange: the transport starts no thread of its own. */
  @Test
  void startsNoThreadOfItsOwn() throws Exception {
    try (ApacheTransport transport = ApacheTransport.builder().options(options(5_000)).build();
        CapReportClient client = client(transport)) {
      client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID);
      for (int i = 0; i < 4; i++) {
        client
            .reportAsync(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID)
            .get(WAIT_SECONDS, TimeUnit.SECONDS);
      }
      for (Thread thread : Thread.getAllStackTraces().keySet()) {
        assertFalse(thread.getName().startsWith("capreport-apache"), thread.getName());
      }
    }
  }

  @Test
  void keepsTheKeyOutOfToString() {
    try (ApacheTransport transport = ApacheTransport.builder().build()) {
      assertFalse(transport.toString().contains(CLIENT_KEY));
    }
  }
}
