package io.github.capreport;

/**
 * Receives the outcome of an asynchronous report: exactly one of the two methods is called, once,
 * on one of the client's threads, never on the caller's inside {@code reportAsync}; a report that a
 * cancel or {@code close()} ends is heard on the thread that called it. Works on every platform the
 * library supports, Android API 21 included.
 */
public interface ReportCallback {
  void onAccepted(ReportResult result);

  void onFailed(CapReportException failure);
}
