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
  private final boolean alreadyReported;

  /** Made by the client; public so that tests and fakes of callers can build one. */
  public ReportResult(ReportEndpoint endpoint, long taskId, int httpStatus) {
    this(endpoint, taskId, httpStatus, 1);
  }

  /** As above, accepted on attempt number {@code attempts}. */
  public ReportResult(ReportEndpoint endpoint, long taskId, int httpStatus, int attempts) {
    this(endpoint, taskId, httpStatus, attempts, false);
  }

  private ReportResult(
      ReportEndpoint endpoint, long taskId, int httpStatus, int attempts, boolean alreadyReported) {
    if (endpoint == null) {
      throw new NullPointerException("endpoint == null");
    }
    if (attempts < (alreadyReported ? 0 : 1)) {
      throw new IllegalArgumentException("attempts must be >= 1, was " + attempts);
    }
    this.endpoint = endpoint;
    this.taskId = taskId;
    this.httpStatus = httpStatus;
    this.attempts = attempts;
    this.alreadyReported = alreadyReported;
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

  /**
   * How many attempts it took; more than 1 when earlier ones failed and were retried. Can be 0 when
   * {@link #alreadyReported()}.
   */
  public int attempts() {
    return attempts;
  }

  /**
   * The answer for a task whose report was accepted before, after {@code attempts} of this report's
   * own that failed: nothing more is sent.
   */
  static ReportResult alreadyReported(ReportEndpoint endpoint, long taskId, int attempts) {
    return new ReportResult(endpoint, taskId, 0, attempts, true);
  }

  /**
   * True when nothing (more) was sent because the {@link AccountGuard} remembers an accepted report
   * of this task: the vendor refuses a second one. {@link #httpStatus()} is then 0, and {@link
   * #attempts()} counts this report's earlier attempts, usually none.
   */
  public boolean alreadyReported() {
    return alreadyReported;
  }

  ReportResult withAttempts(int attempts) {
    return attempts == this.attempts
        ? this
        : new ReportResult(endpoint, taskId, httpStatus, attempts, alreadyReported);
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
        && attempts == other.attempts
        && alreadyReported == other.alreadyReported;
  }

  @Override
  public int hashCode() {
    // Long.hashCode(long) is missing before Android API 24.
    return ((endpoint.hashCode() * 31 + (int) (taskId ^ (taskId >>> 32))) * 31 + httpStatus) * 31
        + attempts
        + (alreadyReported ? 1 : 0);
  }

  @Override
  public String toString() {
    return "ReportResult{"
        + endpoint.methodName()
        + ", taskId="
        + taskId
        + (alreadyReported ? ", already reported" : ", accepted")
        + (attempts > 1 ? " after " + attempts + " attempts" : "")
        + "}";
  }
}
