package io.github.capreport;

import org.jspecify.annotations.Nullable;

/**
 * Why a report was not accepted. Every report that does not end in a {@link ReportResult} ends in
 * one of the subclasses, each of which says whether sending it again can help.
 *
 * <ul>
 *   <li>{@link ReportRefusedException}: the API answered and refused the report.
 *   <li>{@link TransportFailureException}: no answer arrived (connect, timeout, I/O).
 *   <li>{@link UnexpectedResponseException}: an answer arrived but it was not the API's.
 * </ul>
 *
 * <p>Messages never contain the client key.
 */
public abstract class CapReportException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ReportEndpoint endpoint;
  private final long taskId;
  private final long retryAfterMillis;
  private volatile int attempts = 1;

  CapReportException(
      String message,
      @Nullable Throwable cause,
      ReportEndpoint endpoint,
      long taskId,
      long retryAfterMillis) {
    super(message, cause);
    this.endpoint = endpoint;
    this.taskId = taskId;
    this.retryAfterMillis = retryAfterMillis;
  }

  /** The endpoint the report was sent to. */
  public ReportEndpoint endpoint() {
    return endpoint;
  }

  /** The task that was being reported. */
  public long taskId() {
    return taskId;
  }

  /**
   * How many attempts were sent before the report was given up, this one's included. The failures
   * of the earlier attempts are attached as {@linkplain #getSuppressed() suppressed} exceptions.
   */
  public int attempts() {
    return attempts;
  }

  /**
   * The wait the server asked for with {@code Retry-After}, in milliseconds; -1 when it did not.
   */
  public long retryAfterMillis() {
    return retryAfterMillis;
  }

  void attempts(int attempts) {
    this.attempts = attempts;
  }

  /** The message, and how many attempts were made when there were several. */
  @Override
  @SuppressWarnings("NullAway") // every constructor takes a message
  public String getMessage() {
    String message = super.getMessage();
    int made = attempts;
    return made > 1 ? message + " Gave up after " + made + " attempts." : message;
  }

  /** Whether sending the same report again later can succeed. */
  public abstract boolean isRetryable();
}
