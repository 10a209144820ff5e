package io.github.capreport;

/**
 * The report was not sent: its client's {@link AccountGuard} is holding every report after an
 * account-wide refusal ({@link #hold()}). No request was made (no further one, after attempts that
 * failed: see {@link #attempts()} and {@link #mayHaveReachedServer()}). Retryable: the same report
 * can succeed once the hold ends ({@link #retryAfterMillis()}) and the cause is fixed.
 */
public final class AccountOnHoldException extends CapReportException {
  private static final long serialVersionUID = 1L;

  private final AccountHold hold;

  AccountOnHoldException(
      AccountHold hold, ReportEndpoint endpoint, long taskId, long nowMillis, boolean sentBefore) {
    super(
        message(hold, endpoint, taskId, nowMillis, sentBefore),
        hold.refusal(),
        endpoint,
        taskId,
        Math.max(0, hold.resumesAtMillis() - nowMillis));
    this.hold = hold;
  }

  private static String message(
      AccountHold hold, ReportEndpoint endpoint, long taskId, long nowMillis, boolean sentBefore) {
    return endpoint.methodName()
        + " of task "
        + taskId
        + (sentBefore ? " was not sent again" : " was not sent")
        + ": the account is on hold since a report was refused with "
        + hold.refusal().rawErrorCode()
        + " ("
        + hold.errorCode().meaning()
        + "), which every report with this key from here would meet, and the vendor blocks"
        + " clients that keep sending. Sending resumes in "
        + Math.max(0, (hold.resumesAtMillis() - nowMillis + 999) / 1000)
        + " s, or at once after AccountGuard.lift()."
        + (sentBefore ? "" : " The report did not reach the server.");
  }

  /** The hold that stopped this report. */
  public AccountHold hold() {
    return hold;
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}
