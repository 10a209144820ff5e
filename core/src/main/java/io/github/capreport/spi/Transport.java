package io.github.capreport.spi;

import java.io.Closeable;

/**
 * An HTTP client behind capreport: it carries one {@link Exchange} at a time per call to {@link
 * #newExchange} and binds JSON with its library. Everything else a report needs (the deadline,
 * interrupts, aborts, retries, the body's bound, what an answer or a failure means, which thread
 * runs what) is core's. Implementations must be thread-safe and start no thread of their own.
 *
 * <p>What a transport must do, and nothing more:
 *
 * <ul>
 *   <li>POST {@link TransportRequest#body()} to {@link TransportRequest#uri()} with exactly the
 *       headers of {@link TransportRequest#headers()}, the bytes unchanged.
 *   <li>Never follow a redirect (a redirected POST could carry the client key to another host) and
 *       never send a request twice on its own: answer with what the server sent.
 *   <li>Make {@link Exchange#abort()} end the exchange promptly from any thread, in any phase.
 *   <li>Throw the JDK's own exception types where they fit: {@link java.net.ConnectException},
 *       {@link java.net.UnknownHostException}, {@link java.net.SocketTimeoutException} for the
 *       library's own timeouts, {@link javax.net.ssl.SSLException} for TLS; core decides what each
 *       means.
 * </ul>
 *
 * <p>The shape of one, for an HTTP client {@code MyHttp} and a JSON binding {@code MyJson}:
 *
 * <pre>{@code
 * final class MyHttpTransport implements Transport {
 *   private final MyHttp http; // from the options: connect timeout, pool, TLS, no redirects
 *
 *   public String id() { return "myhttp"; }
 *
 *   public JsonBinding json() { return MyJson.INSTANCE; }
 *
 *   public Exchange newExchange(TransportRequest request) {
 *     MyHttp.Call call = http.newCall(request.uri(), request.headers(), request.body());
 *     return new Exchange() {
 *       public TransportResponse execute() throws IOException {
 *         MyHttp.Response answer = call.execute(); // status and headers; the body unread
 *         // answer::headers lists a header's values; answer is Closeable and releases it.
 *         return TransportResponse.of(answer.status(), answer::headers, answer.body(), answer);
 *       }
 *
 *       public void abort() { call.cancel(); }
 *     };
 *   }
 *
 *   public void close() { http.close(); }
 * }
 * }</pre>
 *
 * <p>Register it through a {@link TransportProvider}, and prove it with {@code capreport-testkit}'s
 * {@code TransportContractSuite}.
 */
public interface Transport extends Closeable {
  /** The id of the provider that made this transport, e.g. {@code jdk}; used in the User-Agent. */
  String id();

  /** How this transport's JSON library writes the request body and reads the answer. */
  JsonBinding json();

  /** One exchange for {@code request}, not yet started: no I/O happens here. */
  Exchange newExchange(TransportRequest request);

  /**
   * Releases the connections of the HTTP client this transport built; a client it was given stays
   * open. Exchanges still in flight are core's to abort.
   */
  @Override
  void close();
}
