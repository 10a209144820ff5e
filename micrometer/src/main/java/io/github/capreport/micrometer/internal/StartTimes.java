package io.github.capreport.micrometer.internal;

import io.github.capreport.ReportEndpoint;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * When each report in flight started, by endpoint and task id: the listener hears a report's start
 * and its end as two calls that name only those. Two reports of the same task at once are paired
 * first in, first out. One entry per report in flight, removed when it ends; lock-free.
 */
public final class StartTimes {
  /** What {@link #finished} returns when no start is recorded: no monotonic clock reads it. */
  public static final long NONE = Long.MIN_VALUE;

  private final ConcurrentMap<Long, long[]>[] byEndpoint;

  @SuppressWarnings("unchecked") // an array of a generic type
  public StartTimes() {
    byEndpoint = new ConcurrentMap[ReportEndpoint.values().length];
    for (int i = 0; i < byEndpoint.length; i++) {
      byEndpoint[i] = new ConcurrentHashMap<>();
    }
  }

  /** A report of this task started at {@code nanos}. */
  public void started(ReportEndpoint endpoint, long taskId, long nanos) {
    ConcurrentMap<Long, long[]> starts = byEndpoint[endpoint.ordinal()];
    Long key = taskId;
    while (true) {
      long[] current = starts.get(key);
      if (current == null) {
        if (starts.putIfAbsent(key, new long[] {nanos}) == null) {
          return;
        }
      } else {
        long[] more = Arrays.copyOf(current, current.length + 1);
        more[current.length] = nanos;
        if (starts.replace(key, current, more)) {
          return;
        }
      }
    }
  }

  /** Removes and returns the earliest start of a report of this task; {@link #NONE} if none. */
  public long finished(ReportEndpoint endpoint, long taskId) {
    ConcurrentMap<Long, long[]> starts = byEndpoint[endpoint.ordinal()];
    Long key = taskId;
    while (true) {
      long[] current = starts.get(key);
      if (current == null) {
        return NONE;
      }
      boolean taken =
          current.length == 1
              ? starts.remove(key, current)
              : starts.replace(key, current, Arrays.copyOfRange(current, 1, current.length));
      if (taken) {
        return current[0];
      }
    }
  }

  /** How many reports are recorded as started and not finished. */
  public int size() {
    int n = 0;
    for (ConcurrentMap<Long, long[]> starts : byEndpoint) {
      for (long[] times : starts.values()) {
        n += times.length;
      }
    }
    return n;
  }
}
