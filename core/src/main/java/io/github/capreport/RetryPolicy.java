package io.github.capreport;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * When and how often a failed report is sent again. Only failures that say {@link
 * CapReportException#isRetryable()} are retried: connection failures, timeouts, 5xx and 429 answers
 * without an API envelope, and the API's transient codes ({@code ERROR_NO_SLOT_AVAILABLE}, {@code
 * ERROR_TOO_MUCH_REQUESTS}). A wrong key, a wrong task id, a zero balance, an IP ban or an unknown
 * code is never retried: that cannot succeed, and the vendor bans clients that repeat them.
 *
 * <p>Delays grow exponentially with jitter, never beyond {@link Builder#maxDelay}; a server's
 * {@code Retry-After} is honoured as a lower bound. No retry starts after the report's deadline.
 *
 * <p>A retried report may reach the vendor twice: when an answer is lost after the server received
 * the report, the client cannot know that it arrived.
 */
public final class RetryPolicy {
  private static final RetryPolicy NONE = new Builder().maxAttempts(1).build();
  private static final RetryPolicy DEFAULTS = new Builder().build();

  private final int maxAttempts;
  private final long initialDelayMillis;
  private final long maxDelayMillis;
  private final long deadlineMillis;

  // Not private: a private one, called by Builder, costs a synthetic class in the jar.
  RetryPolicy(Builder builder) {
    this.maxAttempts = builder.maxAttempts;
    this.initialDelayMillis = builder.initialDelayMillis;
    this.maxDelayMillis = builder.maxDelayMillis;
    this.deadlineMillis = builder.deadlineMillis;
  }

  /** 3 attempts, 500 ms initial delay, 10 s maximum delay, 60 s deadline per report. */
  public static RetryPolicy defaults() {
    return DEFAULTS;
  }

  /**
   * One attempt, no retries. A slow-down answer ({@code ERROR_NO_SLOT_AVAILABLE}, a 429, a 503...)
   * still holds back the client's next reports for the wait a first retry would have had, 250 to
   * 500 ms or the server's {@code Retry-After}: the account guard's client-wide pace protects the
   * account whether or not this report is retried ({@link
   * AccountGuard.Builder#clientWidePace(boolean)} turns it off).
   */
  public static RetryPolicy none() {
    return NONE;
  }

  public static Builder builder() {
    return new Builder();
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public long initialDelayMillis() {
    return initialDelayMillis;
  }

  public long maxDelayMillis() {
    return maxDelayMillis;
  }

  /** The time from a report's first attempt after which no retry starts. */
  public long deadlineMillis() {
    return deadlineMillis;
  }

  /**
   * The delay before attempt {@code nextAttempt} (2 for the first retry): a random value up to the
   * exponential bound, raised to the server's {@code Retry-After} when it asked for more, capped by
   * the maximum delay unless the server asked for more.
   *
   * @param retryAfterMillis the server's {@code Retry-After}, or -1
   */
  long delayBefore(int nextAttempt, long retryAfterMillis, Random random) {
    int doublings = Math.min(nextAttempt - 2, 30);
    long bound = Math.min(maxDelayMillis, initialDelayMillis << doublings);
    if (bound < 0) {
      bound = maxDelayMillis;
    }
    // Equal jitter: a floor of half the bound keeps the backoff growing, the random half spreads
    // the retries of many clients that failed together.
    long delay = bound / 2 + (long) (random.nextDouble() * (bound - bound / 2));
    return Math.max(delay, retryAfterMillis);
  }

  @Override
  public String toString() {
    return "RetryPolicy{maxAttempts="
        + maxAttempts
        + ", initialDelayMillis="
        + initialDelayMillis
        + ", maxDelayMillis="
        + maxDelayMillis
        + ", deadlineMillis="
        + deadlineMillis
        + "}";
  }

  public static final class Builder {
    // Not private: RetryPolicy reads them, which would cost an accessor method for each.
    int maxAttempts = 3;
    long initialDelayMillis = 500;
    long maxDelayMillis = 10_000;
    long deadlineMillis = 60_000;

    Builder() {} // not private: a private one costs a synthetic class in the jar

    /** Attempts in all, the first included; 1 turns retries off. */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** The delay bound before the first retry; it doubles for each further one. */
    public Builder initialDelay(long amount, TimeUnit unit) {
      this.initialDelayMillis = millis("initialDelay", amount, unit, 0);
      return this;
    }

    public Builder maxDelay(long amount, TimeUnit unit) {
      this.maxDelayMillis = millis("maxDelay", amount, unit, 0);
      return this;
    }

    /** No retry starts later than this after the first attempt started. */
    public Builder deadline(long amount, TimeUnit unit) {
      this.deadlineMillis = millis("deadline", amount, unit, 1);
      return this;
    }

    public RetryPolicy build() {
      if (initialDelayMillis > maxDelayMillis) {
        throw new IllegalArgumentException(
            "initialDelay ("
                + initialDelayMillis
                + " ms) must not exceed maxDelay ("
                + maxDelayMillis
                + " ms)");
      }
      return new RetryPolicy(this);
    }

    private static long millis(String name, long amount, TimeUnit unit, long min) {
      if (unit == null) {
        throw new NullPointerException(name + " unit == null");
      }
      long millis = unit.toMillis(amount);
      if (millis < min) {
        throw new IllegalArgumentException(
            name + " must be at least " + min + " ms, was " + amount + " " + unit);
      }
      return millis;
    }
  }
}
