package io.github.capreport;

import io.github.capreport.internal.Clock;
import io.github.capreport.internal.RecentTasks;
import java.util.concurrent.TimeUnit;

/**
 * The tasks an {@link AccountGuard} has seen accepted, so that a task is reported once: the vendor
 * refuses a second report of a task, and counts such requests towards a block. Implement it to keep
 * the record across restarts; methods are called from many threads at once and must be quick.
 */
public interface ReportedTasks {
  /** Remembers nothing: every report is sent. */
  ReportedTasks NONE =
      new ReportedTasks() {
        @Override
        public boolean contains(long taskId) {
          return false;
        }

        @Override
        public void add(long taskId) {}
      };

  /** Whether a report of {@code taskId} was accepted and is still remembered. */
  boolean contains(long taskId);

  /** Remembers that a report of {@code taskId} was accepted just now. */
  void add(long taskId);

  /**
   * The default: in memory, each task for {@code window} after its report was accepted, at most
   * {@code maxTasks} of them (the oldest is forgotten first; about 100 bytes each).
   */
  static ReportedTasks inMemory(long window, TimeUnit unit, int maxTasks) {
    if (window <= 0 || maxTasks < 1) {
      throw new IllegalArgumentException(
          "inMemory: window and maxTasks must be positive, were " + window + " and " + maxTasks);
    }
    long nanos = CapReportClient.requireNonNull(unit, "inMemory unit").toNanos(window);
    return new RecentTasks(nanos, maxTasks, Clock.SYSTEM);
  }
}
