package io.github.capreport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A server that echoes the key back must not make the key appear in anything we produce. */
class RedactionTest {
  private static final String KEY = "67b6bcbb1a728ea8d563de6d169a2057";
  private final List<String> produced = new ArrayList<>();

  @AfterEach
  void nothingProducedShowsTheKey() {
    assertFalse(produced.isEmpty());
    for (String text : produced) {
      assertFalse(text.contains(KEY), "the client key leaked into: " + text);
    }
  }

  private final ScriptedTransport transport = new ScriptedTransport("echo");
  private final List<CapReportClient> clients = new ArrayList<>();

  @AfterEach
  void closeClients() {
    for (CapReportClient client : clients) {
      client.close();
    }
  }

  private CapReportClient client(String key, String baseUrl) {
    CapReportClient client =
        CapReportClient.builder()
            .clientKey(key)
            .baseUrl(baseUrl)
            .transport(transport)
            .retryPolicy(RetryPolicy.none())
            .requestTimeout(200, TimeUnit.MILLISECONDS)
            .build();
    clients.add(client);
    return client;
  }

  private CapReportClient clientAnswering(ScriptedTransport.Step answer) {
    transport.otherwise(answer);
    CapReportClient client = client(KEY, CapReportClient.DEFAULT_BASE_URL);
    produced.add(client.toString());
    return client;
  }

  private void remember(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      produced.add(String.valueOf(t.getMessage()));
      produced.add(t.toString());
    }
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    produced.add(trace.toString());
  }

  @Test
  void echoedInAnErrorDescriptionAndCode() throws IOException {
    CapReportClient client =
        clientAnswering(
            Answers.envelope(200, 1L, "ERROR_" + KEY, "key " + KEY + " does not exist", null));
    ReportRefusedException e =
        assertThrows(ReportRefusedException.class, () -> client.reportImage(1));
    remember(e);
    produced.add(String.valueOf(e.errorDescription()));
    produced.add(String.valueOf(e.rawErrorCode()));
    assertTrue(e.getMessage().contains("<redacted>"), e.getMessage());
  }

  @Test
  void echoedInAnUnexpectedBody() throws IOException {
    CapReportClient client =
        clientAnswering(Answers.notJson(500, "<html>clientKey=" + KEY + "</html>"));
    UnexpectedResponseException e =
        assertThrows(UnexpectedResponseException.class, () -> client.reportImage(1));
    remember(e);
    produced.add(e.bodyPreview());
  }

  @Test
  void echoedInATransportsExceptionMessage() throws IOException {
    CapReportClient client =
        clientAnswering(ScriptedTransport.fail(new IOException("failed to send " + KEY)));
    TransportFailureException e =
        assertThrows(TransportFailureException.class, () -> client.reportImage(1));
    produced.add(e.getMessage());
    produced.add(e.toString());
  }

  @Test
  void requestsAndOptionsNeverShowIt() {
    TransportRequest request =
        new TransportRequest(
                URI.create("https://h.example/reportIncorrectImageCaptcha"),
                ReportEndpoint.IMAGE_CAPTCHA,
                Collections.singletonMap("User-Agent", "ua"))
            .withBody(1, ScriptedTransport.body(KEY, 1));
    produced.add(request.toString());
    produced.add(TransportOptions.builder().build().toString());
  }

  @Test
  void echoedInTheStatusFieldOfAnErrorlessEnvelope() throws IOException {
    CapReportClient client = clientAnswering(Answers.envelope(200, 0L, null, null, KEY));
    UnexpectedResponseException e =
        assertThrows(UnexpectedResponseException.class, () -> client.reportImage(1));
    remember(e);
    assertTrue(e.getMessage().contains("status is '<redacted>'"), e.getMessage());
  }

  @Test
  void aKeyStraddlingTheCutOfThePreviewIsRedactedWhole() throws IOException {
    StringBuilder body = new StringBuilder("<html>");
    while (body.length() < 190) {
      body.append('x');
    }
    body.append(KEY).append("</html>");
    CapReportClient client = clientAnswering(Answers.notJson(502, body.toString()));
    UnexpectedResponseException e =
        assertThrows(UnexpectedResponseException.class, () -> client.reportImage(1));
    remember(e);
    produced.add(e.bodyPreview());
    assertFalse(e.bodyPreview().contains(KEY.substring(0, 8)), e.bodyPreview());
    assertFalse(e.getMessage().contains(KEY.substring(0, 8)), e.getMessage());
  }

  @Test
  void echoedDeepInTheCauseChainOfAnHttpLibrarysException() throws IOException {
    IOException thrown =
        new IOException(
            "exchange failed",
            new java.net.ProtocolException("unexpected status line: HTTP/1.1 200 " + KEY));
    thrown.addSuppressed(new IOException("chunk size " + KEY));
    CapReportClient client = clientAnswering(ScriptedTransport.fail(thrown));
    TransportFailureException e =
        assertThrows(TransportFailureException.class, () -> client.reportImage(1));
    remember(e);
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    produced.add(trace.toString());
    assertTrue(
        trace.toString().contains("java.net.ProtocolException: unexpected status line"),
        "the redacted chain still names what failed: " + trace);
  }

  @Test
  void aShortKeyNeverCorruptsAKnownErrorCode() throws IOException {
    transport.otherwise(Answers.refusal(200, "ERROR_KEY_DOES_NOT_EXIST"));
    CapReportClient client = client("KEY", CapReportClient.DEFAULT_BASE_URL);
    ReportRefusedException e =
        assertThrows(ReportRefusedException.class, () -> client.reportImage(1));
    produced.add(e.getMessage());
    assertEquals(ApiErrorCode.ERROR_KEY_DOES_NOT_EXIST, e.errorCode());
    assertEquals("ERROR_KEY_DOES_NOT_EXIST", e.rawErrorCode());
    assertTrue(e.getMessage().contains("ERROR_KEY_DOES_NOT_EXIST"), e.getMessage());
  }

  @Test
  void aKeyPlacedInTheBaseUrlIsNotRepeated() throws IOException {
    transport.otherwise(ScriptedTransport.fail(new java.net.ConnectException("refused")));
    CapReportClient client = client(KEY, "https://h.example/" + KEY);
    produced.add(client.toString());
    TransportFailureException e =
        assertThrows(TransportFailureException.class, () -> client.reportImage(1));
    remember(e);
  }

  @Test
  void echoedInTheExceptionOfAnExchangeAbortedAtItsDeadline() throws IOException {
    CapReportClient client =
        clientAnswering(
            exchange -> {
              exchange.awaitAbort();
              throw new IOException("Socket closed while sending " + KEY);
            });
    TransportFailureException e =
        assertThrows(TransportFailureException.class, () -> client.reportImage(1));
    assertEquals(TransportFailureException.Kind.TIMEOUT, e.kind());
    remember(e);
  }

  @Test
  void echoedInAnExceptionOfAReportCancelledInFlight() throws Exception {
    CapReportClient client =
        clientAnswering(
            exchange -> {
              exchange.awaitAbort();
              throw new IOException("Canceled " + KEY);
            });
    java.util.concurrent.CompletableFuture<Object> outcome =
        new java.util.concurrent.CompletableFuture<>();
    ReportCall call =
        client.reportAsync(
            ReportEndpoint.IMAGE_CAPTCHA,
            1,
            new ReportCallback() {
              @Override
              public void onAccepted(ReportResult result) {
                outcome.complete(result);
              }

              @Override
              public void onFailed(CapReportException failure) {
                outcome.complete(failure);
              }
            });
    assertTrue(transport.awaitExecutions(1));
    call.cancel();
    TransportFailureException e =
        (TransportFailureException) outcome.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(TransportFailureException.Kind.CANCELLED, e.kind());
    remember(e);
  }

  @Test
  void theRequestBodyHoldsTheKeyButNothingShowsIt() throws IOException {
    CapReportClient client = clientAnswering(Answers.success());
    client.reportImage(1);
    TransportRequest sent = transport.sent().get(0);
    assertTrue(new String(sent.body(), "UTF-8").contains(KEY));
    produced.add(sent.toString());
  }
}
