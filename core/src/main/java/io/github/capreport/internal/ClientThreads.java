package io.github.capreport.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every thread of one client: daemons named {@code capreport-<id>-<role>-<n>}, where the id is an
 * identity hash that tells clients apart (never anything of the key). Core starts them; a transport
 * starts none.
 */
public final class ClientThreads {
  final String prefix; // not private: the thread factory reads it, which would cost an accessor
  private final ExecutorService library;

  public ClientThreads(Object identity) {
    this.prefix = "capreport-" + Integer.toHexString(System.identityHashCode(identity)) + "-";
    this.library =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            10,
            TimeUnit.SECONDS,
            new SynchronousQueue<Runnable>(),
            named("http"));
  }

  /** A factory for threads of one role: {@code watchdog}, {@code worker}, {@code retry}. */
  public ThreadFactory named(final String role) {
    final AtomicInteger count = new AtomicInteger();
    return new ThreadFactory() {
      @Override
      public Thread newThread(Runnable runnable) {
        Thread thread = new Thread(runnable, prefix + role + "-" + count.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      }
    };
  }

  /**
   * The executor handed to transports for their HTTP library's own background work; shut down by
   * {@link #closeLibraryExecutor()} after the transport closed.
   */
  public ExecutorService libraryExecutor() {
    return library;
  }

  public void closeLibraryExecutor() {
    library.shutdown();
  }

  /** Whether {@code thread} is one of this client's, by its name's prefix, unique to the client. */
  public boolean owns(Thread thread) {
    return thread.getName().startsWith(prefix);
  }

  @Override
  public String toString() {
    return "ClientThreads{" + prefix + "*}";
  }
}
