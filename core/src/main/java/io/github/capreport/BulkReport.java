package io.github.capreport;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A running bulk report, from {@link CapReportClient#reportAll}. Every task ends with exactly one
 * {@link ReportOutcome}; one task's failure never stops the others, except an account-wide refusal,
 * after which the tasks not yet sent end {@link ReportOutcome.Status#ON_HOLD} without I/O (see
 * {@link AccountGuard}). It starts with one task in flight until the API has answered one. No
 * thread is blocked while it runs: at most {@code concurrency} reports are in flight, and each one
 * that ends starts the next. A task's request is made only when its turn comes, so memory does not
 * grow with the task count.
 */
public final class BulkReport {
  private final CapReportClient client;
  private final ReportTask[] tasks;
  private final ReportOutcome[] outcomes;
  private final @Nullable BulkProgressListener progress;
  private final Set<BulkReport> running;
  private final Set<ReportCall> inFlight =
      Collections.newSetFromMap(new ConcurrentHashMap<ReportCall, Boolean>());
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger done = new AtomicInteger();
  final AtomicBoolean cancelled = new AtomicBoolean(); // not private: Slot reads it, as ended()
  private final AtomicInteger widening = new AtomicInteger();

  /** This bulk's own retry budget, in hundredths of a retry: see {@link #mayRetry}. */
  private final AtomicLong retryBudget = new AtomicLong();

  private final CountDownLatch finished;

  BulkReport(
      CapReportClient client,
      ReportTask[] tasks,
      @Nullable BulkProgressListener progress,
      Set<BulkReport> running) {
    this.client = client;
    this.tasks = tasks;
    this.outcomes = new ReportOutcome[tasks.length];
    this.progress = progress;
    this.running = running;
    this.finished = new CountDownLatch(tasks.length);
  }

  /**
   * Starts one task until the API has answered one of this bulk's (accepted or refused it), then
   * {@code concurrency}: a wrong key or an empty balance costs one request.
   */
  void start(int concurrency) {
    retryBudget.set(concurrency * 100L);
    widening.set(concurrency - 1);
    startNext();
  }

  /**
   * Starts no new report and no new retry: tasks not yet started, and tasks waiting to retry, end
   * as {@link ReportOutcome.Status#CANCELLED} at once; reports in flight end as their answers
   * arrive. Closing the client cancels its bulk reports.
   */
  public void cancel() {
    if (cancelled.compareAndSet(false, true)) {
      for (ReportCall call : inFlight) {
        ((ReportExecution.Call) call).stopRetrying();
      }
      int index;
      while ((index = next.getAndIncrement()) < tasks.length) {
        record(index, ReportOutcome.cancelled(tasks[index], null));
      }
    }
  }

  /** Whether {@link #cancel()} was called, or the client closed. */
  public boolean isCancelled() {
    return cancelled.get();
  }

  /** Whether every task has ended, accepted, failed or cancelled. */
  public boolean isDone() {
    return finished.getCount() == 0;
  }

  /** How many tasks have ended so far. */
  public int completed() {
    return done.get();
  }

  /** How many tasks were given. */
  public int total() {
    return tasks.length;
  }

  /** Waits for every task to end; the outcomes are in the order of the tasks given. */
  public List<ReportOutcome> await() throws InterruptedException {
    finished.await();
    return outcomes();
  }

  /**
   * Waits at most the given time for every task to end.
   *
   * @throws TimeoutException when tasks are still running; {@link #cancel()} stops them
   */
  public List<ReportOutcome> await(long timeout, TimeUnit unit)
      throws InterruptedException, TimeoutException {
    if (!finished.await(timeout, unit)) {
      throw new TimeoutException(
          "bulk report not finished: " + done.get() + " of " + tasks.length + " tasks ended");
    }
    return outcomes();
  }

  private List<ReportOutcome> outcomes() {
    return Collections.unmodifiableList(new ArrayList<>(Arrays.asList(outcomes)));
  }

  /**
   * Starts the next task. Runs on the caller's thread for the first ones, then on the client's
   * thread that ended the task before, never inside another task's callback on this stack: the
   * client delivers outcomes on its own threads, so the stack stays flat at any task count.
   */
  private void startNext() {
    while (true) {
      int index = next.getAndIncrement();
      if (index >= tasks.length) {
        return;
      }
      ReportTask task = tasks[index];
      retryBudget.addAndGet(20);
      if (cancelled.get()) {
        record(index, ReportOutcome.cancelled(task, null));
        continue;
      }
      Slot self = new Slot(index, task);
      ReportCall call = client.startForBulk(task, self);
      if (call == null) {
        // The client closed: this task and every one after it end cancelled.
        cancel();
        record(index, ReportOutcome.cancelled(task, null));
        return;
      }
      self.call = call;
      inFlight.add(call);
      if (self.ended) {
        inFlight.remove(call); // it ended before it was added
      }
      if (cancelled.get()) {
        ((ReportExecution.Call) call).stopRetrying();
      }
      return;
    }
  }

  // Not private: Slot calls it, and a private one costs a synthetic accessor method in the jar.
  void ended(Slot slot, ReportOutcome outcome) {
    slot.ended = true;
    ReportCall call = slot.call;
    if (call != null) {
      inFlight.remove(call);
    }
    record(slot.index, outcome);
    startNext();
    ReportOutcome.Status status = outcome.status();
    boolean apiAnswered =
        status == ReportOutcome.Status.ACCEPTED || status == ReportOutcome.Status.REFUSED;
    if (apiAnswered && widening.get() > 0) {
      for (int more = widening.getAndSet(0); more > 0; more--) {
        startNext();
      }
    }
  }

  private void record(int index, ReportOutcome outcome) {
    outcomes[index] = outcome;
    int count = done.incrementAndGet();
    if (progress != null) {
      try {
        progress.onOutcome(outcome, count, tasks.length);
      } catch (Throwable e) {
        // A progress listener must not be able to lose an outcome, nor stop close().
        ReportExecution.listenerThrew(e);
      }
    }
    finished.countDown();
    if (count == tasks.length) {
      running.remove(this);
    }
  }

  /**
   * Whether a bulk task may be retried: besides the client's budget, a bulk report's retries stay
   * within its concurrency plus a fifth of its tasks, so that under a full outage it sends at most
   * 1.2 times its tasks plus its concurrency, whatever the client's budget allows.
   */
  static boolean mayRetry(@Nullable ReportCallback callback) {
    if (!(callback instanceof Slot)) {
      return true;
    }
    AtomicLong budget = ((Slot) callback).bulk().retryBudget;
    long current;
    do {
      current = budget.get();
      if (current < 100) {
        return false;
      }
    } while (!budget.compareAndSet(current, current - 100));
    return true;
  }

  /** One task in flight: hears its end, which may come before {@link #startNext} has its call. */
  private final class Slot implements ReportCallback {
    final int index;
    final ReportTask task;
    volatile @Nullable ReportCall call;
    volatile boolean ended;

    Slot(int index, ReportTask task) {
      this.index = index;
      this.task = task;
    }

    BulkReport bulk() {
      return BulkReport.this;
    }

    @Override
    public void onAccepted(ReportResult result) {
      ended(this, ReportOutcome.accepted(task, result));
    }

    @Override
    public void onFailed(CapReportException failure) {
      boolean stoppedByCancel =
          cancelled.get()
              && !(failure instanceof AccountOnHoldException)
              && (failure.isRetryable()
                  || failure instanceof TransportFailureException
                      && ((TransportFailureException) failure).kind()
                          == TransportFailureException.Kind.CANCELLED);
      ended(
          this,
          stoppedByCancel
              ? ReportOutcome.cancelled(task, failure.attempts() > 0 ? failure : null)
              : ReportOutcome.failed(task, failure));
    }
  }
}
