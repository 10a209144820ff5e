package io.github.capreport.transport.retrofit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.squareup.moshi.FromJson;
import com.squareup.moshi.Moshi;
import com.squareup.moshi.ToJson;
import io.github.capreport.CapReportClient;
import io.github.capreport.ReportEndpoint;
import io.github.capreport.ReportResult;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportCallback;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportRequest;
import io.github.capreport.spi.TransportResponse;
import io.github.capreport.testkit.CapMonsterEmulator;
import io.github.capreport.testkit.CapMonsterEmulatorExtension;
import java.io.IOException;
import java.net.URI;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import retrofit2.Retrofit;

/**
 * What the conformance suite cannot see: clients, Retrofits and Moshis given by the user, and what
 * close() releases. Real HTTP over loopback against the emulator.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RetrofitTransportTest {
  private static final String KEY = "retrofit-test-key-5a0c7e1d93";
  private static final long TASK_ID = 7654321L;
  private static final long WAIT_SECONDS = 20;

  @RegisterExtension
  final CapMonsterEmulatorExtension api =
      new CapMonsterEmulatorExtension(CapMonsterEmulator.builder().clientKey(KEY).taskIds(TASK_ID));

  @RegisterExtension
  final CapMonsterEmulatorExtension otherHost = new CapMonsterEmulatorExtension(KEY);

  private OkHttpClient userClient;

  @AfterEach
  void releaseTheUsersClient() {
    if (userClient != null) {
      userClient.dispatcher().executorService().shutdown();
      userClient.connectionPool().evictAll();
    }
  }

  private TransportRequest request(ReportEndpoint endpoint) {
    return new TransportRequest(
        URI.create(api.baseUrl() + endpoint.path()),
        endpoint,
        KEY,
        TASK_ID,
        CapReportClient.defaultUserAgent(RetrofitTransportProvider.ID),
        64 * 1024);
  }

  private static TransportOptions options() {
    return TransportOptions.builder()
        .connectTimeout(10, TimeUnit.SECONDS)
        .requestTimeout(10, TimeUnit.SECONDS)
        .build();
  }

  private OkHttpClient usersClient() {
    userClient = new OkHttpClient();
    assertTrue(userClient.followRedirects(), "OkHttp's default follows redirects");
    return userClient;
  }

  @Test
  void aUsersClientThatFollowsRedirectsIsStillNotRedirected() throws IOException {
    OkHttpClient given = usersClient();
    try (RetrofitTransport transport =
        RetrofitTransport.builder().okHttpClient(given).options(options()).build()) {
      for (int status : new int[] {302, 307, 308}) {
        api.emulator()
            .nextRequest()
            .redirect(status, otherHost.baseUrl() + ReportEndpoint.IMAGE_CAPTCHA.path());
        TransportResponse response = transport.send(request(ReportEndpoint.IMAGE_CAPTCHA));
        assertEquals(status, response.statusCode());
        assertEquals(0, otherHost.emulator().requestCount(), "requests that followed a redirect");
      }
      assertEquals(3, api.emulator().requestCount());
      assertTrue(given.followRedirects(), "the user's client is not changed");
    }
  }

  @Test
  void closingLeavesAUsersClientDispatcherAndPoolRunning() throws Exception {
    OkHttpClient given = usersClient();
    RetrofitTransport transport =
        RetrofitTransport.builder().okHttpClient(given).options(options()).build();
    assertSame(given.dispatcher(), transport.okHttpClient().dispatcher(), "shared dispatcher");
    assertSame(
        given.connectionPool(), transport.okHttpClient().connectionPool(), "shared connections");
    assertEquals(200, transport.send(request(ReportEndpoint.IMAGE_CAPTCHA)).statusCode());
    transport.close();
    transport.close();
    assertFalse(given.dispatcher().executorService().isShutdown(), "the user's dispatcher");

    // The user's client, and a new transport over it, still work.
    try (RetrofitTransport again =
        RetrofitTransport.builder().okHttpClient(given).options(options()).build()) {
      assertEquals(200, again.send(request(ReportEndpoint.TOKEN_CAPTCHA)).statusCode());
      CompletableFuture<TransportResponse> async = new CompletableFuture<>();
      again.sendAsync(request(ReportEndpoint.TOKEN_CAPTCHA), futureCallback(async));
      assertEquals(200, async.get(WAIT_SECONDS, TimeUnit.SECONDS).statusCode());
    }
    assertEquals(3, api.emulator().count(TASK_ID));
  }

  @Test
  void closingTheClientItMadeShutsItsDispatcherDownAndEvictsItsConnections() throws IOException {
    RetrofitTransport transport =
        (RetrofitTransport) new RetrofitTransportProvider().create(options());
    OkHttpClient own = transport.okHttpClient();
    assertEquals(200, transport.send(request(ReportEndpoint.IMAGE_CAPTCHA)).statusCode());
    assertEquals(1, own.connectionPool().connectionCount(), "the connection is pooled");
    transport.close();
    assertTrue(own.dispatcher().executorService().isShutdown(), "the dispatcher's threads");
    assertEquals(0, own.connectionPool().connectionCount(), "pooled connections");
    IOException e =
        assertThrows(
            IOException.class, () -> transport.send(request(ReportEndpoint.IMAGE_CAPTCHA)));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
  }

  @Test
  void theClientItMakesFollowsTheOptions() {
    TransportOptions options =
        TransportOptions.builder()
            .connectTimeout(3, TimeUnit.SECONDS)
            .requestTimeout(7, TimeUnit.SECONDS)
            .maxConnections(5)
            .build();
    try (RetrofitTransport transport = RetrofitTransport.builder().options(options).build()) {
      OkHttpClient own = transport.okHttpClient();
      assertEquals(3_000, own.connectTimeoutMillis());
      assertEquals(7_000, own.callTimeoutMillis());
      assertEquals(7_000, own.readTimeoutMillis());
      assertFalse(own.followRedirects());
      assertFalse(own.followSslRedirects());
      assertFalse(own.retryOnConnectionFailure(), "core owns retries");
      assertEquals(5, own.dispatcher().getMaxRequestsPerHost());
    }
  }

  @Test
  void aUsersClientIsDerivedNeverToResendOrRedirect() {
    OkHttpClient users = new OkHttpClient.Builder().build();
    try (RetrofitTransport transport =
        RetrofitTransport.builder().okHttpClient(users).options(options()).build()) {
      OkHttpClient derived = transport.okHttpClient();
      assertFalse(derived.retryOnConnectionFailure(), "core owns retries");
      assertFalse(derived.followRedirects());
      assertEquals(users.dispatcher(), derived.dispatcher());
      assertEquals(users.connectionPool(), derived.connectionPool());
    } finally {
      users.dispatcher().executorService().shutdown();
    }
    assertTrue(users.retryOnConnectionFailure(), "the user's own client is left as it was");
  }

  @Test
  void aSendAfterCloseFailsOnAnotherThreadExactlyOnce() throws Exception {
    RetrofitTransport transport = RetrofitTransport.builder().options(options()).build();
    transport.close();
    final AtomicInteger calls = new AtomicInteger();
    final Thread caller = Thread.currentThread();
    final CompletableFuture<Thread> failedOn = new CompletableFuture<>();
    transport.sendAsync(
        request(ReportEndpoint.IMAGE_CAPTCHA),
        new TransportCallback() {
          @Override
          public void onResponse(TransportResponse response) {
            calls.incrementAndGet();
            failedOn.completeExceptionally(new AssertionError("answered: " + response));
          }

          @Override
          public void onFailure(IOException failure) {
            calls.incrementAndGet();
            failedOn.complete(Thread.currentThread());
          }
        });
    assertNotSame(caller, failedOn.get(WAIT_SECONDS, TimeUnit.SECONDS));
    assertEquals(1, calls.get());
    assertEquals(0, api.emulator().requestCount());
  }

  @Test
  void aUsersMoshiWorks() {
    Moshi moshi = new Moshi.Builder().add(new UpperCaseAdapter()).build();
    try (RetrofitTransport transport =
            RetrofitTransport.builder().moshi(moshi).options(options()).build();
        CapReportClient client =
            CapReportClient.builder()
                .clientKey(KEY)
                .baseUrl(api.baseUrl())
                .transport(transport)
                .build()) {
      ReportResult result = client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID);
      assertEquals(200, result.httpStatus());
      assertEquals(KEY, api.emulator().lastRequest().clientKey());
      assertEquals(Long.valueOf(TASK_ID), api.emulator().lastRequest().taskId());
    }
  }

  @Test
  void aUsersRetrofitLendsItsClientButNotItsRedirects() throws IOException {
    Retrofit retrofit =
        new Retrofit.Builder().baseUrl("https://example.invalid/").client(usersClient()).build();
    try (RetrofitTransport transport =
        RetrofitTransport.builder().retrofit(retrofit).options(options()).build()) {
      assertSame(userClient.dispatcher(), transport.okHttpClient().dispatcher());
      api.emulator()
          .nextRequest()
          .redirect(302, otherHost.baseUrl() + ReportEndpoint.IMAGE_CAPTCHA.path());
      assertEquals(302, transport.send(request(ReportEndpoint.IMAGE_CAPTCHA)).statusCode());
      assertEquals(0, otherHost.emulator().requestCount());
      assertEquals(200, transport.send(request(ReportEndpoint.IMAGE_CAPTCHA)).statusCode());
    }
  }

  @Test
  void aRetrofitWhoseCallFactoryIsNotAnOkHttpClientIsRefused() {
    final OkHttpClient inner = usersClient();
    Retrofit retrofit =
        new Retrofit.Builder()
            .baseUrl("https://example.invalid/")
            .callFactory(request -> inner.newCall(request))
            .build();
    assertThrows(
        IllegalArgumentException.class,
        () -> RetrofitTransport.builder().retrofit(retrofit).build());
    assertThrows(
        IllegalStateException.class,
        () -> RetrofitTransport.builder().retrofit(retrofit).okHttpClient(inner).build());
  }

  @Test
  void sendsOneContentTypeTheRequests() throws IOException {
    try (Transport transport = new RetrofitTransportProvider().create(options())) {
      assertEquals(200, transport.send(request(ReportEndpoint.IMAGE_CAPTCHA)).statusCode());
    }
    // The request's own value, once: Retrofit moves it onto the body in place of Moshi's.
    List<String> contentTypes = api.emulator().lastRequest().headers().get("Content-Type");
    assertEquals(List.of("application/json"), contentTypes);
  }

  @Test
  void anOversizedAnswerDropsItsConnection() throws IOException {
    try (Transport transport = new RetrofitTransportProvider().create(options())) {
      api.emulator().nextRequest().hugeBody(8 * 1024 * 1024);
      TransportResponse huge = transport.send(request(ReportEndpoint.IMAGE_CAPTCHA));
      assertTrue(huge.problem().contains("larger than"), huge.problem());
      assertEquals(200, transport.send(request(ReportEndpoint.IMAGE_CAPTCHA)).statusCode());
      assertEquals(200, transport.send(request(ReportEndpoint.IMAGE_CAPTCHA)).statusCode());
    }
    assertEquals(
        2, api.emulator().connectionsSeen(), "a new connection after the oversized answer only");
  }

  /**
   * Retrofit reads a non-2xx body whole before handing it over; the transport must cut it off all
   * the same. Read whole, the connection would be clean and reused: a second connection shows that
   * the answer was dropped instead.
   */
  @Test
  void anOversizedErrorAnswerIsNotBufferedWhole() throws IOException {
    try (Transport transport = new RetrofitTransportProvider().create(options())) {
      api.emulator().nextRequest().respond(500, "text/html", "x".repeat(8 * 1024 * 1024));
      TransportResponse huge = transport.send(request(ReportEndpoint.IMAGE_CAPTCHA));
      assertEquals(500, huge.statusCode());
      assertTrue(huge.problem().contains("larger than"), huge.problem());
      assertEquals(200, transport.send(request(ReportEndpoint.IMAGE_CAPTCHA)).statusCode());
    }
    assertEquals(2, api.emulator().connectionsSeen(), "the oversized answer's connection dropped");
  }

  @Test
  void tlsFromTheOptionsAndAGivenTrustManager() throws Exception {
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init((KeyStore) null);
    X509TrustManager trustManager = (X509TrustManager) factory.getTrustManagers()[0];
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {trustManager}, null);
    TransportOptions options = options().toBuilder().sslContext(context).build();
    try (RetrofitTransport transport =
        RetrofitTransport.builder().options(options).trustManager(trustManager).build()) {
      assertSame(trustManager, transport.okHttpClient().x509TrustManager());
    }
    try (RetrofitTransport transport = RetrofitTransport.builder().options(options).build()) {
      assertNotNull(transport.okHttpClient().x509TrustManager());
    }
    assertThrows(
        IllegalStateException.class,
        () ->
            RetrofitTransport.builder()
                .okHttpClient(usersClient())
                .trustManager(trustManager)
                .build());
  }

  @Test
  void neverShowsTheKey() throws IOException {
    try (RetrofitTransport transport = RetrofitTransport.builder().options(options()).build()) {
      transport.send(request(ReportEndpoint.IMAGE_CAPTCHA));
      assertFalse(transport.toString().contains(KEY), transport.toString());
    }
  }

  private static TransportCallback futureCallback(final CompletableFuture<TransportResponse> f) {
    return new TransportCallback() {
      @Override
      public void onResponse(TransportResponse response) {
        f.complete(response);
      }

      @Override
      public void onFailure(IOException failure) {
        f.completeExceptionally(failure);
      }
    };
  }

  /** An adapter for a type the transport never uses: the user's Moshi keeps it. */
  static final class UpperCaseAdapter {
    @ToJson
    String toJson(StringBuilder value) {
      return value.toString().toUpperCase(java.util.Locale.ROOT);
    }

    @FromJson
    StringBuilder fromJson(String value) {
      return new StringBuilder(value);
    }
  }
}
