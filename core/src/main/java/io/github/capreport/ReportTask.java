package io.github.capreport;

/** One task to report in a bulk call: which endpoint, which task id. */
public final class ReportTask {
  private final ReportEndpoint endpoint;
  private final long taskId;

  private ReportTask(ReportEndpoint endpoint, long taskId) {
    if (endpoint == null) {
      throw new NullPointerException("endpoint == null");
    }
    if (taskId <= 0) {
      throw new IllegalArgumentException("taskId must be a positive task id, was " + taskId);
    }
    this.endpoint = endpoint;
    this.taskId = taskId;
  }

  public static ReportTask of(ReportEndpoint endpoint, long taskId) {
    return new ReportTask(endpoint, taskId);
  }

  public static ReportTask of(CaptchaKind kind, long taskId) {
    if (kind == null) {
      throw new NullPointerException("kind == null");
    }
    return new ReportTask(kind.endpoint(), taskId);
  }

  public ReportEndpoint endpoint() {
    return endpoint;
  }

  public long taskId() {
    return taskId;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ReportTask
        && ((ReportTask) o).endpoint == endpoint
        && ((ReportTask) o).taskId == taskId;
  }

  @Override
  public int hashCode() {
    return endpoint.hashCode() * 31 + (int) (taskId ^ (taskId >>> 32));
  }

  @Override
  public String toString() {
    return endpoint.methodName() + "#" + taskId;
  }
}
