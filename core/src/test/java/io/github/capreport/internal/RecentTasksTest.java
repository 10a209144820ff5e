package io.github.capreport.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RecentTasksTest {
  private long now = 5_000;
  private final Clock clock =
      new Clock() {
        @Override
        public long nanoTime() {
          return now;
        }

        @Override
        public long currentTimeMillis() {
          return 0;
        }
      };

  @Test
  void remembersATaskForItsWindowOnly() {
    RecentTasks tasks = new RecentTasks(TimeUnit.SECONDS.toNanos(60), 10, clock);
    tasks.add(1);
    now += TimeUnit.SECONDS.toNanos(59);
    assertTrue(tasks.contains(1));
    now += TimeUnit.SECONDS.toNanos(1);
    assertFalse(tasks.contains(1));
  }

  @Test
  void forgetsTheOldestPastItsBound() {
    RecentTasks tasks = new RecentTasks(TimeUnit.SECONDS.toNanos(60), 3, clock);
    for (long id = 1; id <= 4; id++) {
      tasks.add(id);
    }
    assertFalse(tasks.contains(1));
    assertTrue(tasks.contains(2));
    assertTrue(tasks.contains(4));
  }

  @Test
  void refusesAnEmptyWindowOrBound() {
    assertThrows(IllegalArgumentException.class, () -> new RecentTasks(0, 3, clock));
    assertThrows(IllegalArgumentException.class, () -> new RecentTasks(1, 0, clock));
  }
}
