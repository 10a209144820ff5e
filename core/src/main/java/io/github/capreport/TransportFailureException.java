package io.github.capreport;

import java.io.IOException;

/**
 * No answer from the API arrived: the connection failed, timed out, broke, a proxy on the way
 * refused or failed, the calling thread was interrupted, or the transport itself could not make the
 * request. The cause is the transport's own exception. {@link #kind()} says what happened and
 * {@link #isRetryable()} whether a retry can help; a message about a proxy names it, never its
 * credentials.
 */
public final class TransportFailureException extends CapReportException {
  private static final long serialVersionUID = 1L;

  /** What went wrong on the way. */
  public enum Kind {
    /** The connection to the API host could not be opened: refused or unreachable. */
    CONNECT,
    /** The API host's name does not resolve. The report did not reach the server. */
    UNKNOWN_HOST,
    /**
     * The TLS handshake failed, typically a certificate the client does not trust or one made out
     * to another host name. Not retryable: the same certificate meets the same verdict.
     */
    TLS,
    /** The connect or request timeout fired before the whole answer arrived. */
    TIMEOUT,
    /** The connection broke or another I/O error happened while sending or reading. */
    IO,
    /** The calling thread was interrupted; its interrupt status is kept. */
    INTERRUPTED,
    /**
     * The report was cancelled, or the client closed, before its answer arrived. Not retryable: the
     * caller asked it to stop.
     */
    CANCELLED,
    /**
     * The proxy could not be connected to: refused, unreachable, or its name does not resolve. The
     * report did not reach the server.
     */
    PROXY_UNREACHABLE,
    /**
     * The proxy answered 407: it wants credentials and was given none, or refused those it was
     * given. Never retried: the same credentials meet the same verdict, and a proxy may lock an
     * account after repeated failures.
     */
    PROXY_AUTHENTICATION,
    /**
     * The proxy would not open a tunnel to the API host: it answered {@code CONNECT} with another
     * 4xx, such as 403 for a host its policy blocks. Not retryable.
     */
    PROXY_REFUSED,
    /**
     * The proxy could not reach the API host: it answered {@code CONNECT} with a 5xx (a 502 or
     * 504), or closed the tunnel before TLS was established. The report did not reach the server.
     */
    PROXY_UPSTREAM,
    /**
     * The transport could not make the request at all: it, or its JSON binding, threw where it must
     * not. The report did not reach the server. Not retryable: the same transport fails the same
     * way until it, or its setup, is fixed.
     */
    TRANSPORT_BUG
  }

  private final Kind kind;

  /** Made by the client; public so that tests of callers can build one. */
  public TransportFailureException(
      String message, IOException cause, Kind kind, ReportEndpoint endpoint, long taskId) {
    super(message, cause, endpoint, taskId, -1);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  @Override
  @SuppressWarnings("NullAway") // the constructor takes the cause
  public synchronized IOException getCause() {
    return (IOException) super.getCause();
  }

  /**
   * True except for {@link Kind#INTERRUPTED} and {@link Kind#CANCELLED} (the caller asked to stop),
   * {@link Kind#TLS} (the same certificate meets the same verdict), {@link
   * Kind#PROXY_AUTHENTICATION} and {@link Kind#PROXY_REFUSED} (the proxy's verdict), and {@link
   * Kind#TRANSPORT_BUG} (the same transport fails the same way).
   */
  @Override
  public boolean isRetryable() {
    return kind != Kind.INTERRUPTED
        && kind != Kind.TLS
        && kind != Kind.CANCELLED
        && kind != Kind.PROXY_AUTHENTICATION
        && kind != Kind.PROXY_REFUSED
        && kind != Kind.TRANSPORT_BUG;
  }
}
