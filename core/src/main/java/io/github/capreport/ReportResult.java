package io.github.capreport;

/** An accepted report: the API answered {@code {"errorId":0,"status":"success"}}. */
public final class ReportResult {
  private final ReportEndpoint endpoint;
  private final long taskId;
  private final int httpStatus;

  /** Made by the client; public so that tests and fakes of callers can build one. */
  public ReportResult(ReportEndpoint endpoint, long taskId, int httpStatus) {
    if (endpoint == null) {
      throw new NullPointerException("endpoint == null");
    }
    this.endpoint = endpoint;
    this.taskId = taskId;
    this.httpStatus = httpStatus;
  }

  public ReportEndpoint endpoint() {
    return endpoint;
  }

  public long taskId() {
    return taskId;
  }

  /** The HTTP status of the answer that accepted the report. */
  public int httpStatus() {
    return httpStatus;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ReportResult)) {
      return false;
    }
    ReportResult other = (ReportResult) o;
    return endpoint == other.endpoint && taskId == other.taskId && httpStatus == other.httpStatus;
  }

  @Override
  public int hashCode() {
    // Long.hashCode(long) is missing before Android API 24.
    return (endpoint.hashCode() * 31 + (int) (taskId ^ (taskId >>> 32))) * 31 + httpStatus;
  }

  @Override
  public String toString() {
    return "ReportResult{" + endpoint.methodName() + ", taskId=" + taskId + ", accepted}";
  }
}
