package io.github.capreport;

/**
 * Receives the outcome of an asynchronous report: exactly one of the two methods is called, once,
 * on a thread of the transport. Works on every platform the library supports, Android API 21
 * included.
 */
public interface ReportCallback {
  void onAccepted(ReportResult result);

  void onFailed(CapReportException failure);
}
