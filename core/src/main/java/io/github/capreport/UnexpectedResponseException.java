package io.github.capreport;

/**
 * An answer arrived but it was not the API's: a status without a JSON envelope (a proxy's HTML
 * error page, a redirect), malformed or empty JSON, an oversized body, or an envelope that says
 * neither error nor success.
 */
public final class UnexpectedResponseException extends CapReportException {
  private static final long serialVersionUID = 1L;

  private final int httpStatus;
  private final String bodyPreview;

  /** Made by the client; public so that tests of callers can build one. */
  public UnexpectedResponseException(
      String message, ReportEndpoint endpoint, long taskId, int httpStatus, String bodyPreview) {
    this(message, endpoint, taskId, httpStatus, bodyPreview, -1);
  }

  /** As above, with the server's {@code Retry-After} in milliseconds (-1 when absent). */
  public UnexpectedResponseException(
      String message,
      ReportEndpoint endpoint,
      long taskId,
      int httpStatus,
      String bodyPreview,
      long retryAfterMillis) {
    super(message, null, endpoint, taskId, retryAfterMillis);
    this.httpStatus = httpStatus;
    this.bodyPreview = bodyPreview;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** The first characters of the answer's body, for diagnosis; empty when there was none. */
  public String bodyPreview() {
    return bodyPreview;
  }

  /**
   * True for 5xx and 429: a gateway or an overloaded server, which may well answer properly later.
   * False for anything else, where the same request would meet the same answer.
   */
  @Override
  public boolean isRetryable() {
    return httpStatus >= 500 || httpStatus == 429;
  }
}
