package io.github.capreport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.capreport.Answers;
import io.github.capreport.ApiErrorCode;
import io.github.capreport.ReportEndpoint;
import io.github.capreport.ReportRefusedException;
import io.github.capreport.ReportResult;
import io.github.capreport.TransportFailureException;
import io.github.capreport.TransportFailureException.Kind;
import io.github.capreport.UnexpectedResponseException;
import io.github.capreport.spi.TransportRequest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReportOutcomesTest {
  private static final String KEY = "k3y-0f-the-account";
  private final ReportOutcomes outcomes = new ReportOutcomes(new Redactor(KEY));
  private final TransportRequest request =
      new TransportRequest(
          URI.create("https://api.example/reportIncorrectImageCaptcha"),
          ReportEndpoint.IMAGE_CAPTCHA,
          KEY,
          7654321L,
          "capreport/test (test)",
          65536);

  @Test
  void successIsAResult() {
    ReportResult result = outcomes.interpret(request, Answers.success());
    assertEquals(new ReportResult(ReportEndpoint.IMAGE_CAPTCHA, 7654321L, 200), result);
  }

  @Test
  void anErrorEnvelopeIsARefusalThatSaysWhy() {
    ReportRefusedException e =
        assertThrows(
            ReportRefusedException.class,
            () ->
                outcomes.interpret(
                    request, Answers.envelope(200, 1L, "ERROR_KEY_DOES_NOT_EXIST", null, null)));
    assertEquals(ApiErrorCode.ERROR_KEY_DOES_NOT_EXIST, e.errorCode());
    assertEquals("ERROR_KEY_DOES_NOT_EXIST", e.rawErrorCode());
    assertEquals(1L, e.errorId());
    assertEquals(200, e.httpStatus());
    assertEquals(7654321L, e.taskId());
    assertEquals(ReportEndpoint.IMAGE_CAPTCHA, e.endpoint());
    assertFalse(e.isRetryable());
    assertEquals(
        "reportIncorrectImageCaptcha for task 7654321 was refused by the API:"
            + " ERROR_KEY_DOES_NOT_EXIST (the client key was not found or is malformed), errorId 1,"
            + " HTTP 200. A retry will not help.",
        e.getMessage());
  }

  @Test
  void aRefusalKeepsDescriptionAndAnyErrorId() {
    ReportRefusedException e =
        assertThrows(
            ReportRefusedException.class,
            () ->
                outcomes.interpret(
                    request,
                    Answers.envelope(
                        200, 16L, "ERROR_NO_SLOT_AVAILABLE", "busy, try later", null)));
    assertEquals(16L, e.errorId());
    assertEquals("busy, try later", e.errorDescription());
    assertTrue(e.isRetryable());
    assertTrue(e.getMessage().contains("description: busy, try later"), e.getMessage());
    assertTrue(e.getMessage().endsWith("A later retry can help."), e.getMessage());
  }

  @Test
  void anUnknownCodeKeepsItsRawString() {
    ReportRefusedException e =
        assertThrows(
            ReportRefusedException.class,
            () -> outcomes.interpret(request, Answers.refusal(200, "ERROR_BRAND_NEW")));
    assertEquals(ApiErrorCode.UNKNOWN, e.errorCode());
    assertEquals("ERROR_BRAND_NEW", e.rawErrorCode());
    assertFalse(e.isRetryable());
  }

  @Test
  void theOlderSpellingIsUnderstood() {
    ReportRefusedException e =
        assertThrows(
            ReportRefusedException.class,
            () -> outcomes.interpret(request, Answers.refusal(200, "WRONG_CAPTCHA_ID")));
    assertEquals(ApiErrorCode.ERROR_NO_SUCH_CAPCHA_ID, e.errorCode());
    assertEquals("WRONG_CAPTCHA_ID", e.rawErrorCode());
  }

  @Test
  void aRefusalWithoutCodeIsStillARefusal() {
    ReportRefusedException e =
        assertThrows(
            ReportRefusedException.class,
            () -> outcomes.interpret(request, Answers.envelope(200, 1L, null, null, null)));
    assertEquals(ApiErrorCode.UNKNOWN, e.errorCode());
    assertNull(e.rawErrorCode());
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 403, 429, 500, 503})
  void anEnvelopeUnderAnErrorStatusIsTheApisRefusal(int status) {
    ReportRefusedException e =
        assertThrows(
            ReportRefusedException.class,
            () -> outcomes.interpret(request, Answers.refusal(status, "ERROR_IP_BANNED")));
    assertEquals(status, e.httpStatus());
    assertEquals(ApiErrorCode.ERROR_IP_BANNED, e.errorCode());
  }

  @Test
  void htmlFromAProxyIsUnexpectedAndRetryable() {
    UnexpectedResponseException e =
        assertThrows(
            UnexpectedResponseException.class,
            () -> outcomes.interpret(request, Answers.notJson(502, "<html>Bad gateway</html>")));
    assertEquals(502, e.httpStatus());
    assertEquals("<html>Bad gateway</html>", e.bodyPreview());
    assertTrue(e.isRetryable());
    assertEquals(
        "reportIncorrectImageCaptcha for task 7654321 got an answer that is not the API's: HTTP"
            + " 502; the body is not a JSON object; body starts: <html>Bad gateway</html>. The"
            + " server or a proxy in front of it is failing; a retry can help.",
        e.getMessage());
  }

  @Test
  void malformedJsonUnder200IsUnexpectedAndNotRetryable() {
    UnexpectedResponseException e =
        assertThrows(
            UnexpectedResponseException.class,
            () -> outcomes.interpret(request, Answers.notJson(200, "{\"errorId\":")));
    assertFalse(e.isRetryable());
    assertTrue(e.getMessage().contains("not a JSON object"), e.getMessage());
  }

  @Test
  void successWithoutStatusIsUnexpected() {
    UnexpectedResponseException e =
        assertThrows(
            UnexpectedResponseException.class,
            () -> outcomes.interpret(request, Answers.envelope(200, 0L, null, null, null)));
    assertTrue(e.getMessage().contains("errorId is 0 but status is absent"), e.getMessage());
  }

  @Test
  void successWithAnotherStatusIsUnexpected() {
    UnexpectedResponseException e =
        assertThrows(
            UnexpectedResponseException.class,
            () -> outcomes.interpret(request, Answers.envelope(200, 0L, null, null, "processing")));
    assertTrue(e.getMessage().contains("'processing'"), e.getMessage());
  }

  @Test
  void anObjectWithoutErrorIdIsUnexpected() {
    UnexpectedResponseException e =
        assertThrows(
            UnexpectedResponseException.class,
            () -> outcomes.interpret(request, Answers.envelope(200, null, null, null, "success")));
    assertTrue(e.getMessage().contains("no errorId"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(ints = {301, 302, 307, 308})
  void aRedirectIsNotFollowedAndSaysSo(int status) {
    UnexpectedResponseException e =
        assertThrows(
            UnexpectedResponseException.class,
            () -> outcomes.interpret(request, Answers.notJson(status, "")));
    assertEquals(status, e.httpStatus());
    assertFalse(e.isRetryable());
    assertTrue(e.getMessage().contains("redirect, not followed"), e.getMessage());
  }

  @Test
  void failuresAreClassified() {
    assertEquals(Kind.CONNECT, ReportOutcomes.classify(new ConnectException("refused")));
    assertEquals(Kind.CONNECT, ReportOutcomes.classify(new UnknownHostException("x")));
    assertEquals(Kind.TIMEOUT, ReportOutcomes.classify(new SocketTimeoutException("slow")));
    assertEquals(Kind.INTERRUPTED, ReportOutcomes.classify(new InterruptedIOException()));
    assertEquals(Kind.TLS, ReportOutcomes.classify(new SSLHandshakeException("untrusted")));
    // OkHttp's host name check, after the handshake: as final as an untrusted certificate.
    assertEquals(
        Kind.TLS,
        ReportOutcomes.classify(new SSLPeerUnverifiedException("Hostname 127.0.0.1 not verified")));
    assertEquals(Kind.IO, ReportOutcomes.classify(new IOException("reset")));
  }

  @Test
  void aTransportFailureKeepsItsCauseAndSaysWhere() {
    ConnectException cause = new ConnectException("Connection refused");
    TransportFailureException e = outcomes.failure(request, cause);
    assertSame(cause, e.getCause());
    assertEquals(Kind.CONNECT, e.kind());
    assertTrue(e.isRetryable());
    assertEquals(
        "reportIncorrectImageCaptcha for task 7654321 could not connect to https://api.example"
            + " (ConnectException: Connection refused). The report did not reach the server; a"
            + " retry can help.",
        e.getMessage());
  }

  @Test
  void anInterruptKeepsTheInterruptStatusAndIsNotRetryable() {
    try {
      TransportFailureException e = outcomes.failure(request, new InterruptedIOException("stop"));
      assertEquals(Kind.INTERRUPTED, e.kind());
      assertFalse(e.isRetryable());
      assertTrue(Thread.currentThread().isInterrupted());
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void aTlsFailureIsNotRetryable() {
    TransportFailureException e = outcomes.failure(request, new SSLHandshakeException("PKIX"));
    assertFalse(e.isRetryable());
    assertTrue(e.getMessage().contains("certificate trusted"), e.getMessage());
  }

  @Test
  void aTransportBugIsATransportFailureNotAStrayRuntimeException() {
    TransportFailureException e =
        outcomes.transportBug(request, "broken", new IllegalStateException("oops"));
    assertEquals(Kind.IO, e.kind());
    assertTrue(e.getMessage().contains("transport 'broken' failed unexpectedly"), e.getMessage());
  }
}
