package io.github.capreport.transport.retrofit;

/**
 * The request's JSON body, {@code {"clientKey":"...","taskId":123}}, written by {@link
 * MoshiEnvelopes}. {@link #toString()} never shows the client key.
 */
final class ReportBody {
  final String clientKey;
  final long taskId;

  ReportBody(String clientKey, long taskId) {
    this.clientKey = clientKey;
    this.taskId = taskId;
  }

  @Override
  public String toString() {
    return "ReportBody{clientKey=<redacted>, taskId=" + taskId + "}";
  }
}
