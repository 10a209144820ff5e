package io.github.capreport.internal;

import io.github.capreport.ApiErrorCode;
import io.github.capreport.CapReportException;
import io.github.capreport.ReportRefusedException;
import io.github.capreport.ReportResult;
import io.github.capreport.TransportFailureException;
import io.github.capreport.UnexpectedResponseException;
import io.github.capreport.spi.TransportRequest;
import io.github.capreport.spi.TunnelRefusedException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.ProxySelector;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.jspecify.annotations.Nullable;

/** Decides what an answer, or its absence, means: the only place that does, for every transport. */
public final class ReportOutcomes {
  private final Redactor redactor;
  private final @Nullable ProxySelector routes;

  /**
   * @param routes the proxy choice of the client's own transport, to name the proxy a failure
   *     happened at; null when the transport and its route are the user's
   */
  public ReportOutcomes(Redactor redactor, @Nullable ProxySelector routes) {
    this.redactor = redactor;
    this.routes = routes;
  }

  /**
   * The result of an accepted report.
   *
   * @throws ReportRefusedException when the envelope carries an error
   * @throws UnexpectedResponseException when the answer is not the API's
   */
  public ReportResult interpret(TransportRequest request, Answer response) {
    int status = response.statusCode();
    if (status == 407 && (routes == null || ProxyRoute.proxyFor(routes, request.uri()) != null)) {
      // A proxy's: a forwarded plain http request's, or a CONNECT's that the HTTP library hands
      // back as the answer. Without a proxy (when the route is known) the API's host sent it, and
      // it is an answer that is not the API's: the request did reach that host.
      throw failure(request, new TunnelRefusedException(407, null));
    }
    Envelope envelope = response.envelope();
    if (envelope == null || envelope.errorId == null) {
      String why =
          envelope == null
              ? response.problem()
              : envelope.hasErrorId ? "its errorId is not an integer" : "the JSON has no errorId";
      throw unexpected(request, response, why);
    }
    long errorId = envelope.errorId;
    if (errorId != 0) {
      // The envelope is authoritative even under an error status: the API answered.
      // A code of the glossary is the vendor's constant and kept as sent: scrubbing it for a short
      // key (say "KEY" in ERROR_KEY_DOES_NOT_EXIST) would turn a known refusal into UNKNOWN.
      String wireCode = envelope.errorCode;
      String rawCode =
          ApiErrorCode.fromWire(wireCode) == ApiErrorCode.UNKNOWN
              ? redactor.scrub(wireCode)
              : wireCode;
      String description = redactor.scrub(envelope.errorDescription);
      throw new ReportRefusedException(
          refusalMessage(request, status, errorId, rawCode, description),
          request.endpoint(),
          request.taskId(),
          status,
          errorId,
          rawCode,
          description,
          RetryAfter.millis(response.retryAfter(), System.currentTimeMillis()));
    }
    if (!"success".equals(envelope.status)) {
      throw unexpected(
          request,
          response,
          "errorId is 0 but status is "
              + (envelope.status == null ? "absent" : "'" + redactor.scrub(envelope.status) + "'")
              + ", not 'success'");
    }
    return new ReportResult(request.endpoint(), request.taskId(), status);
  }

  /**
   * The failure for an exception the exchange raised instead of answering. When the client aborted
   * the exchange, its reason decides the kind, whatever the HTTP library made of the abort.
   *
   * @param aborted why the client aborted the exchange, or null when it did not
   */
  public TransportFailureException failure(
      TransportRequest request, IOException e, CallWatchdog.Reason aborted, long timeoutMillis) {
    if (aborted == CallWatchdog.Reason.DEADLINE) {
      SocketTimeoutException timeout =
          new SocketTimeoutException(
              "no complete answer within the request timeout of " + timeoutMillis + " ms");
      timeout.initCause(redactor.chain(e));
      return failure(request, timeout);
    }
    if (aborted != null) {
      return stopped(request, aborted, "while it was in flight", false, e);
    }
    return failure(request, e);
  }

  /**
   * The failure of an attempt that never went out: the client stopped it first. It ends the report
   * and is not counted as an attempt.
   */
  public TransportFailureException notSent(
      TransportRequest request, CallWatchdog.Reason reason, String when) {
    return stopped(request, reason, when, true, null);
  }

  /** Whether the failure is one of {@link #notSent}'s. */
  public boolean wasNotSent(CapReportException failure) {
    return failure.getCause() instanceof NotSent;
  }

  /**
   * Whether the attempt that failed so may have reached the server though no answer was read: it
   * timed out or broke after it may have been written, or a gateway answered in the API's place.
   */
  public boolean mayHaveArrived(CapReportException failure) {
    if (failure instanceof TransportFailureException) {
      // The rest (connect, name, TLS and proxy failures) happen before the request is written.
      TransportFailureException.Kind kind = ((TransportFailureException) failure).kind();
      return !wasNotSent(failure)
          && (kind == TransportFailureException.Kind.TIMEOUT
              || kind == TransportFailureException.Kind.IO
              || kind == TransportFailureException.Kind.INTERRUPTED
              || kind == TransportFailureException.Kind.CANCELLED);
    }
    if (failure instanceof UnexpectedResponseException) {
      int status = ((UnexpectedResponseException) failure).httpStatus();
      return status >= 500 && status != 503;
    }
    return false;
  }

  /** Whether the failure says the service wants fewer requests: the whole client slows down. */
  public static boolean throttled(CapReportException failure) {
    if (failure instanceof ReportRefusedException) {
      ApiErrorCode code = ((ReportRefusedException) failure).errorCode();
      return code == ApiErrorCode.ERROR_TOO_MUCH_REQUESTS
          || code == ApiErrorCode.ERROR_NO_SLOT_AVAILABLE;
    }
    if (failure instanceof UnexpectedResponseException) {
      int status = ((UnexpectedResponseException) failure).httpStatus();
      return status == 429 || status == 503;
    }
    return false;
  }

  /** A blocked caller interrupted while it waited, {@code why}: "to retry". */
  public TransportFailureException interruptedWhileWaiting(
      TransportRequest request, long delayMillis, String why, InterruptedException e) {
    return stopped(
        request,
        CallWatchdog.Reason.INTERRUPTED,
        "while waiting " + delayMillis + " ms " + why,
        true,
        e);
  }

  private TransportFailureException stopped(
      TransportRequest request,
      CallWatchdog.Reason reason,
      String when,
      boolean notSent,
      Throwable cause) {
    // Not a switch on the enum: each such switch costs a synthetic class, and core's jar is small.
    TransportFailureException.Kind kind = TransportFailureException.Kind.CANCELLED;
    String what = "was cancelled";
    if (reason == CallWatchdog.Reason.INTERRUPTED) {
      Thread.currentThread().interrupt();
      kind = TransportFailureException.Kind.INTERRUPTED;
      what = "was interrupted";
    } else if (reason == CallWatchdog.Reason.DEADLINE) {
      kind = TransportFailureException.Kind.TIMEOUT;
      what = "timed out";
    } else if (reason == CallWatchdog.Reason.CLOSED) {
      what = "was ended by the client's close()";
    }
    String message = describe(request) + " " + what + " " + when + ".";
    IOException carried = notSent ? new NotSent(message) : new InterruptedIOException(message);
    if (cause != null) {
      carried.initCause(cause instanceof IOException ? redactor.chain((IOException) cause) : cause);
    }
    return new TransportFailureException(
        message
            + (notSent
                ? " The report did not reach the server."
                : " The report may or may not have reached the server."),
        carried,
        kind,
        request.endpoint(),
        request.taskId());
  }

  /** Marks an attempt the client stopped before it went out. */
  static final class NotSent extends IOException {
    private static final long serialVersionUID = 1L;

    NotSent(String message) {
      super(message);
    }
  }

  /** The failure for an exception the transport raised instead of answering. */
  public TransportFailureException failure(TransportRequest request, IOException e) {
    TransportFailureException.Kind kind = classify(e);
    if (kind == TransportFailureException.Kind.INTERRUPTED) {
      Thread.currentThread().interrupt();
    }
    String host = redactor.scrub(hostOf(request));
    String what = "failed while talking to " + host;
    String notSent = " The report did not reach the server; a retry ";
    String consequence = " The report may or may not have reached the server; a retry can help.";
    String proxy = routes == null ? null : ProxyRoute.proxyFor(routes, request.uri());
    String theProxy = proxy == null ? "the proxy" : "the proxy " + proxy;
    boolean detailed = true;
    if (e instanceof TunnelRefusedException) {
      int status = ((TunnelRefusedException) e).statusCode();
      detailed = false;
      kind =
          status == 407
              ? TransportFailureException.Kind.PROXY_AUTHENTICATION
              : status >= 500
                  ? TransportFailureException.Kind.PROXY_UPSTREAM
                  : TransportFailureException.Kind.PROXY_REFUSED;
      what =
          "was refused by "
              + theProxy
              + " with HTTP "
              + status
              + (status == 407
                  ? ": it refused the proxy credentials, or wants some (proxyCredentials)"
                  : status >= 500
                      ? ": it could not reach " + host
                      : ": it will not open a tunnel to " + host);
    } else if (proxy != null
        && (kind == TransportFailureException.Kind.CONNECT
            || kind == TransportFailureException.Kind.UNKNOWN_HOST)) {
      what =
          (kind == TransportFailureException.Kind.UNKNOWN_HOST
                  ? "could not resolve the host name of "
                  : "could not connect to ")
              + theProxy;
      kind = TransportFailureException.Kind.PROXY_UNREACHABLE;
    } else if (proxy != null && kind == TransportFailureException.Kind.TLS && tunnelClosed(e)) {
      what = theProxy + " closed the tunnel to " + host + " before TLS was established";
      kind = TransportFailureException.Kind.PROXY_UPSTREAM;
    } else if (kind == TransportFailureException.Kind.CONNECT) {
      what = "could not connect to " + host;
    } else if (kind == TransportFailureException.Kind.UNKNOWN_HOST) {
      what = "could not resolve the host name of " + host;
    } else if (kind == TransportFailureException.Kind.TIMEOUT) {
      what = "timed out waiting for " + host;
    } else if (kind == TransportFailureException.Kind.TLS) {
      what = "could not establish TLS with " + host + " (is its certificate trusted?)";
      consequence = " No request reached the server; a retry will not help until TLS is fixed.";
    } else if (kind == TransportFailureException.Kind.INTERRUPTED) {
      what = "was interrupted";
      consequence = " The report may or may not have reached the server.";
    }
    if (proxy != null
        && (kind == TransportFailureException.Kind.TIMEOUT
            || kind == TransportFailureException.Kind.IO)) {
      what += " through " + theProxy;
    }
    if (kind == TransportFailureException.Kind.PROXY_AUTHENTICATION
        || kind == TransportFailureException.Kind.PROXY_REFUSED) {
      consequence = notSent + "will not help.";
    } else if (kind == TransportFailureException.Kind.PROXY_UNREACHABLE
        || kind == TransportFailureException.Kind.PROXY_UPSTREAM
        || kind == TransportFailureException.Kind.CONNECT
        || kind == TransportFailureException.Kind.UNKNOWN_HOST) {
      consequence = notSent + "can help.";
    }
    StringBuilder message = new StringBuilder(describe(request)).append(' ').append(what);
    if (detailed) {
      // The HTTP library's exceptions quote what the server sent (a status line, a header, a chunk
      // size): the cause chain reaches users, so it is redacted as a whole.
      message
          .append(" (")
          .append(e.getClass().getSimpleName())
          .append(": ")
          .append(redactor.scrub(String.valueOf(e.getMessage())))
          .append(')');
    }
    return new TransportFailureException(
        message.append('.').append(consequence).toString(),
        redactor.chain(e),
        kind,
        request.endpoint(),
        request.taskId());
  }

  /** A transport broke its contract: an unchecked exception, or its binding could not write. */
  public TransportFailureException transportBug(
      TransportRequest request, String transportId, Throwable e, boolean sent) {
    // The HTTP library's words too (java.net.http throws IllegalArgumentException on a malformed
    // Content-Length); scrubbed, as everything from outside is.
    String message =
        "transport '"
            + transportId
            + "' failed unexpectedly: "
            + e.getClass().getName()
            + (e.getMessage() == null ? "" : ": " + redactor.scrub(e.getMessage()));
    if (sent) {
      return failure(request, (IOException) new IOException(message).initCause(e));
    }
    // Not sent: the request could not even be made, and making it again will fail again. Only
    // the cause is redacted, so that what says "not sent" stays a NotSent whatever it quotes.
    IOException bug = new NotSent(message);
    bug.initCause(redactor.cause(e));
    return new TransportFailureException(
        describe(request)
            + " could not be sent: "
            + message
            + ". The report did not reach the server; a retry can help only once the transport is"
            + " fixed.",
        bug,
        TransportFailureException.Kind.TRANSPORT_BUG,
        request.endpoint(),
        request.taskId());
  }

  /**
   * A name that does not resolve: an {@link UnknownHostException} (Apache, OkHttp), or
   * java.net.http's {@code ConnectException} with an {@code UnresolvedAddressException} in its
   * causes (two links down: {@code send} wraps the exception of the exchange).
   */
  private static boolean unresolved(IOException e) {
    if (e instanceof UnknownHostException) {
      return true;
    }
    Throwable cause = e.getCause();
    for (int depth = 0; cause != null && depth < 4; depth++, cause = cause.getCause()) {
      if (cause instanceof java.nio.channels.UnresolvedAddressException) {
        return true;
      }
    }
    return false;
  }

  /**
   * A TLS handshake the other end broke off by closing the connection: through a proxy, the proxy
   * closing its tunnel. The JDK's TLS says so with an {@code EOFException} as the cause (on
   * sockets, under Apache's and OkHttp's clients) or only in its words, "Remote host terminated the
   * handshake" or "Remote host closed the channel" (the engine under java.net.http).
   */
  private static boolean tunnelClosed(IOException e) {
    return e instanceof SSLHandshakeException
        && (e.getCause() instanceof EOFException
            || String.valueOf(e.getMessage()).startsWith("Remote host"));
  }

  static TransportFailureException.Kind classify(IOException e) {
    if (e instanceof InterruptedIOException) {
      // Not the client's abort (that is decided before): a socket timeout, or an HTTP library's
      // own timeout in InterruptedIOException's clothes (Apache's connect and pool timeouts,
      // OkHttp's call timeout), or an interrupt of the calling thread, which then says so.
      return Thread.currentThread().isInterrupted() && !(e instanceof SocketTimeoutException)
          ? TransportFailureException.Kind.INTERRUPTED
          : TransportFailureException.Kind.TIMEOUT;
    }
    if (e instanceof SSLHandshakeException || e instanceof SSLPeerUnverifiedException) {
      // Peer unverified: OkHttp checks the host name after the handshake and says so this way.
      // Either way the certificate was refused before the report was sent.
      return TransportFailureException.Kind.TLS;
    }
    if (e instanceof SSLException) {
      // A broken connection under TLS surfaces as an SSLException caused by the socket's own
      // failure: that is the failure. Any other (https to a plain-http port: "Unsupported or
      // unrecognized SSL message") is TLS itself failing, before the report was sent.
      Throwable cause = e.getCause();
      return cause instanceof IOException && !(cause instanceof SSLException)
          ? classify((IOException) cause)
          : TransportFailureException.Kind.TLS;
    }
    if (unresolved(e)) {
      return TransportFailureException.Kind.UNKNOWN_HOST;
    }
    if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
      return TransportFailureException.Kind.CONNECT;
    }
    return TransportFailureException.Kind.IO;
  }

  private UnexpectedResponseException unexpected(
      TransportRequest request, Answer response, String why) {
    int status = response.statusCode();
    // Redacted before it is cut, so that no part of a key straddling the cut survives.
    String preview =
        Answer.preview(
            redactor.scrub(response.bodyText(Answer.PREVIEW_CHARS + redactor.secretLength())));
    StringBuilder message =
        new StringBuilder(describe(request))
            .append(" got an answer that is not the API's: HTTP ")
            .append(status);
    if (status >= 300 && status < 400) {
      message.append(
          " (a redirect, not followed: a redirected POST could carry the client key elsewhere)");
    }
    message.append("; ").append(why);
    if (!preview.isEmpty()) {
      message.append("; body starts: ").append(preview);
    }
    message.append(
        status >= 500 || status == 429
            ? ". The server or a proxy in front of it is failing; a retry can help."
            : ". Check the base URL; a retry will not help.");
    return new UnexpectedResponseException(
        message.toString(),
        request.endpoint(),
        request.taskId(),
        status,
        preview,
        RetryAfter.millis(response.retryAfter(), System.currentTimeMillis()));
  }

  private static String refusalMessage(
      TransportRequest request, int status, long errorId, String rawCode, String description) {
    ApiErrorCode code = ApiErrorCode.fromWire(rawCode);
    StringBuilder sb =
        new StringBuilder(describe(request))
            .append(" was refused by the API: ")
            .append(rawCode == null ? "no errorCode" : rawCode)
            .append(" (")
            .append(code.meaning())
            .append("), errorId ")
            .append(errorId)
            .append(", HTTP ")
            .append(status);
    if (description != null && !description.isEmpty()) {
      sb.append(", description: ").append(description);
    }
    sb.append(code.isRetryable() ? ". A later retry can help." : ". A retry will not help.");
    return sb.toString();
  }

  private static String describe(TransportRequest request) {
    return request.endpoint().methodName() + " for task " + request.taskId();
  }

  private static String hostOf(TransportRequest request) {
    return request.uri().getScheme() + "://" + request.uri().getRawAuthority();
  }
}
