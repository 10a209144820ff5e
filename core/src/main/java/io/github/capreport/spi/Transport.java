package io.github.capreport.spi;

import java.io.Closeable;
import java.io.IOException;

/**
 * Sends one report over HTTP and decodes the answer. Implementations must be thread-safe.
 *
 * <p>What a transport must do, and nothing more:
 *
 * <ul>
 *   <li>POST to {@link TransportRequest#uri()} with every header of {@link
 *       TransportRequest#headers()} and a JSON body of exactly {@code clientKey} (a string) and
 *       {@code taskId} (a number).
 *   <li>Never follow a redirect: a redirected POST could carry the client key to another host.
 *       Return the 3xx answer instead.
 *   <li>Read the answer with {@link TransportResponse#read}, which bounds the body and leaves the
 *       envelope decoding to the transport's JSON library.
 *   <li>Report a failure to connect as {@link java.net.ConnectException}, a timeout as {@link
 *       java.net.SocketTimeoutException}, an interrupt as {@link java.io.InterruptedIOException}
 *       (with the thread's interrupt status set again), anything else as an {@link IOException}.
 * </ul>
 */
public interface Transport extends Closeable {
  /** The id of the provider that made this transport, e.g. {@code jdk}; used in the User-Agent. */
  String id();

  /** Sends the report and blocks until the whole answer is read. */
  TransportResponse send(TransportRequest request) throws IOException;

  /**
   * Sends the report without blocking the calling thread. The callback is called exactly once,
   * never on the calling thread while this method runs, and this method never throws.
   */
  void sendAsync(TransportRequest request, TransportCallback callback);

  /** Releases the threads and connections this transport made; never those it was given. */
  @Override
  void close();
}
