package io.github.capreport.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ClientThreadsTest {
  @Test
  void threadsAreDaemonsNamedAfterTheClientAndTheirRole() {
    Object client = new Object();
    ClientThreads threads = new ClientThreads(client);
    String prefix = "capreport-" + Integer.toHexString(System.identityHashCode(client)) + "-";
    Thread first = threads.named("worker").newThread(() -> {});
    Thread second = threads.named("worker").newThread(() -> {});
    Thread again = threads.named("retry").newThread(() -> {});
    assertTrue(first.getName().equals(prefix + "worker-1"), first.getName());
    assertTrue(second.getName().equals(prefix + "worker-1"), "each factory counts from 1");
    assertTrue(again.getName().equals(prefix + "retry-1"), again.getName());
    assertTrue(first.isDaemon());
  }

  @Test
  void ownsOnlyItsOwnThreads() {
    ClientThreads mine = new ClientThreads(new Object());
    ClientThreads other = new ClientThreads(new Object());
    Thread thread = mine.named("worker").newThread(() -> {});
    assertTrue(mine.owns(thread));
    assertFalse(other.owns(thread));
    assertFalse(mine.owns(Thread.currentThread()));
  }

  @Test
  void theLibraryExecutorRunsOnTheClientsThreadsAndShutsDown() throws Exception {
    ClientThreads threads = new ClientThreads(new Object());
    CompletableFuture<Thread> ran = new CompletableFuture<>();
    threads.libraryExecutor().execute(() -> ran.complete(Thread.currentThread()));
    Thread thread = ran.get(10, TimeUnit.SECONDS);
    assertTrue(threads.owns(thread));
    assertTrue(thread.getName().contains("-http-"), thread.getName());
    threads.closeLibraryExecutor();
    assertTrue(threads.libraryExecutor().awaitTermination(10, TimeUnit.SECONDS));
  }

  @Test
  void toStringShowsThePrefixOnly() {
    assertTrue(new ClientThreads(new Object()).toString().startsWith("ClientThreads{capreport-"));
  }
}
