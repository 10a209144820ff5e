package io.github.capreport.testkit;

import io.github.capreport.AccountHold;
import io.github.capreport.CapReportException;
import io.github.capreport.ReportEndpoint;
import io.github.capreport.ReportListener;
import io.github.capreport.ReportResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * Records every event a client's {@link ReportListener} hears, with the thread it ran on, and hands
 * each event and what it carries to a sink: the suites check all of it for the client key.
 */
class RecordingListener extends ReportListener {
  /** What happened. */
  enum Type {
    ATTEMPT_STARTED,
    RETRY_SCHEDULED,
    REPORT_FINISHED,
    HOLD_STARTED,
    HOLD_ENDED
  }

  /** One event as the listener heard it. */
  static final class Event {
    final Type type;
    final ReportEndpoint endpoint;
    final long taskId;
    final int attempt;
    final long delayMillis;
    final ReportResult result;
    final CapReportException failure;
    final String thread;

    Event(
        Type type,
        ReportEndpoint endpoint,
        long taskId,
        int attempt,
        long delayMillis,
        ReportResult result,
        CapReportException failure) {
      this.type = type;
      this.endpoint = endpoint;
      this.taskId = taskId;
      this.attempt = attempt;
      this.delayMillis = delayMillis;
      this.result = result;
      this.failure = failure;
      this.thread = Thread.currentThread().getName();
    }

    @Override
    public String toString() {
      return type
          + " "
          + endpoint
          + " #"
          + taskId
          + " attempt "
          + attempt
          + (type == Type.RETRY_SCHEDULED ? " delay " + delayMillis + " ms" : "")
          + (result != null ? " " + result : "")
          + (failure != null ? " " + failure : "")
          + " on "
          + thread;
    }
  }

  private final List<Event> events = Collections.synchronizedList(new ArrayList<Event>());
  private final Consumer<Object> sink;

  RecordingListener(Consumer<Object> sink) {
    this.sink = sink;
  }

  @Override
  public void attemptStarted(ReportEndpoint endpoint, long taskId, int attempt) {
    record(new Event(Type.ATTEMPT_STARTED, endpoint, taskId, attempt, -1, null, null));
  }

  @Override
  public void retryScheduled(
      ReportEndpoint endpoint,
      long taskId,
      int failedAttempt,
      long delayMillis,
      CapReportException failure) {
    record(
        new Event(
            Type.RETRY_SCHEDULED, endpoint, taskId, failedAttempt, delayMillis, null, failure));
  }

  @Override
  public void reportFinished(
      ReportEndpoint endpoint,
      long taskId,
      int attempts,
      ReportResult result,
      CapReportException failure) {
    record(new Event(Type.REPORT_FINISHED, endpoint, taskId, attempts, -1, result, failure));
  }

  @Override
  public void accountHoldStarted(AccountHold hold) {
    sink.accept(hold);
    record(hold(Type.HOLD_STARTED, hold));
  }

  @Override
  public void accountHoldEnded(AccountHold hold) {
    sink.accept(hold);
    record(hold(Type.HOLD_ENDED, hold));
  }

  private static Event hold(Type type, AccountHold hold) {
    return new Event(
        type, hold.refusal().endpoint(), hold.refusal().taskId(), 0, -1, null, hold.refusal());
  }

  private void record(Event event) {
    events.add(event);
    sink.accept(event);
    sink.accept(event.result);
    sink.accept(event.failure);
  }

  /** Every event so far, in the order heard. */
  List<Event> events() {
    synchronized (events) {
      return new ArrayList<>(events);
    }
  }

  /** The events of one type so far. */
  List<Event> events(Type type) {
    List<Event> of = new ArrayList<>();
    for (Event event : events()) {
      if (event.type == type) {
        of.add(event);
      }
    }
    return of;
  }
}
