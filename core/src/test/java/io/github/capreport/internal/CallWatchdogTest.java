package io.github.capreport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CallWatchdogTest {
  private static final long PERIOD_MILLIS = 5;

  private final List<Thread> started = new CopyOnWriteArrayList<>();
  private final ThreadFactory threads =
      runnable -> {
        Thread thread = new Thread(runnable, "watchdog-test");
        thread.setDaemon(true);
        started.add(thread);
        return thread;
      };
  private final CallWatchdog watchdog = new CallWatchdog(threads, PERIOD_MILLIS);

  private Recorder watch(Recorder call, long deadline, Thread caller) {
    call.deadline = deadline;
    call.caller = caller;
    watchdog.watch(call);
    return call;
  }

  @AfterEach
  void close() {
    watchdog.close(5_000);
  }

  /** Records each abort it hears. */
  private static final class Recorder implements CallWatchdog.Watched {
    final BlockingQueue<CallWatchdog.Reason> reasons = new LinkedBlockingQueue<>();
    volatile long deadline = CallWatchdog.NO_DEADLINE;
    volatile Thread caller;

    @Override
    public long deadlineNanos() {
      return deadline;
    }

    @Override
    public Thread caller() {
      return caller;
    }

    @Override
    public void abort(CallWatchdog.Reason reason) {
      reasons.add(reason);
    }

    CallWatchdog.Reason next() throws InterruptedException {
      return reasons.poll(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void abortsACallWhoseDeadlinePassed() throws Exception {
    Recorder call = new Recorder();
    watch(call, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20), null);
    assertEquals(CallWatchdog.Reason.DEADLINE, call.next());
  }

  /** A caller that stays interrupted until {@link #end()}: parking does not clear the flag. */
  private static final class InterruptedCaller extends Thread {
    private volatile boolean ended;

    InterruptedCaller() {
      setDaemon(true);
      start();
      interrupt();
    }

    @Override
    public void run() {
      while (!ended) {
        LockSupport.park();
      }
    }

    void end() throws InterruptedException {
      ended = true;
      LockSupport.unpark(this);
      join();
    }
  }

  @Test
  void abortsACallWhoseCallerWasInterrupted() throws Exception {
    InterruptedCaller caller = new InterruptedCaller();
    try {
      Recorder call = new Recorder();
      watch(call, CallWatchdog.NO_DEADLINE, caller);
      assertEquals(CallWatchdog.Reason.INTERRUPTED, call.next());
    } finally {
      caller.end();
    }
  }

  @Test
  void abortsEachCallOnce() throws Exception {
    InterruptedCaller caller = new InterruptedCaller();
    try {
      Recorder call = new Recorder();
      watch(call, System.nanoTime(), caller);
      assertEquals(CallWatchdog.Reason.INTERRUPTED, call.next());
      Thread.sleep(PERIOD_MILLIS * 10);
      assertTrue(call.reasons.isEmpty(), "aborted again: " + call.reasons);
    } finally {
      caller.end();
    }
  }

  @Test
  void leavesAStoppedCallAlone() throws Exception {
    Recorder call = new Recorder();
    Recorder watch = watch(call, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(30), null);
    watchdog.stop(watch);
    watchdog.stop(watch);
    Recorder witness = new Recorder();
    watch(witness, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(60), null);
    assertEquals(CallWatchdog.Reason.DEADLINE, witness.next());
    assertTrue(call.reasons.isEmpty(), "a stopped call was aborted: " + call.reasons);
  }

  @Test
  void neverAbortsACallWithoutDeadlineOrCaller() throws Exception {
    Recorder call = new Recorder();
    watch(call, CallWatchdog.NO_DEADLINE, null);
    Recorder witness = new Recorder();
    watch(witness, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50), null);
    assertEquals(CallWatchdog.Reason.DEADLINE, witness.next());
    assertTrue(call.reasons.isEmpty());
  }

  @Test
  void closeAbortsTheCallsInFlightAndEndsTheThread() throws Exception {
    Recorder call = new Recorder();
    watch(call, CallWatchdog.NO_DEADLINE, null);
    watchdog.close(5_000);
    assertEquals(CallWatchdog.Reason.CLOSED, call.reasons.poll());
    assertEquals(1, started.size());
    assertFalse(started.get(0).isAlive());
  }

  @Test
  void aCallWatchedAfterCloseIsAbortedAtOnce() {
    watchdog.close();
    Recorder call = new Recorder();
    watch(call, CallWatchdog.NO_DEADLINE, null);
    assertEquals(CallWatchdog.Reason.CLOSED, call.reasons.poll());
  }

  @Test
  void noThreadUntilACallIsWatched() {
    assertTrue(started.isEmpty());
  }

  @Test
  void theThreadEndsWhenIdleAndANewOneStartsWithTheNextCall() throws Exception {
    watchdog.stop(watch(new Recorder(), CallWatchdog.NO_DEADLINE, null));
    Thread first = started.get(0);
    first.join(10_000);
    assertFalse(first.isAlive(), "the sweeping thread outlived its idle time");
    Recorder call = new Recorder();
    watch(call, System.nanoTime(), null);
    assertEquals(CallWatchdog.Reason.DEADLINE, call.next());
    assertEquals(2, started.size());
  }

  @Test
  void rejectsBadArguments() {
    assertThrows(NullPointerException.class, () -> new CallWatchdog(null, 1));
    assertThrows(IllegalArgumentException.class, () -> new CallWatchdog(threads, 0));
    assertThrows(NullPointerException.class, () -> watchdog.watch(null));
  }
}
