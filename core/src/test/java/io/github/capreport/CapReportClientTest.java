package io.github.capreport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportCallback;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportProvider;
import io.github.capreport.spi.TransportRequest;
import java.net.ConnectException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/** The client's own logic, with the transport as the seam. Real HTTP is the testkit's job. */
class CapReportClientTest {
  private static final String KEY = "client-key-under-test";
  private Transport transport;

  @BeforeEach
  void setUp() {
    transport = mock(Transport.class);
    when(transport.id()).thenReturn("fake");
  }

  private CapReportClient.Builder builder() {
    // One attempt: retries have their own tests.
    return CapReportClient.builder()
        .clientKey(KEY)
        .transport(transport)
        .retryPolicy(RetryPolicy.none());
  }

  @Test
  void sendsTheReportToTheEndpointUnderTheBaseUrl() throws Exception {
    when(transport.send(any())).thenReturn(Answers.success());
    try (CapReportClient client = builder().baseUrl("https://example.test/api/").build()) {
      assertEquals(
          new ReportResult(ReportEndpoint.TOKEN_CAPTCHA, 42L, 200),
          client.report(CaptchaKind.HCAPTCHA, 42L));
    }
    ArgumentCaptor<TransportRequest> sent = ArgumentCaptor.forClass(TransportRequest.class);
    verify(transport).send(sent.capture());
    TransportRequest request = sent.getValue();
    assertEquals("https://example.test/api/reportIncorrectTokenCaptcha", request.uri().toString());
    assertEquals(KEY, request.clientKey());
    assertEquals(42L, request.taskId());
    assertEquals("application/json", request.headers().get("Content-Type"));
    assertEquals("application/json", request.headers().get("Accept"));
    assertTrue(request.userAgent().matches("capreport/\\S+ \\(fake\\)"), request.userAgent());
  }

  @Test
  void defaultsToTheVendorsApi() {
    assertEquals("https://api.capmonster.cloud", builder().build().baseUrl());
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

  @Test
  void plainHttpToARemoteHostIsRejectedUnlessAllowed() {
    assertThrows(
        IllegalArgumentException.class, () -> builder().baseUrl("http://api.example").build());
    assertEquals(
        "http://api.example",
        builder().baseUrl("http://api.example").allowPlainHttp(true).build().baseUrl());
  }

  @Test
  void badArgumentsFailBeforeAnyIo() throws Exception {
    CapReportClient client = builder().build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> client.reportImage(0));
    assertEquals("taskId must be a positive task id, was 0", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> client.reportToken(-7));
    assertThrows(
        IllegalArgumentException.class, () -> client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, -1));
    assertThrows(NullPointerException.class, () -> client.report((ReportEndpoint) null, 1));
    assertThrows(NullPointerException.class, () -> client.report((CaptchaKind) null, 1));
    assertThrows(
        NullPointerException.class,
        () -> client.reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 1, null));
    verify(transport, never()).send(any());
    verify(transport, never()).sendAsync(any(), any());
  }

  @Test
  void aClosedClientRefusesNewReports() throws Exception {
    CapReportClient client = builder().build();
    client.close();
    assertThrows(IllegalStateException.class, () -> client.reportImage(1));
    verify(transport, never()).send(any());
  }

  @Test
  void closingNeverClosesATransportTheUserPassedIn() {
    builder().build().close();
    verify(transport, never()).close();
  }

  @Test
  void closingClosesATransportTheClientCreated() {
    TransportProvider provider = mock(TransportProvider.class);
    when(provider.id()).thenReturn("made");
    when(provider.create(any())).thenReturn(transport);
    CapReportClient client =
        CapReportClient.builder().clientKey(KEY).transportProvider(provider).build();
    client.close();
    client.close();
    verify(transport, org.mockito.Mockito.times(1)).close();
  }

  @Test
  void theProviderGetsTheBuildersOptions() {
    TransportProvider provider = mock(TransportProvider.class);
    when(provider.id()).thenReturn("made");
    when(provider.create(any())).thenReturn(transport);
    CapReportClient.builder()
        .clientKey(KEY)
        .transportProvider(provider)
        .connectTimeout(3, TimeUnit.SECONDS)
        .requestTimeout(1500, TimeUnit.MILLISECONDS)
        .maxConnections(8)
        .build();
    ArgumentCaptor<TransportOptions> options = ArgumentCaptor.forClass(TransportOptions.class);
    verify(provider).create(options.capture());
    assertEquals(3000, options.getValue().connectTimeoutMillis());
    assertEquals(1500, options.getValue().requestTimeoutMillis());
    assertEquals(8, options.getValue().maxConnections());
    assertTrue(options.getValue().userAgent().endsWith("(made)"));
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
    when(transport.send(any())).thenThrow(refused);
    TransportFailureException e =
        assertThrows(TransportFailureException.class, () -> builder().build().reportImage(5));
    assertSame(refused, e.getCause());
  }

  @Test
  void aTransportThatThrowsUncheckedStillEndsInATypedException() throws Exception {
    when(transport.send(any())).thenThrow(new IllegalStateException("bug"));
    assertThrows(TransportFailureException.class, () -> builder().build().reportImage(5));
  }

  @Test
  void asyncReportsCompleteTheFuture() throws Exception {
    answerAsync(Answers.success());
    CompletableFuture<ReportResult> future =
        builder().build().reportAsync(CaptchaKind.TURNSTILE, 9L);
    assertEquals(
        new ReportResult(ReportEndpoint.TOKEN_CAPTCHA, 9L, 200), future.get(5, TimeUnit.SECONDS));
  }

  @Test
  void asyncRefusalsFailTheFutureWithTheTypedException() {
    answerAsync(Answers.refusal(200, "ERROR_ZERO_BALANCE"));
    CompletableFuture<ReportResult> future =
        builder().build().reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 9L);
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> future.get(5, TimeUnit.SECONDS));
    ReportRefusedException refusal = assertInstanceOf(ReportRefusedException.class, e.getCause());
    assertEquals(ApiErrorCode.ERROR_ZERO_BALANCE, refusal.errorCode());
  }

  @Test
  void asyncFailuresReachTheCallback() {
    doAnswer(
            invocation -> {
              invocation.<TransportCallback>getArgument(1).onFailure(new ConnectException("no"));
              return null;
            })
        .when(transport)
        .sendAsync(any(), any());
    AtomicReference<Object> outcome = new AtomicReference<>();
    builder()
        .build()
        .reportAsync(
            ReportEndpoint.IMAGE_CAPTCHA,
            3L,
            new ReportCallback() {
              @Override
              public void onAccepted(ReportResult result) {
                outcome.set(result);
              }

              @Override
              public void onFailed(CapReportException failure) {
                outcome.set(failure);
              }
            });
    TransportFailureException e = assertInstanceOf(TransportFailureException.class, outcome.get());
    assertEquals(TransportFailureException.Kind.CONNECT, e.kind());
  }

  @Test
  void anAsyncTransportThatThrowsStillCompletesTheFuture() {
    doAnswer(
            invocation -> {
              throw new IllegalStateException("bug");
            })
        .when(transport)
        .sendAsync(any(), any());
    CompletableFuture<ReportResult> future =
        builder().build().reportAsync(ReportEndpoint.IMAGE_CAPTCHA, 1L);
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> future.get(5, TimeUnit.SECONDS));
    assertInstanceOf(TransportFailureException.class, e.getCause());
  }

  @Test
  void toStringNeverShowsTheKey() {
    CapReportClient client = builder().build();
    assertFalse(client.toString().contains(KEY), client.toString());
    assertTrue(client.toString().contains("<redacted>"));
  }

  private void answerAsync(io.github.capreport.spi.TransportResponse response) {
    doAnswer(
            invocation -> {
              invocation.<TransportCallback>getArgument(1).onResponse(response);
              return null;
            })
        .when(transport)
        .sendAsync(any(), any());
  }
}
