package io.github.capreport;

import org.jspecify.annotations.Nullable;

/** How one task of a bulk report ended. */
public final class ReportOutcome {
  /** The ways a task can end. */
  public enum Status {
    /** The API accepted the report: {@link #result()} is set. */
    ACCEPTED,
    /**
     * Not sent: the {@link AccountGuard} remembers that a report of this task was accepted before.
     * {@link #result()} is set and says {@link ReportResult#alreadyReported()}.
     */
    ALREADY_REPORTED,
    /** The API refused it: {@link #failure()} is a {@link ReportRefusedException}. */
    REFUSED,
    /** No usable answer: {@link #failure()} says why, with every attempt's failure suppressed. */
    FAILED,
    /**
     * Not sent, or not sent again: the account is on hold after an account-wide refusal. {@link
     * #failure()} is an {@link AccountOnHoldException} that says until when; report the task again
     * after that, unless {@link #mayHaveReachedServer()} says an earlier attempt may have arrived.
     */
    ON_HOLD,
    /**
     * The bulk report was cancelled before this task was done. {@link #failure()} is the last
     * failure when an attempt had been sent and failed, otherwise null.
     */
    CANCELLED
  }

  private final ReportTask task;
  private final Status status;
  private final @Nullable ReportResult result;
  private final @Nullable CapReportException failure;

  private ReportOutcome(
      ReportTask task,
      Status status,
      @Nullable ReportResult result,
      @Nullable CapReportException failure) {
    this.task = task;
    this.status = status;
    this.result = result;
    this.failure = failure;
  }

  static ReportOutcome accepted(ReportTask task, ReportResult result) {
    return new ReportOutcome(
        task, result.alreadyReported() ? Status.ALREADY_REPORTED : Status.ACCEPTED, result, null);
  }

  static ReportOutcome failed(ReportTask task, CapReportException failure) {
    Status status =
        failure instanceof ReportRefusedException
            ? Status.REFUSED
            : failure instanceof AccountOnHoldException ? Status.ON_HOLD : Status.FAILED;
    return new ReportOutcome(task, status, null, failure);
  }

  static ReportOutcome cancelled(ReportTask task, @Nullable CapReportException lastFailure) {
    return new ReportOutcome(task, Status.CANCELLED, null, lastFailure);
  }

  public ReportTask task() {
    return task;
  }

  public Status status() {
    return status;
  }

  /**
   * The accepted report; null unless {@link Status#ACCEPTED} or {@link Status#ALREADY_REPORTED}.
   */
  public @Nullable ReportResult result() {
    return result;
  }

  /**
   * Why it was not accepted; null when accepted or already reported, and for a task cancelled
   * before it was sent.
   */
  public @Nullable CapReportException failure() {
    return failure;
  }

  /**
   * Whether an attempt may have reached the server without an answer; see {@link
   * CapReportException#mayHaveReachedServer()}. False when accepted.
   */
  public boolean mayHaveReachedServer() {
    return failure != null && failure.mayHaveReachedServer();
  }

  /** How many attempts were sent: 0 for a task cancelled before it started. */
  public int attempts() {
    return result != null ? result.attempts() : failure != null ? failure.attempts() : 0;
  }

  @Override
  public String toString() {
    return "ReportOutcome{"
        + task
        + ", "
        + status
        + (failure != null ? ", " + failure.getClass().getSimpleName() : "")
        + ", attempts="
        + attempts()
        + "}";
  }
}
