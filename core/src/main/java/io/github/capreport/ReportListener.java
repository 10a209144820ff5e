package io.github.capreport;

import org.jspecify.annotations.Nullable;

/**
 * Hears what happens to each report, for logging and metrics: core has no logging framework, so
 * wire this to yours. Methods run on the thread doing the work and must be quick; an exception
 * thrown here is ignored so that it cannot lose a report. Nothing passed here contains the client
 * key.
 */
public abstract class ReportListener {
  /** Does nothing. */
  public static final ReportListener NONE = new ReportListener() {};

  /** An attempt is about to be sent; {@code attempt} counts from 1. */
  public void attemptStarted(ReportEndpoint endpoint, long taskId, int attempt) {}

  /**
   * Attempt {@code failedAttempt} failed with a retryable failure; the next starts after a delay.
   */
  public void retryScheduled(
      ReportEndpoint endpoint,
      long taskId,
      int failedAttempt,
      long delayMillis,
      CapReportException failure) {}

  /**
   * An account-wide refusal stopped all sending of the clients that share {@code hold}'s {@link
   * AccountGuard}, until {@link AccountHold#resumesAtMillis()}.
   */
  public void accountHoldStarted(AccountHold hold) {}

  /** The hold ended: its time ran out (noticed by the next report) or it was lifted by hand. */
  public void accountHoldEnded(AccountHold hold) {}

  /**
   * The report is over: exactly one of {@code result} and {@code failure} is non-null. {@code
   * attempts} is how many were sent (0 for a report answered without I/O: already reported, or on
   * hold).
   */
  public void reportFinished(
      ReportEndpoint endpoint,
      long taskId,
      int attempts,
      @Nullable ReportResult result,
      @Nullable CapReportException failure) {}
}
