package io.github.capreport;

import io.github.capreport.internal.Answer;
import io.github.capreport.internal.CallWatchdog;
import io.github.capreport.internal.ClientThreads;
import io.github.capreport.internal.ReportOutcomes;
import io.github.capreport.spi.Exchange;
import io.github.capreport.spi.JsonBinding;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportRequest;
import io.github.capreport.spi.TransportResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Every rule of a report, once, for every transport: one attempt after another until one is
 * accepted, a failure is not retryable, the attempts or the deadline run out, or the caller stops
 * it. An attempt runs a transport's {@link Exchange} on the calling thread (blocking reports) or on
 * one of the client's workers (asynchronous ones), under a deadline that covers the wait for a
 * connection, the headers and the body, and is aborted by the client's watchdog when the deadline
 * passes, the blocked caller is interrupted, the report is cancelled or the client closes. Results
 * are delivered on the client's threads, never on a caller's inside {@code reportAsync}.
 */
final class ReportExecution {
  /** Larger answers are not the API's: its envelope is a few dozen bytes. */
  static final int MAX_RESPONSE_BYTES = 64 * 1024;

  /** How long {@link #close()} waits for the client's threads to end. */
  private static final long CLOSE_WAIT_MILLIS = 2_000;

  // Not private where Call uses them: a private one would cost an accessor method for each.
  final Transport transport;
  private final String clientKey;
  final JsonBinding json;
  final ReportOutcomes outcomes;
  final RetryPolicy policy;
  final ReportListener listener;
  final AccountGuard guard;
  final long requestTimeoutMillis;
  final Semaphore connections;
  private final ClientThreads threads;
  final CallWatchdog watchdog;
  final ThreadPoolExecutor workers;
  final Random random = new Random();
  final Set<Call> waiting = Collections.newSetFromMap(new ConcurrentHashMap<Call, Boolean>());
  final Set<Call> awaitingConnection =
      Collections.newSetFromMap(new ConcurrentHashMap<Call, Boolean>());
  final CountDownLatch closing = new CountDownLatch(1);
  private final Object schedulerLock = new Object();
  private @Nullable ScheduledThreadPoolExecutor scheduler;
  volatile boolean closed;

  ReportExecution(
      Transport transport,
      String clientKey,
      ReportOutcomes outcomes,
      RetryPolicy policy,
      ReportListener listener,
      AccountGuard guard,
      long requestTimeoutMillis,
      int maxConnections,
      ClientThreads threads) {
    this.transport = transport;
    this.clientKey = clientKey;
    this.json = transport.json();
    this.outcomes = outcomes;
    this.policy = policy;
    this.listener = listener;
    this.guard = guard;
    this.requestTimeoutMillis = requestTimeoutMillis;
    this.connections = new Semaphore(maxConnections);
    this.threads = threads;
    this.watchdog = new CallWatchdog(threads.named("watchdog"), CallWatchdog.DEFAULT_PERIOD_MILLIS);
    // As many workers as connections: a worker never waits for a connection another one holds.
    this.workers =
        new ThreadPoolExecutor(
            maxConnections,
            maxConnections,
            10,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<Runnable>(),
            threads.named("worker"));
    workers.allowCoreThreadTimeOut(true);
  }

  /** Reports on the calling thread, retrying as the policy allows. */
  ReportResult run(TransportRequest request) {
    Call call = new Call(request, null);
    CapReportException last = null;
    while (true) {
      long wait;
      try {
        ReportResult before = call.preflight();
        if (before != null) {
          return call.accepted(before);
        }
        wait = call.admission();
        if (wait <= 0) {
          call.handedOver();
          return call.accepted(call.attempt());
        }
      } catch (CapReportException failure) {
        long delay = call.retryDelay(failure);
        if (delay < 0) {
          throw call.giveUp(failure);
        }
        last = failure;
        call.pause(delay, TimeUnit.MILLISECONDS, "to retry", failure);
        continue;
      }
      // Outside the try: a wait that close() or an interrupt ends has given the report up already.
      call.pause(wait, TimeUnit.NANOSECONDS, call.waitingFor, last);
    }
  }

  /** Tells the listener that a hold started or ended; a listener must not lose a report. */
  static void quietly(ReportListener listener, AccountHold hold, boolean started) {
    try {
      if (started) {
        listener.accountHoldStarted(hold);
      } else {
        listener.accountHoldEnded(hold);
      }
    } catch (Throwable e) {
      listenerThrew(e);
    }
  }

  /**
   * A listener threw: a report must not be lost for it, nor a client's thread. Its {@code
   * RuntimeException} is ignored, as documented; an {@code Error} goes to the thread's uncaught
   * exception handler, so that it is seen.
   */
  static void listenerThrew(Throwable e) {
    if (!(e instanceof RuntimeException)) {
      uncaught(e);
    }
  }

  static void uncaught(Throwable e) {
    Thread current = Thread.currentThread();
    Thread.UncaughtExceptionHandler handler = current.getUncaughtExceptionHandler();
    if (handler != null) {
      handler.uncaughtException(current, e);
    }
  }

  /**
   * Starts a report on the client's threads; {@code callback} hears its end there, exactly once.
   *
   * @throws IllegalStateException when the client is closed
   */
  Call start(TransportRequest request, ReportCallback callback) {
    if (closed) {
      throw new IllegalStateException("the client is closed");
    }
    Call call = new Call(request, callback);
    if (!call.dispatch()) {
      // As if closed before the call: the callback must not run here, on the caller's thread.
      throw new IllegalStateException("the client is closed");
    }
    return call;
  }

  /**
   * Aborts every exchange in flight and ends every report: those waiting to retry with their last
   * failure, those not yet sent as cancelled. Then ends the client's threads, waiting a little for
   * them unless called on one of them. Idempotent.
   */
  void close() {
    closed = true;
    closing.countDown();
    watchdog.close();
    for (Call call : awaitingConnection) {
      call.abort(CallWatchdog.Reason.CLOSED);
    }
    for (Call call : waiting) {
      call.abandonWait();
    }
    ScheduledThreadPoolExecutor retries;
    synchronized (schedulerLock) {
      retries = scheduler;
    }
    if (retries != null) {
      retries.shutdownNow();
    }
    workers.shutdown(); // queued reports still run, see the client closed and end without I/O
    if (threads.owns(Thread.currentThread())) {
      return; // closed from a callback: waiting for our own thread would only time out
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
    try {
      workers.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
      if (retries != null) {
        retries.awaitTermination(remainingMillis(deadline), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    watchdog.close(remainingMillis(deadline));
  }

  private static long remainingMillis(long deadlineNanos) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
  }

  /** The retry scheduler, made on first use; never after close(), which would leave its thread. */
  ScheduledThreadPoolExecutor scheduler() { // not private: Call calls it
    synchronized (schedulerLock) {
      if (closed) {
        throw new RejectedExecutionException("the client is closed");
      }
      if (scheduler == null) {
        ScheduledThreadPoolExecutor executor =
            new ScheduledThreadPoolExecutor(1, threads.named("retry"));
        executor.setRemoveOnCancelPolicy(true);
        executor.setKeepAliveTime(10, TimeUnit.SECONDS);
        executor.allowCoreThreadTimeOut(true);
        scheduler = executor;
      }
      return scheduler;
    }
  }

  /** One report: its attempts so far and, while one is in flight, its exchange. */
  final class Call implements ReportCall, Runnable, CallWatchdog.Watched {
    /** Without its body until the first attempt writes it; the same endpoint and task after. */
    private volatile TransportRequest request;

    private boolean bodyWritten;
    private final @Nullable ReportCallback callback;
    private long startNanos; // of the first attempt: the retry policy's deadline runs from it
    private final List<CapReportException> failures = new ArrayList<>(2);
    private final AtomicBoolean finished = new AtomicBoolean();
    private int count;
    private volatile long deadlineNanos;
    private volatile boolean cancelled;
    private volatile boolean noMoreRetries;
    private volatile @Nullable Exchange exchange;
    private volatile CallWatchdog.@Nullable Reason abortReason;
    private volatile @Nullable ScheduledFuture<?> pendingRetry;
    private volatile boolean retryDue;

    /** What {@link #admission()} said to wait for, for the message if the wait is cut short. */
    String waitingFor = "";

    private @Nullable Thread runner;
    private boolean interruptedRunner;
    private volatile @Nullable Thread watchedCaller;

    Call(TransportRequest request, @Nullable ReportCallback callback) {
      this.request = request;
      this.callback = callback;
    }

    // ---- the public handle ----

    @Override
    public void cancel() {
      if (finished.get()) {
        return;
      }
      cancelled = true;
      abort(CallWatchdog.Reason.CANCELLED);
      if (waiting.contains(this)) {
        abandonWait();
      }
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    /** Lets an attempt in flight end as its answer arrives but starts no retry; for bulk cancel. */
    void stopRetrying() {
      noMoreRetries = true;
      if (waiting.contains(this)) {
        abandonWait();
      }
    }

    @Override
    public void abort(CallWatchdog.Reason reason) {
      if (abortReason == null) {
        abortReason = reason;
      }
      Exchange current = exchange;
      if (current == null) {
        interruptRunner(); // an asynchronous report waiting for a connection, if any
      } else {
        try {
          current.abort();
        } catch (
            Throwable broken) { // it must not: the interrupt still goes, and the watchdog lives
          uncaught(broken);
        }
        if (current.abortsByInterrupt()) {
          interruptRunner();
        }
      }
    }

    @Override
    public long deadlineNanos() {
      return deadlineNanos;
    }

    /** A blocked caller, whose interrupt aborts the attempt; null for asynchronous reports. */
    @Override
    public @Nullable Thread caller() {
      return watchedCaller;
    }

    private synchronized void interruptRunner() {
      if (runner != null && !interruptedRunner) {
        interruptedRunner = true;
        runner.interrupt();
      }
    }

    /**
     * Marks this thread as the one running the exchange, or no longer: then an interrupt that
     * {@link #abort} sent it is cleared. A caller's own interrupt that came at the same moment goes
     * with it, and the report ends all the same, by the abort's reason.
     */
    private synchronized void running(boolean on) {
      if (on) {
        runner = Thread.currentThread();
        return;
      }
      runner = null;
      if (interruptedRunner) {
        interruptedRunner = false;
        Thread.interrupted();
      }
    }

    // ---- one attempt, on the calling thread ----

    /**
     * What the account guard says before an attempt: an answer without I/O when the task was
     * reported before, null to go on.
     *
     * @throws AccountOnHoldException when the account is on hold
     */
    @Nullable ReportResult preflight() {
      AccountHold hold = guard.hold();
      if (hold != null) {
        throw new AccountOnHoldException(
            hold, request.endpoint(), request.taskId(), guard.nowMillis(), count > 0);
      }
      boolean reported;
      try {
        reported = guard.reportedTasks().contains(request.taskId());
      } catch (Throwable storeFailed) {
        reported = false; // a broken store must not lose the report: it is sent
        listenerThrew(storeFailed);
      }
      return reported
          ? ReportResult.alreadyReported(request.endpoint(), request.taskId(), count)
          : null;
    }

    /**
     * How long the attempt must wait, in nanoseconds, for the client-wide pace and then for a slot
     * of the rate limit; 0 to go now. Reports paused together wake spread over up to half the pause
     * again (at most a second), so that they do not all go at once.
     */
    long admission() {
      long paused = guard.pausedNanos();
      if (paused > 0) {
        waitingFor = "for the client's pace";
        long spread = Math.min(paused / 2, TimeUnit.SECONDS.toNanos(1));
        return paused + (long) (random.nextDouble() * spread);
      }
      waitingFor = "for the rate limit";
      return guard.tryRequest();
    }

    /** Waits on the blocked caller's thread; {@code close()} ends the wait and the report. */
    void pause(long amount, TimeUnit unit, String why, @Nullable CapReportException last) {
      try {
        if (closing.await(amount, unit)) {
          // Closed while waiting: the last failure stands, if there was one.
          throw giveUp(
              last != null ? last : outcomes.notSent(request, CallWatchdog.Reason.CLOSED, why));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw giveUp(outcomes.interruptedWhileWaiting(request, unit.toMillis(amount), why, e));
      }
    }

    /** The attempt's deadline runs from now: from the call, or from a retry's start. */
    void handedOver() {
      deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(requestTimeoutMillis);
    }

    ReportResult attempt() {
      boolean blocking = callback == null;
      if (!connections.tryAcquire()) {
        awaitConnection(blocking);
      }
      try {
        abortReason = null;
        CallWatchdog.Reason early = stopReason(blocking);
        if (early != null) {
          throw outcomes.notSent(request, early, "before it was sent");
        }
        // Again: a hold may have started, or the task been accepted, while it waited.
        ReportResult before = preflight();
        if (before != null) {
          return before;
        }
        Exchange current;
        try {
          if (!bodyWritten) {
            request =
                request.withBody(request.taskId(), json.reportBody(clientKey, request.taskId()));
            bodyWritten = true;
          }
          current = transport.newExchange(request);
        } catch (IOException | RuntimeException | Error e) {
          throw outcomes.transportBug(request, transport.id(), e, false);
        }
        exchange = current;
        watchedCaller = blocking ? Thread.currentThread() : null;
        watchdog.watch(this);
        try {
          CallWatchdog.Reason stop = stopReason(blocking);
          if (stop != null) {
            throw outcomes.notSent(request, stop, "before it was sent");
          }
          starting();
          Answer answer;
          running(true);
          try {
            TransportResponse response = current.execute();
            try {
              answer = Answer.read(response, MAX_RESPONSE_BYTES, json);
              if (!answer.complete()) {
                current.abort(); // the rest is unread: drop the connection rather than drain it
              }
            } finally {
              response.close();
            }
          } finally {
            running(false);
          }
          return outcomes.interpret(request, answer);
        } catch (IOException e) {
          throw outcomes.failure(request, e, abortReason, requestTimeoutMillis);
        } catch (ReportRefusedException e) {
          guard.refused(e); // an account-wide refusal puts the account on hold, here
          throw e;
        } catch (CapReportException e) {
          throw e;
        } catch (RuntimeException | Error e) {
          // An Error too (NoClassDefFoundError from a library): the report must end, typed.
          throw outcomes.transportBug(request, transport.id(), e, true);
        } finally {
          watchdog.stop(this);
          exchange = null;
        }
      } finally {
        connections.release();
      }
    }

    /**
     * Waits for one of the client's connections, until the deadline. An asynchronous report waits
     * on a worker of the client's, which {@link #cancel()} and {@link #close()} interrupt.
     */
    private void awaitConnection(boolean blocking) {
      boolean acquired;
      if (!blocking) {
        running(true);
        awaitingConnection.add(this);
      }
      try {
        long wait = deadlineNanos - System.nanoTime();
        acquired =
            wait > 0
                && stopReason(blocking) == null
                && connections.tryAcquire(wait, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        if (blocking) {
          Thread.currentThread().interrupt();
        }
        CallWatchdog.Reason why = blocking ? CallWatchdog.Reason.INTERRUPTED : stopReason(false);
        throw outcomes.notSent(
            request,
            why != null ? why : CallWatchdog.Reason.CLOSED,
            "while waiting for a connection");
      } finally {
        if (!blocking) {
          awaitingConnection.remove(this);
          running(false);
        }
      }
      CallWatchdog.Reason stop = stopReason(blocking);
      if (stop != null) {
        if (acquired) {
          connections.release();
        }
        throw outcomes.notSent(request, stop, "while waiting for a connection");
      }
      if (!acquired) {
        throw outcomes.notSent(
            request, CallWatchdog.Reason.DEADLINE, "no connection became free in time");
      }
    }

    /** Why the attempt must not start, or null. */
    private CallWatchdog.@Nullable Reason stopReason(boolean blocking) {
      if (abortReason != null) {
        return abortReason;
      }
      if (cancelled) {
        return CallWatchdog.Reason.CANCELLED;
      }
      if (closed) {
        return CallWatchdog.Reason.CLOSED;
      }
      if (blocking && Thread.currentThread().isInterrupted()) {
        return CallWatchdog.Reason.INTERRUPTED;
      }
      return null;
    }

    private void starting() {
      if (count == 0) {
        startNanos = System.nanoTime();
        guard.firstAttempt();
      }
      count++;
      try {
        listener.attemptStarted(request.endpoint(), request.taskId(), count);
      } catch (Throwable e) {
        listenerThrew(e);
      }
    }

    /** The delay before the next attempt, or -1 when this failure ends the report. */
    long retryDelay(CapReportException failure) {
      failures.add(failure);
      long delay = policy.delayBefore(count + 1, failure.retryAfterMillis(), random);
      if (ReportOutcomes.throttled(failure)) {
        // Every report of the client waits it out, retried or not; never past a retry's deadline.
        guard.pause(delay, policy.deadlineMillis());
      }
      if (!failure.isRetryable()
          || failure instanceof AccountOnHoldException
          || outcomes.wasNotSent(failure)
          || count >= policy.maxAttempts()
          || closed
          || cancelled
          || noMoreRetries) {
        return -1;
      }
      long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
      if (elapsed + delay > policy.deadlineMillis()) {
        return -1;
      }
      if (guard.budgetsRetries()) {
        if (!guard.tryRetry()) {
          failure.budgetSpent("the client's");
          return -1;
        }
        if (!BulkReport.mayRetry(callback)) {
          guard.refundRetry();
          failure.budgetSpent("the bulk report's");
          return -1;
        }
      }
      try {
        listener.retryScheduled(request.endpoint(), request.taskId(), count, delay, failure);
      } catch (Throwable e) {
        listenerThrew(e);
      }
      return delay;
    }

    ReportResult accepted(ReportResult result) {
      ReportResult counted = result;
      if (!result.alreadyReported()) {
        counted = result.withAttempts(count);
        try {
          guard.reportedTasks().add(request.taskId());
        } catch (Throwable storeFailed) {
          // The report was accepted all the same; a second one would be refused by the API.
          listenerThrew(storeFailed);
        }
      }
      finished(counted, null);
      return counted;
    }

    /** The last failure, carrying the attempt count and every earlier failure. */
    CapReportException giveUp(CapReportException last) {
      boolean earlierMayHaveArrived = false;
      for (CapReportException earlier : failures) {
        if (earlier != last) {
          last.addSuppressed(earlier);
          earlierMayHaveArrived |= outcomes.mayHaveArrived(earlier);
        }
      }
      last.attempts(
          count, earlierMayHaveArrived || outcomes.mayHaveArrived(last), earlierMayHaveArrived);
      finished(null, last);
      return last;
    }

    private void finished(@Nullable ReportResult result, @Nullable CapReportException failure) {
      try {
        listener.reportFinished(request.endpoint(), request.taskId(), count, result, failure);
      } catch (Throwable e) {
        listenerThrew(e);
      }
    }

    // ---- asynchronous reports: each attempt on a worker, each retry from the scheduler ----

    /**
     * Hands the report to a worker, its deadline running from now; false when the client closed.
     */
    boolean dispatch() {
      handedOver();
      try {
        workers.execute(this);
        return true;
      } catch (RejectedExecutionException closedMeanwhile) {
        return false;
      }
    }

    /** One attempt, on a worker; or, on the scheduler, the start of a retry that is due. */
    @Override
    public void run() {
      if (retryDue) {
        retryDue = false;
        retryNow();
        return;
      }
      if (finished.get()) {
        return;
      }
      ReportResult result;
      try {
        ReportResult before = preflight();
        if (before != null) {
          if (finished.compareAndSet(false, true)) {
            deliver(accepted(before), null);
          }
          return;
        }
        long wait = admission();
        if (wait > 0) {
          later(wait, TimeUnit.NANOSECONDS);
          return;
        }
        result = attempt();
      } catch (CapReportException failure) {
        attemptFailed(failure);
        return;
      }
      if (finished.compareAndSet(false, true)) {
        deliver(accepted(result), null);
      }
    }

    private void attemptFailed(CapReportException failure) {
      long delay = retryDelay(failure);
      if (delay < 0) {
        fail(failure);
        return;
      }
      later(delay, TimeUnit.MILLISECONDS);
    }

    /** Runs this report again after a delay, from the scheduler: no thread waits meanwhile. */
    private void later(long delay, TimeUnit unit) {
      waiting.add(this);
      try {
        retryDue = true;
        pendingRetry = scheduler().schedule(this, delay, unit);
      } catch (RejectedExecutionException closedMeanwhile) {
        abandonWait();
        return;
      }
      if (closed || cancelled || noMoreRetries) {
        abandonWait();
      }
    }

    private void retryNow() {
      if (!waiting.remove(this)) {
        return; // abandoned meanwhile
      }
      if (closed || cancelled || noMoreRetries) {
        abandonWait();
        return;
      }
      if (!dispatch()) {
        fail(outcomes.notSent(request, CallWatchdog.Reason.CLOSED, "before it was sent"));
      }
    }

    /** Ends a report waiting to retry: with its last failure, or as cancelled. */
    void abandonWait() {
      waiting.remove(this);
      ScheduledFuture<?> retry = pendingRetry;
      if (retry != null) {
        retry.cancel(false);
      }
      // Waiting for a retry, or for the client's pace before a first attempt: nothing failed yet.
      boolean stopped = cancelled || noMoreRetries && failures.isEmpty();
      fail(
          stopped || failures.isEmpty()
              ? outcomes.notSent(
                  request,
                  stopped ? CallWatchdog.Reason.CANCELLED : CallWatchdog.Reason.CLOSED,
                  failures.isEmpty() ? "while waiting to be sent" : "while waiting to retry")
              : failures.get(failures.size() - 1));
    }

    private void fail(CapReportException failure) {
      if (finished.compareAndSet(false, true)) {
        deliver(null, giveUp(failure));
      }
    }

    @SuppressWarnings("NullAway") // only asynchronous calls, which have a callback, deliver
    private void deliver(@Nullable ReportResult result, @Nullable CapReportException failure) {
      try {
        if (failure != null) {
          callback.onFailed(failure);
        } else {
          callback.onAccepted(result);
        }
      } catch (Throwable e) {
        // A throwing callback must not kill the worker, nor be called a second time.
        uncaught(e);
      }
    }

    @Override
    public String toString() {
      return "ReportCall{"
          + request
          + ", attempts="
          + count
          + (cancelled ? ", cancelled" : "")
          + "}";
    }
  }
}
