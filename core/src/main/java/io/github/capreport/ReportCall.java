package io.github.capreport;

/**
 * A report under way, from {@code reportAsync} with a callback: the handle that stops it, as
 * OkHttp's {@code Call} is. (The {@code CompletableFuture} forms stop the same way through {@code
 * cancel}.)
 */
public interface ReportCall {
  /**
   * Aborts the exchange in flight and starts no further retry; the callback then hears a {@link
   * TransportFailureException} of kind {@link TransportFailureException.Kind#CANCELLED}, unless the
   * report already ended. Idempotent; safe from any thread.
   */
  void cancel();

  /** Whether {@link #cancel()} was called. */
  boolean isCancelled();
}
