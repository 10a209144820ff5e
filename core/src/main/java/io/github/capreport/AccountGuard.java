package io.github.capreport;

import io.github.capreport.internal.Clock;
import io.github.capreport.internal.RecentTasks;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * What keeps one CapMonster account out of the vendor's blocks, for every client that reports with
 * its key: the vendor blocks an IP for repeated requests with a wrong key or a zero balance, for
 * reporting a task twice, and for a rate it cannot serve. Thread-safe. Each client has its own
 * unless the same one is given to several builders ({@link CapReportClient.Builder#accountGuard}),
 * which then share all of it:
 *
 * <ul>
 *   <li><b>Hold</b>: the first refusal that no report with this key can escape ({@link
 *       ApiErrorCode#isAccountWide()}) stops all sending for {@link Builder#holdFor} (10 minutes,
 *       the vendor's block); reports meanwhile fail at once with {@link AccountOnHoldException},
 *       bulk tasks end {@link ReportOutcome.Status#ON_HOLD}. {@link #lift()} ends it early.
 *   <li><b>One report per task</b>: a task whose report was accepted is not sent again; the call
 *       answers at once with a result whose {@link ReportResult#alreadyReported()} is true. See
 *       {@link Builder#reportedTasks}.
 *   <li><b>Pace</b>: a throttling answer ({@code ERROR_TOO_MUCH_REQUESTS}, {@code
 *       ERROR_NO_SLOT_AVAILABLE}, HTTP 429 or 503) holds back every report's next request for the
 *       backoff or the server's {@code Retry-After}, not only the retry of the one that got it.
 *   <li><b>Retry budget</b>: retries spend a budget that first attempts refill, so that an outage
 *       does not multiply the load by the attempt count: by default at most 10 retries plus one per
 *       5 first attempts, and within a bulk report at most its concurrency plus one per 5 of its
 *       tasks. First attempts are never refused.
 *   <li><b>Rate limit</b>: optional, off by default: at most so many requests per second, waited
 *       for on the client's scheduler, not on a thread per report.
 * </ul>
 */
public final class AccountGuard {
  /** The vendor's block: "10 minutes, provided that you do not continue to break the rules". */
  public static final long DEFAULT_HOLD_MILLIS = 10 * 60 * 1000L;

  /** A retry costs this many units of the budget; a first attempt earns its percentage. */
  private static final long RETRY_COST = 100;

  private static final long NOT_SET = Long.MIN_VALUE;

  private final long holdNanos;
  private final ReportedTasks reportedTasks;
  private final boolean pace;
  private final long budgetCapacity;
  private final long budgetEarning;
  private final long nanosPerRequest;
  private final Clock clock;

  /** Each listener once, however many clients that share this guard registered it. */
  private final Map<ReportListener, int[]> listeners = new IdentityHashMap<>();

  private final AtomicLong budget;
  private volatile @Nullable AccountHold hold;
  private long holdEndsNanos;
  private volatile long pausedUntilNanos = NOT_SET;
  private long nextRequestNanos = NOT_SET;

  // Not private: a private one, called by Builder, costs a synthetic class in the jar.
  AccountGuard(Builder builder) {
    this.holdNanos = builder.holdNanos;
    this.reportedTasks =
        builder.reportedTasks != null
            ? builder.reportedTasks
            : new RecentTasks(TimeUnit.MINUTES.toNanos(15), 100_000, builder.clock);
    this.pace = builder.pace;
    this.budgetCapacity = builder.retryBurst < 0 ? -1 : builder.retryBurst * RETRY_COST;
    this.budgetEarning = builder.retryPercent;
    this.nanosPerRequest = builder.nanosPerRequest;
    this.clock = builder.clock;
    this.budget = new AtomicLong(budgetCapacity);
  }

  /** A guard with every default. */
  public static AccountGuard create() {
    return new Builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The hold in force, or null when reports are being sent. */
  public @Nullable AccountHold hold() {
    AccountHold current = hold;
    if (current == null) {
      return null;
    }
    synchronized (this) {
      current = hold;
      if (current == null || clock.nanoTime() - holdEndsNanos < 0) {
        return current;
      }
      hold = null;
    }
    tellListeners(current, false);
    return null;
  }

  /**
   * Ends the hold in force now, for when its cause is fixed (the balance was topped up, the key
   * replaced in the clients that share this guard, the IP allowed).
   */
  public void lift() {
    AccountHold lifted;
    synchronized (this) {
      lifted = hold;
      hold = null;
    }
    if (lifted != null) {
      tellListeners(lifted, false);
    }
  }

  /** The record of accepted tasks that keeps a task from being reported twice. */
  public ReportedTasks reportedTasks() {
    return reportedTasks;
  }

  // ---- for the report engine ----

  void register(ReportListener listener) {
    if (listener == ReportListener.NONE) {
      return;
    }
    synchronized (listeners) {
      int[] count = listeners.get(listener);
      if (count == null) {
        listeners.put(listener, new int[] {1});
      } else {
        count[0]++;
      }
    }
  }

  void unregister(ReportListener listener) {
    synchronized (listeners) {
      int[] count = listeners.get(listener);
      if (count != null && --count[0] == 0) {
        listeners.remove(listener);
      }
    }
  }

  private void tellListeners(AccountHold about, boolean started) {
    Object[] each;
    synchronized (listeners) {
      each = listeners.keySet().toArray();
    }
    for (Object listener : each) {
      ReportExecution.quietly((ReportListener) listener, about, started);
    }
  }

  long nowMillis() {
    return clock.currentTimeMillis();
  }

  /** The API refused a report: an account-wide refusal puts the account on hold. */
  void refused(ReportRefusedException refusal) {
    if (!refusal.errorCode().isAccountWide() || holdNanos == 0) {
      return;
    }
    AccountHold started;
    synchronized (this) {
      if (hold != null) {
        return; // the first refusal holds; later ones were in flight when it came
      }
      long now = clock.currentTimeMillis();
      started = new AccountHold(refusal, now, now + TimeUnit.NANOSECONDS.toMillis(holdNanos));
      holdEndsNanos = clock.nanoTime() + holdNanos;
      hold = started;
    }
    tellListeners(started, true);
  }

  /**
   * Holds every report's next request back for {@code millis}, at most {@code maxMillis}: a
   * throttling answer came.
   */
  void pause(long millis, long maxMillis) {
    if (!pace || millis <= 0) {
      return;
    }
    long until = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(millis, maxMillis));
    synchronized (this) {
      if (pausedUntilNanos == NOT_SET || until - pausedUntilNanos > 0) {
        pausedUntilNanos = until;
      }
    }
  }

  /** How long requests are still held back by {@link #pause}, in nanoseconds; 0 when not. */
  long pausedNanos() {
    long until = pausedUntilNanos;
    if (until == NOT_SET) {
      return 0;
    }
    long left = until - clock.nanoTime();
    return left > 0 ? left : 0;
  }

  /**
   * Takes a request slot of the rate limit if one is free now (0), or says how long until the next
   * one is, in nanoseconds; nothing is reserved then, so a report that never comes back for it
   * (cancelled, closed) holds nobody up.
   */
  long tryRequest() {
    if (nanosPerRequest == 0) {
      return 0;
    }
    long now = clock.nanoTime();
    synchronized (this) {
      if (nextRequestNanos != NOT_SET && nextRequestNanos - now > 0) {
        return nextRequestNanos - now;
      }
      nextRequestNanos = now + nanosPerRequest;
      return 0;
    }
  }

  /** A first attempt goes out: it earns the budget its share. */
  void firstAttempt() {
    if (budgetCapacity < 0) {
      return;
    }
    long current;
    do {
      current = budget.get();
      if (current >= budgetCapacity) {
        return;
      }
    } while (!budget.compareAndSet(current, Math.min(budgetCapacity, current + budgetEarning)));
  }

  /** Whether retries are budgeted at all ({@link Builder#noRetryBudget()} says they are not). */
  boolean budgetsRetries() {
    return budgetCapacity >= 0;
  }

  /** Whether the budget allows one more retry, which it then pays for. */
  boolean tryRetry() {
    long current;
    do {
      current = budget.get();
      if (current < RETRY_COST) {
        return false;
      }
    } while (!budget.compareAndSet(current, current - RETRY_COST));
    return true;
  }

  /** Gives back a retry paid for but not made. */
  void refundRetry() {
    budget.addAndGet(RETRY_COST);
  }

  @Override
  public String toString() {
    AccountHold current = hold;
    return "AccountGuard{" + (current != null ? "on hold: " + current : "sending") + "}";
  }

  /** Configures an {@link AccountGuard}. */
  public static final class Builder {
    // Not private: AccountGuard reads them, which would cost an accessor method for each.
    long holdNanos = TimeUnit.MILLISECONDS.toNanos(DEFAULT_HOLD_MILLIS);
    @Nullable ReportedTasks reportedTasks;
    boolean pace = true;
    int retryBurst = 10;
    int retryPercent = 20;
    long nanosPerRequest;
    Clock clock = Clock.SYSTEM;

    Builder() {} // not private: a private one costs a synthetic class in the jar

    /**
     * How long an account-wide refusal stops all sending; 0 turns the hold off (every report is
     * then sent and refused on its own). Defaults to {@value #DEFAULT_HOLD_MILLIS} ms.
     */
    public Builder holdFor(long amount, TimeUnit unit) {
      if (amount < 0) {
        throw new IllegalArgumentException("holdFor must be >= 0, was " + amount);
      }
      this.holdNanos = CapReportClient.requireNonNull(unit, "holdFor unit").toNanos(amount);
      return this;
    }

    /**
     * Where accepted tasks are remembered. Defaults to {@code ReportedTasks.inMemory(15, MINUTES,
     * 100_000)}: longer than the vendor keeps a task (about 5 minutes), after which a second report
     * would be refused anyway. {@link ReportedTasks#NONE} sends every report.
     */
    public Builder reportedTasks(ReportedTasks reportedTasks) {
      if (reportedTasks == null) {
        throw new NullPointerException("reportedTasks == null");
      }
      this.reportedTasks = reportedTasks;
      return this;
    }

    /** Whether a throttling answer holds back every report's next request. Defaults to true. */
    public Builder clientWidePace(boolean on) {
      this.pace = on;
      return this;
    }

    /**
     * Retries spend a budget of {@code burst} retries that every first attempt refills by {@code
     * percent} of a retry. Defaults to 10 and 20. A bulk report has a budget of its own besides:
     * its concurrency, refilled by a fifth of a retry per task, so that under a full outage a bulk
     * report of n tasks at concurrency c sends at most 1.2 n + c requests. First attempts are never
     * refused. {@link #noRetryBudget()} turns both off.
     */
    public Builder retryBudget(int burst, int percent) {
      if (burst < 1 || percent < 0 || percent > 100) {
        // A burst of 0 could never hold a retry: RetryPolicy.none() is how retries are turned off.
        throw new IllegalArgumentException(
            "burst must be >= 1 and percent within 0..100, were " + burst + " and " + percent);
      }
      this.retryBurst = burst;
      this.retryPercent = percent;
      return this;
    }

    /** Retries are limited by the {@link RetryPolicy} alone. */
    public Builder noRetryBudget() {
      this.retryBurst = -1;
      return this;
    }

    /** At most this many requests per second from the clients that share the guard; 0: no limit. */
    public Builder maxRequestsPerSecond(double perSecond) {
      if (!(perSecond == 0 || perSecond >= 0.001) || Double.isInfinite(perSecond)) {
        throw new IllegalArgumentException(
            "perSecond must be 0 (no limit) or at least 0.001, was " + perSecond);
      }
      this.nanosPerRequest = perSecond == 0 ? 0 : Math.max(1, (long) (1e9 / perSecond));
      return this;
    }

    Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public AccountGuard build() {
      return new AccountGuard(this);
    }
  }
}
