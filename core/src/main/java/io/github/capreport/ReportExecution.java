package io.github.capreport;

import io.github.capreport.internal.ReportOutcomes;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportCallback;
import io.github.capreport.spi.TransportRequest;
import io.github.capreport.spi.TransportResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends reports with the client's retry policy: one attempt after another until one is accepted, a
 * failure is not retryable, the attempts or the deadline run out, or the caller stops it. The same
 * rules serve blocking and asynchronous calls; asynchronous retries wait on a scheduler thread,
 * never on a caller's.
 */
final class ReportExecution {
  private static final AtomicInteger SCHEDULERS = new AtomicInteger();

  private final Transport transport;
  private final ReportOutcomes outcomes;
  private final RetryPolicy policy;
  private final ReportListener listener;
  private final Random random = new Random();
  private final Set<Attempts> waiting =
      Collections.newSetFromMap(new ConcurrentHashMap<Attempts, Boolean>());
  private final Object schedulerLock = new Object();
  private ScheduledExecutorService scheduler;
  private volatile boolean closed;

  ReportExecution(
      Transport transport, ReportOutcomes outcomes, RetryPolicy policy, ReportListener listener) {
    this.transport = transport;
    this.outcomes = outcomes;
    this.policy = policy;
    this.listener = listener;
  }

  ReportResult run(TransportRequest request) {
    Attempts attempts = new Attempts(request, null, null);
    while (true) {
      attempts.starting();
      ReportResult result;
      try {
        result = outcomes.interpret(request, sendOnce(request));
      } catch (CapReportException failure) {
        long delay = attempts.retryDelay(failure);
        if (delay < 0) {
          throw attempts.giveUp(failure);
        }
        try {
          Thread.sleep(delay);
        } catch (InterruptedException e) {
          InterruptedIOException interrupted =
              new InterruptedIOException("interrupted while waiting " + delay + " ms to retry");
          interrupted.initCause(e);
          throw attempts.giveUp(outcomes.failure(request, interrupted));
        }
        continue;
      }
      return attempts.accepted(result);
    }
  }

  void runAsync(TransportRequest request, ReportCallback callback, AtomicBoolean cancelled) {
    new Attempts(request, callback, cancelled).sendAsync();
  }

  /** Stops pending retries; each of their reports ends with its last failure. */
  void close() {
    closed = true;
    synchronized (schedulerLock) {
      if (scheduler != null) {
        scheduler.shutdownNow();
      }
    }
    for (Attempts attempts : waiting) {
      attempts.abandonWait();
    }
  }

  private TransportResponse sendOnce(TransportRequest request) {
    try {
      return transport.send(request);
    } catch (IOException e) {
      throw outcomes.failure(request, e);
    } catch (RuntimeException e) {
      throw outcomes.transportBug(request, transport.id(), e);
    }
  }

  private ScheduledExecutorService scheduler() {
    synchronized (schedulerLock) {
      if (scheduler == null) {
        final String name = "capreport-retry-" + SCHEDULERS.incrementAndGet();
        ScheduledThreadPoolExecutor executor =
            new ScheduledThreadPoolExecutor(
                1,
                new ThreadFactory() {
                  @Override
                  public Thread newThread(Runnable runnable) {
                    Thread thread = new Thread(runnable, name);
                    thread.setDaemon(true);
                    return thread;
                  }
                });
        executor.setRemoveOnCancelPolicy(true);
        scheduler = executor;
      }
      return scheduler;
    }
  }

  /** One report's attempts so far. */
  private final class Attempts implements TransportCallback, Runnable {
    private final TransportRequest request;
    private final ReportCallback callback;
    private final AtomicBoolean cancelled;
    private final long startNanos = System.nanoTime();
    private final List<CapReportException> failures = new ArrayList<>();
    private final AtomicBoolean finished = new AtomicBoolean();
    private int count;
    private volatile ScheduledFuture<?> pendingRetry;

    Attempts(TransportRequest request, ReportCallback callback, AtomicBoolean cancelled) {
      this.request = request;
      this.callback = callback;
      this.cancelled = cancelled;
    }

    void starting() {
      count++;
      try {
        listener.attemptStarted(request.endpoint(), request.taskId(), count);
      } catch (RuntimeException ignored) {
        // A listener must not be able to lose a report.
      }
    }

    /** The delay before the next attempt, or -1 when this failure ends the report. */
    long retryDelay(CapReportException failure) {
      failures.add(failure);
      if (!failure.isRetryable()
          || count >= policy.maxAttempts()
          || closed
          || (cancelled != null && cancelled.get())) {
        return -1;
      }
      long delay = policy.delayBefore(count + 1, failure.retryAfterMillis(), random);
      long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
      if (elapsed + delay > policy.deadlineMillis()) {
        return -1;
      }
      try {
        listener.retryScheduled(request.endpoint(), request.taskId(), count, delay, failure);
      } catch (RuntimeException ignored) {
        // A listener must not be able to lose a report.
      }
      return delay;
    }

    ReportResult accepted(ReportResult result) {
      ReportResult counted = result.withAttempts(count);
      finished(counted, null);
      return counted;
    }

    /** The last failure, carrying the attempt count and every earlier failure. */
    CapReportException giveUp(CapReportException last) {
      last.attempts(count);
      for (CapReportException earlier : failures) {
        if (earlier != last) {
          last.addSuppressed(earlier);
        }
      }
      finished(null, last);
      return last;
    }

    private void finished(ReportResult result, CapReportException failure) {
      try {
        listener.reportFinished(request.endpoint(), request.taskId(), count, result, failure);
      } catch (RuntimeException ignored) {
        // A listener must not be able to lose a report.
      }
    }

    // Asynchronous path: each attempt's answer arrives in onResponse or onFailure.

    void sendAsync() {
      starting();
      try {
        transport.sendAsync(request, this);
      } catch (RuntimeException e) {
        attemptFailed(outcomes.transportBug(request, transport.id(), e));
      }
    }

    @Override
    public void onResponse(TransportResponse response) {
      ReportResult result;
      try {
        result = outcomes.interpret(request, response);
      } catch (CapReportException failure) {
        attemptFailed(failure);
        return;
      }
      if (finished.compareAndSet(false, true)) {
        callback.onAccepted(accepted(result));
      }
    }

    @Override
    public void onFailure(IOException failure) {
      attemptFailed(outcomes.failure(request, failure));
    }

    /** The scheduled retry. */
    @Override
    public void run() {
      waiting.remove(this);
      if (closed || cancelled.get()) {
        abandonWait();
        return;
      }
      sendAsync();
    }

    void abandonWait() {
      ScheduledFuture<?> retry = pendingRetry;
      if (retry != null) {
        retry.cancel(false);
      }
      waiting.remove(this);
      fail(failures.get(failures.size() - 1));
    }

    private void attemptFailed(CapReportException failure) {
      long delay = retryDelay(failure);
      if (delay < 0) {
        fail(failure);
        return;
      }
      waiting.add(this);
      try {
        pendingRetry = scheduler().schedule(this, delay, TimeUnit.MILLISECONDS);
      } catch (RuntimeException rejected) {
        // The client closed between the decision and the scheduling.
        waiting.remove(this);
        fail(failure);
        return;
      }
      if (closed) {
        abandonWait();
      }
    }

    private void fail(CapReportException failure) {
      if (finished.compareAndSet(false, true)) {
        callback.onFailed(giveUp(failure));
      }
    }
  }
}
