package io.github.capreport.transport.apache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.capreport.CapReportClient;
import io.github.capreport.ReportEndpoint;
import io.github.capreport.RetryPolicy;
import io.github.capreport.TransportFailureException;
import io.github.capreport.UnexpectedResponseException;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportCallback;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportProvider;
import io.github.capreport.spi.TransportRequest;
import io.github.capreport.spi.TransportResponse;
import io.github.capreport.testkit.CapMonsterEmulator;
import io.github.capreport.testkit.CapMonsterEmulatorExtension;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.util.HashSet;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the conformance suite cannot know about this transport: its own client, mapper, threads. */
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
        .connectTimeout(2, TimeUnit.SECONDS)
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

  private TransportRequest request(ReportEndpoint endpoint) {
    return new TransportRequest(
        URI.create(api.baseUrl() + endpoint.path()),
        endpoint,
        CLIENT_KEY,
        TASK_ID,
        CapReportClient.defaultUserAgent(ApacheTransportProvider.ID),
        64 * 1024);
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
              java.util.Collections.singletonMap("Retry-After", "0"));
      assertThrows(
          io.github.capreport.ReportRefusedException.class,
          () -> client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID));
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

  /**
   * A mapper set up to fail on unknown fields and to mangle output still reads and writes right.
   */
  @Test
  void worksWithAUsersStrictObjectMapper() throws IOException {
    ObjectMapper strict =
        JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(JsonWriteFeature.WRITE_NUMBERS_AS_STRINGS)
            .build();
    try (ApacheTransport transport =
            ApacheTransport.builder().objectMapper(strict).options(options(5_000)).build();
        CapReportClient client = client(transport)) {
      api.emulator()
          .nextRequest()
          .respondJson(200, "{\"errorId\":0,\"status\":\"success\",\"cost\":0.0,\"x\":{\"y\":[]}}");
      client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID);
    }
    assertEquals(Long.valueOf(TASK_ID), api.emulator().lastRequest().taskId(), "a JSON integer");
    assertEquals(CLIENT_KEY, api.emulator().lastRequest().clientKey());
  }

  /** Past the size limit the rest of the body is not drained: the connection is dropped. */
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
  void answersAnInterruptedBlockingSendWithInterruptedIoException() throws Exception {
    try (ApacheTransport transport = ApacheTransport.builder().options(options(30_000)).build()) {
      api.emulator().nextRequest().neverAnswer();
      final AtomicReference<Throwable> thrown = new AtomicReference<>();
      final AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
      Thread caller =
          new Thread(
              () -> {
                try {
                  transport.send(request(ReportEndpoint.IMAGE_CAPTCHA));
                } catch (Throwable t) {
                  thrown.set(t);
                }
                stillInterrupted.set(Thread.currentThread().isInterrupted());
              });
      caller.start();
      assertTrue(api.emulator().awaitRequests(1, WAIT_SECONDS, TimeUnit.SECONDS), "request held");
      caller.interrupt();
      caller.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
      assertFalse(caller.isAlive(), "the send ended");
      assertTrue(thrown.get() instanceof InterruptedIOException, String.valueOf(thrown.get()));
      assertFalse(
          thrown.get() instanceof java.net.SocketTimeoutException, "an interrupt, not a timeout");
      assertEquals(Boolean.TRUE, stillInterrupted.get(), "the interrupt flag is set again");
    }
  }

  @Test
  void failsASendOnAnAlreadyInterruptedThreadBeforeAnyIo() {
    try (ApacheTransport transport = ApacheTransport.builder().options(options(5_000)).build()) {
      Thread.currentThread().interrupt();
      try {
        assertThrows(
            InterruptedIOException.class,
            () -> transport.send(request(ReportEndpoint.IMAGE_CAPTCHA)));
        assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag stays set");
      } finally {
        Thread.interrupted();
      }
    }
    assertEquals(0, api.emulator().requestCount());
  }

  @Test
  void failsReportsStillQueuedOrRunningWhenClosed() throws Exception {
    TransportOptions one =
        options(30_000).toBuilder().maxConnections(1).build(); // one worker: the rest queue
    ApacheTransport transport = ApacheTransport.builder().options(one).build();
    api.emulator().nextRequest().neverAnswer();
    int n = 3;
    final CountDownLatch done = new CountDownLatch(n);
    final AtomicInteger failures = new AtomicInteger();
    final AtomicInteger calls = new AtomicInteger();
    for (int i = 0; i < n; i++) {
      transport.sendAsync(
          request(ReportEndpoint.IMAGE_CAPTCHA),
          new TransportCallback() {
            @Override
            public void onResponse(TransportResponse response) {
              calls.incrementAndGet();
              done.countDown();
            }

            @Override
            public void onFailure(IOException failure) {
              calls.incrementAndGet();
              failures.incrementAndGet();
              done.countDown();
            }
          });
    }
    assertTrue(api.emulator().awaitRequests(1, WAIT_SECONDS, TimeUnit.SECONDS), "one in flight");
    transport.close();
    assertTrue(done.await(WAIT_SECONDS, TimeUnit.SECONDS), "every callback called");
    assertEquals(n, failures.get(), "the running and the queued reports failed");
    assertEquals(n, calls.get(), "each callback exactly once");
  }

  @Test
  void failsASendAsyncAfterCloseOnAnotherThread() throws Exception {
    ApacheTransport transport = ApacheTransport.builder().build();
    transport.close();
    final CompletableFuture<Thread> calledOn = new CompletableFuture<>();
    final AtomicReference<IOException> failure = new AtomicReference<>();
    transport.sendAsync(
        request(ReportEndpoint.IMAGE_CAPTCHA),
        new TransportCallback() {
          @Override
          public void onResponse(TransportResponse response) {
            calledOn.completeExceptionally(new AssertionError("answered after close"));
          }

          @Override
          public void onFailure(IOException e) {
            failure.set(e);
            calledOn.complete(Thread.currentThread());
          }
        });
    Thread thread = calledOn.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertFalse(thread == Thread.currentThread(), "not on the caller's thread");
    assertTrue(failure.get().getMessage().contains("closed"), failure.get().getMessage());
    assertEquals(0, api.emulator().requestCount());
  }

  @Test
  void timesOutAReportWithAUsersClientThatHasNoTimeouts() throws IOException {
    try (CloseableHttpClient users = HttpClients.custom().disableAutomaticRetries().build();
        ApacheTransport transport =
            ApacheTransport.builder().httpClient(users).options(options(1_000)).build();
        CapReportClient client = client(transport)) {
      api.emulator().nextRequest().neverAnswer();
      TransportFailureException e =
          assertThrows(
              TransportFailureException.class,
              () -> client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID));
      assertEquals(TransportFailureException.Kind.TIMEOUT, e.kind());
    }
  }

  @Test
  void closeEndsTheThreadsTheTransportMade() throws Exception {
    Set<Thread> before = apacheThreads();
    ApacheTransport transport = ApacheTransport.builder().options(options(5_000)).build();
    try (CapReportClient client = client(transport)) {
      client.report(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID);
      for (int i = 0; i < 4; i++) {
        client
            .reportAsync(ReportEndpoint.IMAGE_CAPTCHA, TASK_ID)
            .get(WAIT_SECONDS, TimeUnit.SECONDS);
      }
      Set<Thread> during = apacheThreads();
      during.removeAll(before);
      assertFalse(during.isEmpty(), "the transport started threads of its own");
      for (Thread thread : during) {
        assertTrue(thread.isDaemon(), thread.getName() + " is a daemon");
      }
    }
    transport.close();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    Set<Thread> left;
    do {
      left = apacheThreads();
      left.removeAll(before);
      if (left.isEmpty()) {
        break;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    assertTrue(left.isEmpty(), "threads left after close: " + left);
  }

  @Test
  void keepsTheKeyOutOfToString() {
    try (ApacheTransport transport = ApacheTransport.builder().build()) {
      assertFalse(transport.toString().contains(CLIENT_KEY));
      assertTrue(transport.toString().startsWith("ApacheTransport{"), transport.toString());
    }
  }

  private static Set<Thread> apacheThreads() {
    Set<Thread> threads = new HashSet<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().startsWith("capreport-apache") && thread.isAlive()) {
        threads.add(thread);
      }
    }
    return threads;
  }
}
