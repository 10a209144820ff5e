package io.github.capreport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.capreport.Answers;
import io.github.capreport.ApiErrorCode;
import io.github.capreport.ReportEndpoint;
import io.github.capreport.ReportRefusedException;
import io.github.capreport.ReportResult;
import io.github.capreport.ScriptedTransport;
import io.github.capreport.TransportFailureException;
import io.github.capreport.TransportFailureException.Kind;
import io.github.capreport.UnexpectedResponseException;
import io.github.capreport.spi.JsonBinding;
import io.github.capreport.spi.TransportRequest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Collections;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReportOutcomesTest {
  private static final String KEY = "k3y-0f-the-account";
  private final ReportOutcomes outcomes = new ReportOutcomes(new Redactor(KEY), null);
  private final TransportRequest request =
      new TransportRequest(
              URI.create("https://api.example/reportIncorrectImageCaptcha"),
              ReportEndpoint.IMAGE_CAPTCHA,
              Collections.singletonMap("User-Agent", "capreport/test (test)"))
          .withBody(7654321L, ScriptedTransport.body(KEY, 7654321L));

  @Test
  void successIsAResult() {
    ReportResult result = outcomes.interpret(request, Answers.read(Answers.success()));
    assertEquals(new ReportResult(ReportEndpoint.IMAGE_CAPTCHA, 7654321L, 200), result);
  }

  @Test
  void anErrorEnvelopeIsARefusalThatSaysWhy() {
    ReportRefusedException e =
        assertThrows(
            ReportRefusedException.class,
            () ->
                outcomes.interpret(
                    request,
                    Answers.read(
                        Answers.envelope(200, 1L, "ERROR_KEY_DOES_NOT_EXIST", null, null))));
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
                    Answers.read(
                        Answers.envelope(
                            200, 16L, "ERROR_NO_SLOT_AVAILABLE", "busy, try later", null))));
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
            () ->
                outcomes.interpret(request, Answers.read(Answers.refusal(200, "ERROR_BRAND_NEW"))));
    assertEquals(ApiErrorCode.UNKNOWN, e.errorCode());
    assertEquals("ERROR_BRAND_NEW", e.rawErrorCode());
    assertFalse(e.isRetryable());
  }

  @Test
  void theOlderSpellingIsUnderstood() {
    ReportRefusedException e =
        assertThrows(
            ReportRefusedException.class,
            () ->
                outcomes.interpret(
                    request, Answers.read(Answers.refusal(200, "WRONG_CAPTCHA_ID"))));
    assertEquals(ApiErrorCode.ERROR_NO_SUCH_CAPCHA_ID, e.errorCode());
    assertEquals("WRONG_CAPTCHA_ID", e.rawErrorCode());
  }

  @Test
  void aRefusalWithoutCodeIsStillARefusal() {
    ReportRefusedException e =
        assertThrows(
            ReportRefusedException.class,
            () ->
                outcomes.interpret(
                    request, Answers.read(Answers.envelope(200, 1L, null, null, null))));
    assertEquals(ApiErrorCode.UNKNOWN, e.errorCode());
    assertNull(e.rawErrorCode());
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 403, 429, 500, 503})
  void anEnvelopeUnderAnErrorStatusIsTheApisRefusal(int status) {
    ReportRefusedException e =
        assertThrows(
            ReportRefusedException.class,
            () ->
                outcomes.interpret(
                    request, Answers.read(Answers.refusal(status, "ERROR_IP_BANNED"))));
    assertEquals(status, e.httpStatus());
    assertEquals(ApiErrorCode.ERROR_IP_BANNED, e.errorCode());
  }

  @Test
  void htmlFromAProxyIsUnexpectedAndRetryable() {
    UnexpectedResponseException e =
        assertThrows(
            UnexpectedResponseException.class,
            () ->
                outcomes.interpret(
                    request, Answers.read(Answers.notJson(502, "<html>Bad gateway</html>"))));
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
            () -> outcomes.interpret(request, Answers.read(Answers.notJson(200, "{\"errorId\":"))));
    assertFalse(e.isRetryable());
    assertTrue(e.getMessage().contains("not a JSON object"), e.getMessage());
  }

  @Test
  void successWithoutStatusIsUnexpected() {
    UnexpectedResponseException e =
        assertThrows(
            UnexpectedResponseException.class,
            () ->
                outcomes.interpret(
                    request, Answers.read(Answers.envelope(200, 0L, null, null, null))));
    assertTrue(e.getMessage().contains("errorId is 0 but status is absent"), e.getMessage());
  }

  @Test
  void successWithAnotherStatusIsUnexpected() {
    UnexpectedResponseException e =
        assertThrows(
            UnexpectedResponseException.class,
            () ->
                outcomes.interpret(
                    request, Answers.read(Answers.envelope(200, 0L, null, null, "processing"))));
    assertTrue(e.getMessage().contains("'processing'"), e.getMessage());
  }

  @Test
  void anObjectWithoutErrorIdIsUnexpected() {
    UnexpectedResponseException e =
        assertThrows(
            UnexpectedResponseException.class,
            () ->
                outcomes.interpret(
                    request, Answers.read(Answers.envelope(200, null, null, null, "success"))));
    assertTrue(e.getMessage().contains("no errorId"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(ints = {301, 302, 307, 308})
  void aRedirectIsNotFollowedAndSaysSo(int status) {
    UnexpectedResponseException e =
        assertThrows(
            UnexpectedResponseException.class,
            () -> outcomes.interpret(request, Answers.read(Answers.notJson(status, ""))));
    assertEquals(status, e.httpStatus());
    assertFalse(e.isRetryable());
    assertTrue(e.getMessage().contains("redirect, not followed"), e.getMessage());
  }

  @Test
  void failuresAreClassified() {
    assertEquals(Kind.CONNECT, ReportOutcomes.classify(new ConnectException("refused")));
    assertEquals(Kind.UNKNOWN_HOST, ReportOutcomes.classify(new UnknownHostException("x")));
    assertEquals(Kind.TIMEOUT, ReportOutcomes.classify(new SocketTimeoutException("slow")));
    // An InterruptedIOException is a library's own timeout unless the thread was interrupted.
    assertEquals(Kind.TIMEOUT, ReportOutcomes.classify(new InterruptedIOException()));
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
  void anInterruptedCallersInterruptedIoExceptionIsAnInterrupt() {
    Thread.currentThread().interrupt();
    try {
      assertEquals(Kind.INTERRUPTED, ReportOutcomes.classify(new InterruptedIOException()));
      // A socket timeout stays a timeout even on an interrupted thread.
      assertEquals(Kind.TIMEOUT, ReportOutcomes.classify(new SocketTimeoutException("slow")));
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void aLibrarysOwnTimeoutInInterruptedIoExceptionsClothesIsATimeout() {
    // Apache's connect and pool timeouts, OkHttp's call timeout.
    TransportFailureException e = outcomes.failure(request, new InterruptedIOException("timeout"));
    assertEquals(Kind.TIMEOUT, e.kind());
    assertTrue(e.isRetryable());
    assertFalse(Thread.currentThread().isInterrupted());
  }

  @Test
  void anInterruptKeepsTheInterruptStatusAndIsNotRetryable() {
    Thread.currentThread().interrupt();
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
        outcomes.transportBug(request, "broken", new IllegalStateException("oops"), true);
    assertEquals(Kind.IO, e.kind());
    assertTrue(e.getMessage().contains("transport 'broken' failed unexpectedly"), e.getMessage());
  }

  @Test
  void anOversizedBodyIsUnexpectedAndSaysSo() {
    byte[] big = new byte[64 * 1024 + 1];
    java.util.Arrays.fill(big, (byte) 'x');
    Answer answer = Answers.read(Answers.bytes(200, big));
    assertFalse(answer.complete());
    UnexpectedResponseException e =
        assertThrows(UnexpectedResponseException.class, () -> outcomes.interpret(request, answer));
    assertTrue(e.getMessage().contains("the body is larger than 65536 bytes"), e.getMessage());
    assertEquals(Answer.PREVIEW_CHARS, e.bodyPreview().length());
  }

  @Test
  void retryAfterIsCarriedOnRefusalsAndUnexpectedAnswers() {
    ReportRefusedException refused =
        assertThrows(
            ReportRefusedException.class,
            () ->
                outcomes.interpret(
                    request,
                    Answers.read(Answers.refusal(429, "ERROR_TOO_MUCH_REQUESTS").retryAfter("7"))));
    assertEquals(7000, refused.retryAfterMillis());
    UnexpectedResponseException unexpected =
        assertThrows(
            UnexpectedResponseException.class,
            () ->
                outcomes.interpret(
                    request, Answers.read(Answers.notJson(503, "busy").retryAfter("2"))));
    assertEquals(2000, unexpected.retryAfterMillis());
  }

  @Test
  void aDeadlineAbortIsATimeoutThatNamesTheRequestTimeout() {
    IOException thrown = new IOException("Socket closed " + KEY);
    TransportFailureException e =
        outcomes.failure(request, thrown, CallWatchdog.Reason.DEADLINE, 1500);
    assertEquals(Kind.TIMEOUT, e.kind());
    assertTrue(e.isRetryable());
    assertTrue(
        e.getMessage().contains("no complete answer within the request timeout of 1500 ms"),
        e.getMessage());
    assertInstanceOf(SocketTimeoutException.class, e.getCause());
    Throwable library = e.getCause().getCause();
    assertFalse(library.getMessage().contains(KEY), library.getMessage());
  }

  @Test
  void aDeadlineAbortIsATimeoutWhateverTheLibraryMadeOfIt() {
    // An HTTP library may report an abort as a closed connection: the client's reason decides.
    TransportFailureException e =
        outcomes.failure(
            request, new ConnectException("closed"), CallWatchdog.Reason.DEADLINE, 30_000);
    assertEquals(Kind.TIMEOUT, e.kind());
  }

  @Test
  void aCancelInFlightIsCancelledAndMayHaveReachedTheServer() {
    TransportFailureException e =
        outcomes.failure(
            request, new IOException("Socket closed"), CallWatchdog.Reason.CANCELLED, 30_000);
    assertEquals(Kind.CANCELLED, e.kind());
    assertFalse(e.isRetryable());
    assertEquals(
        "reportIncorrectImageCaptcha for task 7654321 was cancelled while it was in flight. The"
            + " report may or may not have reached the server.",
        e.getMessage());
    assertFalse(outcomes.wasNotSent(e));
  }

  @Test
  void aCloseInFlightIsCancelledAndSaysTheClientClosed() {
    TransportFailureException e =
        outcomes.failure(request, new IOException("closed"), CallWatchdog.Reason.CLOSED, 30_000);
    assertEquals(Kind.CANCELLED, e.kind());
    assertTrue(e.getMessage().contains("was ended by the client's close()"), e.getMessage());
  }

  @Test
  void anInterruptAbortKeepsTheInterruptStatus() {
    try {
      TransportFailureException e =
          outcomes.failure(
              request, new IOException("closed"), CallWatchdog.Reason.INTERRUPTED, 30_000);
      assertEquals(Kind.INTERRUPTED, e.kind());
      assertTrue(Thread.currentThread().isInterrupted());
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void withoutAnAbortTheExceptionDecides() {
    ConnectException refused = new ConnectException("refused");
    TransportFailureException e = outcomes.failure(request, refused, null, 30_000);
    assertEquals(Kind.CONNECT, e.kind());
    assertSame(refused, e.getCause());
  }

  @Test
  void aReportStoppedBeforeItWentOutSaysItDidNotReachTheServer() {
    TransportFailureException e =
        outcomes.notSent(request, CallWatchdog.Reason.CANCELLED, "before it was sent");
    assertEquals(Kind.CANCELLED, e.kind());
    assertTrue(outcomes.wasNotSent(e));
    assertEquals(
        "reportIncorrectImageCaptcha for task 7654321 was cancelled before it was sent. The"
            + " report did not reach the server.",
        e.getMessage());
    assertFalse(outcomes.wasNotSent(outcomes.failure(request, new IOException("x"))));
  }

  @Test
  void anInterruptWhileWaitingToRetryKeepsTheStatus() {
    try {
      TransportFailureException e =
          outcomes.interruptedWhileWaiting(request, 500, "to retry", new InterruptedException());
      assertEquals(Kind.INTERRUPTED, e.kind());
      assertTrue(e.getMessage().contains("while waiting 500 ms to retry"), e.getMessage());
      assertTrue(Thread.currentThread().isInterrupted());
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void aMessageNeverQuotesTheKeyFromALibrarysException() {
    TransportFailureException e = outcomes.failure(request, new IOException("bad header: " + KEY));
    assertFalse(e.getMessage().contains(KEY), e.getMessage());
    assertFalse(e.getCause().getMessage().contains(KEY), e.getCause().getMessage());
    assertInstanceOf(Redactor.RedactedCause.class, e.getCause());
  }

  @Test
  void aNameThatDoesNotResolveIsItsOwnKindWhicheverWayTheLibrarySaysIt() {
    // java.net.http: send() wraps the exchange's ConnectException, whose cause says it.
    java.net.ConnectException exchange = new java.net.ConnectException();
    exchange.initCause(new java.nio.channels.UnresolvedAddressException());
    java.net.ConnectException jdk = new java.net.ConnectException();
    jdk.initCause(exchange);
    for (IOException e :
        new IOException[] {new java.net.UnknownHostException("api.invalid"), exchange, jdk}) {
      TransportFailureException failure = outcomes.failure(request, e);
      assertEquals(Kind.UNKNOWN_HOST, failure.kind());
      assertTrue(failure.isRetryable());
      assertFalse(outcomes.mayHaveArrived(failure));
      assertTrue(
          failure
              .getMessage()
              .startsWith(
                  "reportIncorrectImageCaptcha for task 7654321 could not resolve the host name"
                      + " of https://api.example ("),
          failure.getMessage());
      assertTrue(
          failure.getMessage().endsWith("The report did not reach the server; a retry can help."),
          failure.getMessage());
    }
  }

  // ---- through a proxy ----

  private final ReportOutcomes proxied =
      new ReportOutcomes(new Redactor(KEY), ProxyRoute.through("proxy.example", 3128));

  @Test
  void aProxyThatCannotBeReachedIsNamed() {
    TransportFailureException refused =
        proxied.failure(request, new ConnectException("Connection refused"));
    assertEquals(Kind.PROXY_UNREACHABLE, refused.kind());
    assertTrue(refused.isRetryable());
    assertFalse(proxied.mayHaveArrived(refused));
    assertEquals(
        "reportIncorrectImageCaptcha for task 7654321 could not connect to the proxy"
            + " proxy.example:3128 (ConnectException: Connection refused). The report did not"
            + " reach the server; a retry can help.",
        refused.getMessage());
    TransportFailureException unresolved =
        proxied.failure(request, new UnknownHostException("proxy.example"));
    assertEquals(Kind.PROXY_UNREACHABLE, unresolved.kind());
    assertTrue(
        unresolved
            .getMessage()
            .contains("could not resolve the host name of the proxy proxy.example:3128"),
        unresolved.getMessage());
  }

  @ParameterizedTest
  @ValueSource(ints = {407, 403, 400, 502, 503, 504})
  void aTunnelTheProxyRefusedSaysWhyAndWhetherARetryCanHelp(int status) {
    TransportFailureException e =
        proxied.failure(request, new io.github.capreport.spi.TunnelRefusedException(status, null));
    Kind expected =
        status == 407
            ? Kind.PROXY_AUTHENTICATION
            : status >= 500 ? Kind.PROXY_UPSTREAM : Kind.PROXY_REFUSED;
    assertEquals(expected, e.kind());
    assertEquals(status >= 500, e.isRetryable(), "retryable");
    assertFalse(proxied.mayHaveArrived(e));
    assertTrue(
        e.getMessage()
            .startsWith(
                "reportIncorrectImageCaptcha for task 7654321 was refused by the proxy"
                    + " proxy.example:3128 with HTTP "
                    + status
                    + ": "),
        e.getMessage());
    assertTrue(
        e.getMessage()
            .endsWith(
                "The report did not reach the server; a retry "
                    + (status >= 500 ? "can help." : "will not help.")),
        e.getMessage());
  }

  @Test
  void a407AnswerIsTheProxyRefusingItsCredentialsWhateverTheRoute() {
    for (ReportOutcomes either : new ReportOutcomes[] {outcomes, proxied}) {
      TransportFailureException e =
          assertThrows(
              TransportFailureException.class,
              () ->
                  either.interpret(
                      request, Answers.read(Answers.notJson(407, "<html>" + KEY + "</html>"))));
      assertEquals(Kind.PROXY_AUTHENTICATION, e.kind());
      assertFalse(e.isRetryable());
      assertFalse(e.getMessage().contains(KEY), "no body quoted: " + e.getMessage());
      assertTrue(e.getMessage().contains("proxyCredentials"), e.getMessage());
    }
  }

  @Test
  void aHandshakeTheProxyBrokeOffIsTheTunnelClosing() {
    SSLHandshakeException sockets =
        new SSLHandshakeException("Remote host terminated the handshake");
    sockets.initCause(new java.io.EOFException("SSL peer shut down incorrectly"));
    SSLHandshakeException engine =
        new SSLHandshakeException("Remote host terminated the handshake");
    for (SSLHandshakeException e : new SSLHandshakeException[] {sockets, engine}) {
      TransportFailureException failure = proxied.failure(request, e);
      assertEquals(Kind.PROXY_UPSTREAM, failure.kind());
      assertTrue(failure.isRetryable());
      assertTrue(
          failure
              .getMessage()
              .contains(
                  "the proxy proxy.example:3128 closed the tunnel to https://api.example before"
                      + " TLS was established"),
          failure.getMessage());
      assertEquals(Kind.TLS, outcomes.failure(request, e).kind(), "without a proxy, as before");
    }
    assertEquals(
        Kind.TLS,
        proxied.failure(request, new SSLHandshakeException("PKIX path building failed")).kind(),
        "a certificate refused through the tunnel is still TLS");
  }

  @Test
  void aTimeoutOrABreakThroughAProxySaysThroughWhich() {
    TransportFailureException timeout =
        proxied.failure(request, new SocketTimeoutException("slow"));
    assertEquals(Kind.TIMEOUT, timeout.kind());
    assertTrue(
        timeout
            .getMessage()
            .contains("timed out waiting for https://api.example through the proxy proxy.example"),
        timeout.getMessage());
    TransportFailureException broken = proxied.failure(request, new IOException("reset"));
    assertEquals(Kind.IO, broken.kind());
    assertTrue(broken.getMessage().contains("through the proxy proxy.example:3128"));
  }

  @Test
  void aFailureOnADirectRouteOfAProxiedClientNamesNoProxy() {
    ReportOutcomes direct = new ReportOutcomes(new Redactor(KEY), ProxyRoute.direct());
    assertEquals(Kind.CONNECT, direct.failure(request, new ConnectException("refused")).kind());
    TransportFailureException tunnel =
        outcomes.failure(request, new io.github.capreport.spi.TunnelRefusedException(502, null));
    assertEquals(Kind.PROXY_UPSTREAM, tunnel.kind(), "a user's own client's proxy");
    assertTrue(tunnel.getMessage().contains("was refused by the proxy with HTTP 502"));
  }

  // ---- found from outside ----

  @Test
  void a407WithoutAProxyIsTheHostsAnswerNotAProxyRefusal() {
    ReportOutcomes direct = new ReportOutcomes(new Redactor(KEY), ProxyRoute.direct());
    UnexpectedResponseException e =
        assertThrows(
            UnexpectedResponseException.class,
            () -> direct.interpret(request, Answers.read(Answers.notJson(407, ""))));
    assertEquals(407, e.httpStatus());
    ReportOutcomes proxied =
        new ReportOutcomes(new Redactor(KEY), ProxyRoute.through("proxy.example", 3128));
    TransportFailureException refused =
        assertThrows(
            TransportFailureException.class,
            () -> proxied.interpret(request, Answers.read(Answers.notJson(407, ""))));
    assertEquals(Kind.PROXY_AUTHENTICATION, refused.kind());
  }

  @Test
  void anErrorIdThatIsNotAnIntegerIsNotCalledMissing() throws Exception {
    JsonBinding stringErrorId =
        new JsonBinding() {
          @Override
          public byte[] reportBody(String clientKey, long taskId) {
            return new byte[0];
          }

          @Override
          public void readMembers(byte[] json, Members members) {
            members.member("errorId", false, "0");
            members.member("status", false, "success");
          }
        };
    Answer answer =
        Answer.read(
            ScriptedTransport.response(
                200, null, new java.io.ByteArrayInputStream(new byte[] {'{', '}'})),
            64 * 1024,
            stringErrorId);
    UnexpectedResponseException e =
        assertThrows(UnexpectedResponseException.class, () -> outcomes.interpret(request, answer));
    assertTrue(e.getMessage().contains("its errorId is not an integer"), e.getMessage());
  }

  @Test
  void anUncheckedExceptionOfTheHttpLibrarySaysWhatItSaid() {
    TransportFailureException e =
        outcomes.transportBug(
            request, "jdk", new IllegalArgumentException("For input string: \"abc\" " + KEY), true);
    assertTrue(e.getMessage().contains("For input string: \"abc\""), e.getMessage());
    assertFalse(e.getMessage().contains(KEY), e.getMessage());
  }
}
