package io.github.capreport;

import io.github.capreport.spi.TransportRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running bulk report, from {@link CapReportClient#reportAll}. Every task ends with exactly one
 * {@link ReportOutcome}; one task's failure never stops the others. No thread is blocked while it
 * runs: at most {@code concurrency} reports are in flight, and each one that ends starts the next.
 */
public final class BulkReport {
  private final ReportExecution execution;
  private final ReportTask[] tasks;
  private final TransportRequest[] requests;
  private final ReportOutcome[] outcomes;
  private final BulkProgressListener progress;
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger done = new AtomicInteger();
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final CountDownLatch finished;

  BulkReport(
      ReportExecution execution,
      ReportTask[] tasks,
      TransportRequest[] requests,
      BulkProgressListener progress) {
    this.execution = execution;
    this.tasks = tasks;
    this.requests = requests;
    this.outcomes = new ReportOutcome[tasks.length];
    this.progress = progress;
    this.finished = new CountDownLatch(tasks.length);
  }

  void start(int concurrency) {
    for (int i = 0; i < concurrency; i++) {
      startNext();
    }
  }

  /**
   * Starts no new report and no new retry: tasks not yet started end as {@link
   * ReportOutcome.Status#CANCELLED} at once; reports in flight end as their answers arrive.
   */
  public void cancel() {
    if (cancelled.compareAndSet(false, true)) {
      int index;
      while ((index = next.getAndIncrement()) < tasks.length) {
        record(index, ReportOutcome.cancelled(tasks[index], null));
      }
    }
  }

  /** Whether {@link #cancel()} was called. */
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

  private void startNext() {
    final int index = next.getAndIncrement();
    if (index >= tasks.length) {
      return;
    }
    if (cancelled.get()) {
      record(index, ReportOutcome.cancelled(tasks[index], null));
      return;
    }
    execution.runAsync(
        requests[index],
        new ReportCallback() {
          @Override
          public void onAccepted(ReportResult result) {
            record(index, ReportOutcome.accepted(tasks[index], result));
            startNext();
          }

          @Override
          public void onFailed(CapReportException failure) {
            boolean stoppedByCancel =
                cancelled.get()
                    && failure.isRetryable()
                    && !(failure instanceof TransportFailureException
                        && ((TransportFailureException) failure).kind()
                            == TransportFailureException.Kind.INTERRUPTED);
            record(
                index,
                stoppedByCancel
                    ? ReportOutcome.cancelled(tasks[index], failure)
                    : ReportOutcome.failed(tasks[index], failure));
            startNext();
          }
        },
        cancelled);
  }

  private void record(int index, ReportOutcome outcome) {
    outcomes[index] = outcome;
    int count = done.incrementAndGet();
    if (progress != null) {
      try {
        progress.onOutcome(outcome, count, tasks.length);
      } catch (RuntimeException ignored) {
        // A progress listener must not be able to lose an outcome.
      }
    }
    finished.countDown();
  }
}
