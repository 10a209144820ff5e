package io.github.capreport.spi;

import java.io.IOException;

/**
 * One HTTP exchange: a request on its way and, once {@link #execute()} returns, its answer. Like
 * AWS SDK v2's {@code ExecutableHttpRequest} or OkHttp's {@code Call}: core runs it on a thread of
 * its choosing and may {@link #abort()} it from any other.
 */
public interface Exchange {
  /**
   * Sends the request and waits for the status line and headers; the body is left unread, for the
   * caller to read on the same thread. Called at most once.
   *
   * @throws IOException when no answer arrived, or the exchange was aborted
   */
  TransportResponse execute() throws IOException;

  /**
   * Ends the exchange: a blocked {@link #execute()} or a blocked read of the body fails promptly
   * with an {@link IOException}, and the connection is closed, never returned to the pool. Called
   * before {@code execute()}, it makes {@code execute()} fail without sending anything. Safe from
   * any thread, at any time, any number of times; never throws.
   */
  void abort();

  /**
   * Whether {@link #abort()} alone cannot end a blocked {@link #execute()} or body read, so that
   * the thread running them must be interrupted too: for HTTP clients whose blocking calls only an
   * interrupt ends (java.net.http's {@code send}). Core then interrupts that thread when it aborts,
   * and clears that interrupt when the exchange ends; the transport keeps any interrupt it catches.
   */
  default boolean abortsByInterrupt() {
    return false;
  }
}
