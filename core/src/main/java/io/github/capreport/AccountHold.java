package io.github.capreport;

import org.jspecify.annotations.Nullable;

/**
 * Why a client stopped sending, and until when: the API refused a report with a code that says no
 * report with this key from this address can be served ({@link ApiErrorCode#isAccountWide()}).
 * Sending more would be the pattern the vendor blocks an IP for, so the {@link AccountGuard} holds
 * every report until {@link #resumesAtMillis()} or {@link AccountGuard#lift()}.
 */
public final class AccountHold implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  private final ReportRefusedException refusal;
  private final long startedAtMillis;
  private final long resumesAtMillis;

  AccountHold(ReportRefusedException refusal, long startedAtMillis, long resumesAtMillis) {
    this.refusal = refusal;
    this.startedAtMillis = startedAtMillis;
    this.resumesAtMillis = resumesAtMillis;
  }

  /** The refusal that started the hold; its message and fields never contain the client key. */
  public ReportRefusedException refusal() {
    return refusal;
  }

  /** The refusal's code, one for which {@link ApiErrorCode#isAccountWide()} is true. */
  public ApiErrorCode errorCode() {
    return refusal.errorCode();
  }

  /** When the hold started, in milliseconds since the epoch. */
  public long startedAtMillis() {
    return startedAtMillis;
  }

  /** When reports are sent again unless {@link AccountGuard#lift()} comes first; epoch millis. */
  public long resumesAtMillis() {
    return resumesAtMillis;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return this == o;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }

  @Override
  public String toString() {
    return "AccountHold{"
        + refusal.rawErrorCode()
        + ", for "
        + (resumesAtMillis - startedAtMillis) / 1000
        + " s, after task "
        + refusal.taskId()
        + "}";
  }
}
