package io.github.capreport;

/**
 * An accepted report: the API answered {@code {"errorId":0,"status":"success"}}, now or, when
 * {@link #alreadyReported()}, to an earlier report of the same task.
 */
public final class ReportResult {
  private final ReportEndpoint endpoint;
  private final long taskId;
  private final int httpStatus;
  private final int attempts;

  /** Made by the client; public so that tests and fakes of callers can build one. */
  public ReportResult(ReportEndpoint endpoint, long taskId, int httpStatus) {
    this(endpoint, taskId, httpStatus, 1);
  }

  /** As above, accepted on attempt number {@code attempts}. */
  public ReportResult(ReportEndpoint endpoint, long taskId, int httpStatus, int attempts) {
    this(endpoint, taskId, httpStatus, attempts, attempts >= 1);
  }

  private ReportResult(
      ReportEndpoint endpoint, long taskId, int httpStatus, int attempts, boolean valid) {
    if (endpoint == null) {
      throw new NullPointerException("endpoint == null");
    }
    if (!valid) {
      throw new IllegalArgumentException("attempts must be >= 1, was " + attempts);
    }
    this.endpoint = endpoint;
    this.taskId = taskId;
    this.httpStatus = httpStatus;
    this.attempts = attempts;
  }

  public ReportEndpoint endpoint() {
    return endpoint;
  }

  public long taskId() {
    return taskId;
  }

  /** The HTTP status of the answer that accepted the report; 0 when {@link #alreadyReported()}. */
  public int httpStatus() {
    return httpStatus;
  }

  /** How many attempts it took; more than 1 when earlier ones failed and were retried. */
  public int attempts() {
    return attempts;
  }

  /** The answer for a task whose report was accepted before: nothing was sent, 0 attempts. */
  static ReportResult alreadyReported(ReportEndpoint endpoint, long taskId) {
    return new ReportResult(endpoint, taskId, 0, 0, true);
  }

  /**
   * True when nothing was sent because the {@link AccountGuard} remembers an accepted report of
   * this task: the vendor refuses a second one. {@link #attempts()} and {@link #httpStatus()} are
   * then 0.
   */
  public boolean alreadyReported() {
    return attempts == 0;
  }

  ReportResult withAttempts(int attempts) {
    return attempts == this.attempts
        ? this
        : new ReportResult(endpoint, taskId, httpStatus, attempts);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ReportResult)) {
      return false;
    }
    ReportResult other = (ReportResult) o;
    return endpoint == other.endpoint
        && taskId == other.taskId
        && httpStatus == other.httpStatus
        && attempts == other.attempts;
  }

  @Override
  public int hashCode() {
    // Long.hashCode(long) is missing before Android API 24.
    return ((endpoint.hashCode() * 31 + (int) (taskId ^ (taskId >>> 32))) * 31 + httpStatus) * 31
        + attempts;
  }

  @Override
  public String toString() {
    return "ReportResult{"
        + endpoint.methodName()
        + ", taskId="
        + taskId
        + (attempts == 0 ? ", already reported" : ", accepted")
        + (attempts > 1 ? " after " + attempts + " attempts" : "")
        + "}";
  }
}
