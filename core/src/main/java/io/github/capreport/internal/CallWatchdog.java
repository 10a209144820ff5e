package io.github.capreport.internal;

import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Aborts exchanges whose deadline passed or whose blocked caller was interrupted: HTTP clients that
 * block in socket reads notice neither (Apache's classic client, OkHttp's {@code execute()}), and
 * the deadline of a report covers the connection, the headers and the body, which no client's own
 * timeouts do.
 *
 * <p>One thread sweeps every watched call each period (the constructor's {@code periodMillis}), so
 * watching a call costs a set insertion and removal, not a timer task: a per-call timer costs more
 * CPU than the rest of a report's client-side work. A deadline or an interrupt is therefore noticed
 * up to one period late. The thread starts with the first watched call and ends after a second with
 * nothing to watch, or on {@link #close()}.
 */
public final class CallWatchdog implements Runnable {
  /** How long the sweeping thread stays after the last watched call ended. */
  private static final long IDLE_MILLIS = 1_000;

  /** Why a watched call is aborted. */
  public enum Reason {
    /** Its deadline passed. */
    DEADLINE,
    /** Its caller's thread was interrupted. */
    INTERRUPTED,
    /** The watchdog was closed while the call was in flight. */
    CLOSED,
    /** Not the watchdog's: the report was cancelled. */
    CANCELLED
  }

  /**
   * A call the watchdog watches: it carries its own deadline and caller, so that watching one costs
   * a set insertion and removal and no object of the watchdog's.
   */
  public interface Watched {
    /**
     * A {@link System#nanoTime()} value after which the call is aborted, or {@link #NO_DEADLINE}.
     */
    long deadlineNanos();

    /** The thread whose interrupt aborts the call, or null to ignore interrupts. */
    Thread caller();

    /**
     * Called once per watch, on the watchdog's thread or the thread that closes it; must be quick.
     * May be called twice when a close races with a new watch, so it must be idempotent.
     */
    void abort(Reason reason);
  }

  /** The period every client uses: an abort is at most this late. */
  public static final long DEFAULT_PERIOD_MILLIS = 50;

  /** {@link #watch}'s deadline for a call that has none. */
  public static final long NO_DEADLINE = Long.MIN_VALUE;

  private final ThreadFactory threads;
  private final long periodMillis;
  private final Set<Watched> watched =
      Collections.newSetFromMap(new ConcurrentHashMap<Watched, Boolean>());
  private final Object lifecycle = new Object();

  /** The sweeping thread, or null while nothing is watched. Guarded by {@link #lifecycle}. */
  private Thread sweeper;

  private volatile boolean running;
  private volatile boolean closed;

  /**
   * @param threads makes the sweeping thread; name it after the transport, and make it a daemon
   * @param periodMillis how often watched calls are checked: the lateness of an abort
   */
  public CallWatchdog(ThreadFactory threads, long periodMillis) {
    if (threads == null) {
      throw new NullPointerException("threads == null");
    }
    if (periodMillis <= 0) {
      throw new IllegalArgumentException("periodMillis must be positive: " + periodMillis);
    }
    this.threads = threads;
    this.periodMillis = periodMillis;
  }

  /**
   * Watches a call until {@link #stop}, or until it is aborted. After {@link #close()} the call is
   * aborted at once, with {@link Reason#CLOSED}, on this thread.
   */
  public void watch(Watched call) {
    watched.add(call);
    // Added first, then checked: close() either sees this call or this sees closed.
    if (closed) {
      watched.remove(call);
      call.abort(Reason.CLOSED);
      return;
    }
    if (!running) {
      startSweeper();
    }
  }

  /** Stops watching the call. Idempotent. */
  public void stop(Watched call) {
    watched.remove(call);
  }

  /**
   * Aborts every watched call with {@link Reason#CLOSED} and ends the sweeping thread, waiting up
   * to {@code waitMillis} for it. Idempotent.
   */
  public void close(long waitMillis) {
    Thread thread;
    synchronized (lifecycle) {
      closed = true;
      thread = sweeper;
    }
    for (Watched call : watched) {
      if (watched.remove(call)) {
        call.abort(Reason.CLOSED);
      }
    }
    if (thread == null || thread == Thread.currentThread()) {
      return;
    }
    thread.interrupt();
    if (waitMillis <= 0) {
      return;
    }
    try {
      thread.join(waitMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Like {@link #close(long)} without waiting for the thread. */
  public void close() {
    close(0);
  }

  @Override
  public String toString() {
    return "CallWatchdog{periodMillis="
        + periodMillis
        + ", watched="
        + watched.size()
        + (closed ? ", closed" : "")
        + "}";
  }

  private void startSweeper() {
    synchronized (lifecycle) {
      if (running || closed) {
        return;
      }
      Thread thread = threads.newThread(this);
      running = true;
      sweeper = thread;
      thread.start();
    }
  }

  /** The sweeping thread's loop; only {@link #watch} starts it. */
  @Override
  public void run() {
    long idleSince = System.nanoTime();
    while (!closed) {
      try {
        Thread.sleep(periodMillis);
      } catch (InterruptedException e) {
        return; // only close() interrupts this thread
      }
      long now = System.nanoTime();
      for (Watched call : watched) {
        Thread caller = call.caller();
        long deadline = call.deadlineNanos();
        Reason reason =
            caller != null && caller.isInterrupted()
                ? Reason.INTERRUPTED
                : deadline != NO_DEADLINE && now - deadline >= 0 ? Reason.DEADLINE : null;
        // Removed before it is aborted: each watch ends in one abort at most.
        if (reason != null && watched.remove(call)) {
          try {
            call.abort(reason);
          } catch (RuntimeException broken) {
            // One broken call must not end the sweeps of every other.
          }
        }
      }
      if (!watched.isEmpty()) {
        idleSince = now;
      } else if (now - idleSince >= TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS) && stopIfIdle()) {
        return;
      }
    }
  }

  /** Ends the sweeper unless a call was watched meanwhile; true when it ended. */
  private boolean stopIfIdle() {
    synchronized (lifecycle) {
      running = false;
      // watch() adds, then reads running: either it read true before this write, so its call is
      // in the set now, or it reads false and starts a sweeper once this lock is released.
      if (watched.isEmpty()) {
        sweeper = null;
        return true;
      }
      running = true;
      return false;
    }
  }
}
