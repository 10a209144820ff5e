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
 *
 * <p>The shape of one, for an HTTP client {@code MyHttp} and its JSON library; {@code MyJson.body}
 * and {@code MyJson::envelope} stand for the two bindings a transport writes:
 *
 * <pre>{@code
 * final class MyHttpTransport implements Transport {
 *   private final MyHttp http; // made from the options: timeouts, pool, TLS, no redirects
 *
 *   MyHttpTransport(TransportOptions options) {
 *     this.http = MyHttp.builder()
 *         .connectTimeout(options.connectTimeoutMillis())
 *         .followRedirects(false)
 *         .build();
 *   }
 *
 *   @Override
 *   public String id() {
 *     return "myhttp";
 *   }
 *
 *   @Override
 *   public TransportResponse send(TransportRequest request) throws IOException {
 *     byte[] body = MyJson.body(request.clientKey(), request.taskId()); // {"clientKey":..,"taskId":..}
 *     try (MyHttp.Response answer = http.post(request.uri(), request.headers(), body)) {
 *       return TransportResponse.read(
 *           answer.status(),
 *           answer.header("Retry-After"),
 *           answer.bodyStream(),
 *           request.maxResponseBytes(),
 *           MyJson::envelope);
 *     }
 *   }
 *
 *   @Override
 *   public void sendAsync(TransportRequest request, TransportCallback callback) {
 *     http.executor().execute(() -> { // never on the caller's thread
 *       TransportResponse response;
 *       try {
 *         response = send(request);
 *       } catch (IOException e) {
 *         callback.onFailure(e);
 *         return;
 *       }
 *       callback.onResponse(response);
 *     });
 *   }
 *
 *   @Override
 *   public void close() {
 *     http.close();
 *   }
 * }
 * }</pre>
 *
 * <p>Register it through a {@link TransportProvider}.
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
