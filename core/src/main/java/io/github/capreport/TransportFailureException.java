package io.github.capreport;

import java.io.IOException;

/**
 * No answer arrived: the connection failed, timed out, broke, or the calling thread was
 * interrupted. The cause is the transport's own exception. The report may or may not have reached
 * the server.
 */
public final class TransportFailureException extends CapReportException {
  private static final long serialVersionUID = 1L;

  /** What went wrong on the way. */
  public enum Kind {
    /** The connection could not be opened: refused, unreachable, unknown host. */
    CONNECT,
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
    CANCELLED
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
   * True except for {@link Kind#INTERRUPTED} and {@link Kind#CANCELLED} (the caller asked to stop)
   * and {@link Kind#TLS} (the same certificate meets the same verdict).
   */
  @Override
  public boolean isRetryable() {
    return kind != Kind.INTERRUPTED && kind != Kind.TLS && kind != Kind.CANCELLED;
  }
}
