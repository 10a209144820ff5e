package io.github.capreport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
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

  private CapReportClient clientAnswering(io.github.capreport.spi.TransportResponse answer)
      throws IOException {
    Transport transport = mock(Transport.class);
    when(transport.id()).thenReturn("echo");
    when(transport.send(any())).thenReturn(answer);
    CapReportClient client =
        CapReportClient.builder()
            .clientKey(KEY)
            .transport(transport)
            .retryPolicy(RetryPolicy.none())
            .build();
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
    Transport transport = mock(Transport.class);
    when(transport.id()).thenReturn("echo");
    when(transport.send(any())).thenThrow(new IOException("failed to send " + KEY));
    CapReportClient client =
        CapReportClient.builder()
            .clientKey(KEY)
            .transport(transport)
            .retryPolicy(RetryPolicy.none())
            .build();
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
            KEY,
            1,
            "ua",
            100);
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
    Transport transport = mock(Transport.class);
    when(transport.id()).thenReturn("echo");
    IOException thrown =
        new IOException(
            "exchange failed",
            new java.net.ProtocolException("unexpected status line: HTTP/1.1 200 " + KEY));
    thrown.addSuppressed(new IOException("chunk size " + KEY));
    when(transport.send(any())).thenThrow(thrown);
    CapReportClient client =
        CapReportClient.builder()
            .clientKey(KEY)
            .transport(transport)
            .retryPolicy(RetryPolicy.none())
            .build();
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
    Transport transport = mock(Transport.class);
    when(transport.id()).thenReturn("echo");
    when(transport.send(any())).thenReturn(Answers.refusal(200, "ERROR_KEY_DOES_NOT_EXIST"));
    CapReportClient client =
        CapReportClient.builder()
            .clientKey("KEY")
            .transport(transport)
            .retryPolicy(RetryPolicy.none())
            .build();
    ReportRefusedException e =
        assertThrows(ReportRefusedException.class, () -> client.reportImage(1));
    produced.add(e.getMessage());
    assertEquals(ApiErrorCode.ERROR_KEY_DOES_NOT_EXIST, e.errorCode());
    assertEquals("ERROR_KEY_DOES_NOT_EXIST", e.rawErrorCode());
    assertTrue(e.getMessage().contains("ERROR_KEY_DOES_NOT_EXIST"), e.getMessage());
  }

  @Test
  void aKeyPlacedInTheBaseUrlIsNotRepeated() throws IOException {
    Transport transport = mock(Transport.class);
    when(transport.id()).thenReturn("echo");
    when(transport.send(any())).thenThrow(new java.net.ConnectException("refused"));
    CapReportClient client =
        CapReportClient.builder()
            .clientKey(KEY)
            .baseUrl("https://h.example/" + KEY)
            .transport(transport)
            .retryPolicy(RetryPolicy.none())
            .build();
    produced.add(client.toString());
    TransportFailureException e =
        assertThrows(TransportFailureException.class, () -> client.reportImage(1));
    remember(e);
  }
}
