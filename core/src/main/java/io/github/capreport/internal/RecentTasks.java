package io.github.capreport.internal;

import io.github.capreport.ReportedTasks;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The in-memory {@link ReportedTasks}: task ids in the order they were accepted, each with its
 * time, forgotten when older than the window or when the bound is reached.
 */
public final class RecentTasks implements ReportedTasks {
  private final long windowNanos;
  private final int maxTasks;
  private final Clock clock;
  private final LinkedHashMap<Long, Long> acceptedAt = new LinkedHashMap<>();

  public RecentTasks(long windowNanos, int maxTasks, Clock clock) {
    if (windowNanos <= 0 || maxTasks < 1) {
      throw new IllegalArgumentException(
          "the window and the bound must be positive, were " + windowNanos + " ns and " + maxTasks);
    }
    this.windowNanos = windowNanos;
    this.maxTasks = maxTasks;
    this.clock = clock;
  }

  @Override
  public synchronized boolean contains(long taskId) {
    long now = clock.nanoTime();
    forgetOld(now);
    return acceptedAt.containsKey(taskId);
  }

  @Override
  public synchronized void add(long taskId) {
    long now = clock.nanoTime();
    acceptedAt.remove(taskId); // re-inserted last: its window starts now
    acceptedAt.put(taskId, now);
    forgetOld(now);
  }

  private void forgetOld(long now) {
    Iterator<Map.Entry<Long, Long>> oldestFirst = acceptedAt.entrySet().iterator();
    int size = acceptedAt.size();
    while (oldestFirst.hasNext()) {
      long at = oldestFirst.next().getValue();
      if (size <= maxTasks && now - at < windowNanos) {
        return;
      }
      oldestFirst.remove();
      size--;
    }
  }

  @Override
  public String toString() {
    return "ReportedTasks.inMemory{window="
        + windowNanos / 1_000_000_000L
        + " s, max="
        + maxTasks
        + "}";
  }
}
