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
 *   <li>{@link AccountOnHoldException}: not sent, because the account is on hold.
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
  private volatile boolean earlierMayHaveArrived;
  private volatile boolean mayHaveReachedServer;
  private volatile @Nullable String budgetSpent;

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
   * For an {@link AccountOnHoldException}, what is left of the hold.
   */
  public long retryAfterMillis() {
    return retryAfterMillis;
  }

  /**
   * Whether an attempt of this report may have reached the server though no answer was read: it
   * timed out or broke after it may have been written, or a gateway answered for the API. A report
   * refused with {@code ERROR_NO_SUCH_CAPCHA_ID} after such an attempt may have been accepted by
   * that attempt.
   */
  public boolean mayHaveReachedServer() {
    return mayHaveReachedServer;
  }

  void attempts(int attempts, boolean mayHaveReachedServer, boolean earlierMayHaveArrived) {
    this.attempts = attempts;
    this.mayHaveReachedServer = mayHaveReachedServer;
    this.earlierMayHaveArrived = earlierMayHaveArrived;
  }

  /** Not retried: {@code whose} ("the client's", "the bulk report's") retry budget is spent. */
  void budgetSpent(String whose) {
    this.budgetSpent = whose;
  }

  /** The message, how many attempts were made, and why no more were. */
  @Override
  @SuppressWarnings("NullAway") // every constructor takes a message
  public String getMessage() {
    StringBuilder message = new StringBuilder(super.getMessage());
    int made = attempts;
    if (made > 1) {
      message.append(" Gave up after ").append(made).append(" attempts.");
    }
    if (earlierMayHaveArrived) {
      message.append(" An earlier attempt may have reached the server");
      message.append(
          this instanceof ReportRefusedException
                  && ((ReportRefusedException) this).errorCode()
                      == ApiErrorCode.ERROR_NO_SUCH_CAPCHA_ID
              ? ": this refusal may mean that it arrived and was accepted."
              : ".");
    }
    String whose = budgetSpent;
    if (whose != null) {
      message
          .append(" Not retried: ")
          .append(whose)
          .append(" retry budget is spent, as when the service keeps failing.");
    }
    return message.toString();
  }

  /** Whether sending the same report again later can succeed. */
  public abstract boolean isRetryable();
}
