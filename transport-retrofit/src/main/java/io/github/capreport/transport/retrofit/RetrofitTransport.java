package io.github.capreport.transport.retrofit;

import io.github.capreport.spi.Exchange;
import io.github.capreport.spi.JsonBinding;
import io.github.capreport.spi.ProxyCredentials;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportBuilder;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportRequest;
import io.github.capreport.spi.TransportResponse;
import io.github.capreport.spi.TunnelRefusedException;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.Credentials;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSink;
import org.jspecify.annotations.Nullable;
import retrofit2.Retrofit;

/**
 * A {@link Transport} over OkHttp 4, the client under Retrofit 3, with JSON bound by Moshi. Runs on
 * Java 8 and Android 5.0 (API 21). Each exchange is one OkHttp {@link Call}, run with the blocking
 * {@code execute()} on the thread core chooses and ended by {@code cancel()}; core owns the
 * deadline, the retries, the body's bound and the threads, and this transport starts none.
 *
 * <p>Which client is used:
 *
 * <ul>
 *   <li>None given: one built from {@link TransportOptions} (connect timeout; {@code
 *       maxConnections} pooled idle connections; TLS from {@link TransportOptions#sslContext()}),
 *       which {@link #close()} releases. Its call, read and write timeouts are the request timeout
 *       and a second: a backstop that fires after core's deadline, for a cancel that OkHttp loses
 *       while it sets up a connection. The call timeout is there for speed too: okio signals its
 *       watchdog thread whenever a timeout becomes the earliest it holds, which without a call
 *       timeout, entered first, every read and write did (docs/PERFORMANCE.md).
 *   <li>An {@link OkHttpClient}, or the one inside a given {@link Retrofit}: a client derived from
 *       it with {@code newBuilder()}, sharing its pool, interceptors, TLS and timeouts. {@link
 *       #close()} leaves it alone.
 * </ul>
 *
 * <p>Either way the client never follows a redirect (a redirected report could carry the client key
 * to another host) and never resends a report on its own: OkHttp retries after a broken connection
 * are off, and the body is one-shot, which OkHttp never resends on a 503 with {@code Retry-After:
 * 0} or an authentication challenge.
 */
public final class RetrofitTransport implements Transport {
  final OkHttpClient client; // the client reports go through; package-private for tests
  private final boolean ownsClient;

  private RetrofitTransport(TransportOptions options, @Nullable OkHttpClient given) {
    OkHttpClient.Builder b = given != null ? given.newBuilder() : new OkHttpClient.Builder();
    if (given == null) {
      long backstop = options.requestTimeoutMillis() + 1_000; // see the class's javadoc
      b.connectionPool(new ConnectionPool(options.maxConnections(), 5, TimeUnit.MINUTES))
          .connectTimeout(options.connectTimeoutMillis(), TimeUnit.MILLISECONDS)
          .callTimeout(backstop, TimeUnit.MILLISECONDS)
          .readTimeout(backstop, TimeUnit.MILLISECONDS)
          .writeTimeout(backstop, TimeUnit.MILLISECONDS);
      if (options.sslContext() != null) {
        // OkHttp wants a trust manager beside the context's socket factory, which does not reveal
        // its own: the one OkHttp picks for a client without TLS settings, as b still is, the
        // platform's. OkHttp uses it only to clean certificate chains for pinning, which this
        // client does not configure; handshakes are verified by the context's socket factory,
        // host names by OkHttp's verifier. A client of your own sets both as it likes.
        b.sslSocketFactory(options.sslContext().getSocketFactory(), b.build().x509TrustManager());
      }
      b.proxySelector(options.proxySelector());
      ProxyCredentials proxy = options.proxyCredentials();
      if (proxy != null) {
        // Asked before each CONNECT (preemptively) and on a 407: to this proxy, once per request.
        String basic = Credentials.basic(proxy.username(), proxy.password());
        b.proxyAuthenticator(
            (route, answer) ->
                route != null
                        && proxy.isFor(route.proxy().address())
                        && answer.request().header("Proxy-Authorization") == null
                    ? answer.request().newBuilder().header("Proxy-Authorization", basic).build()
                    : null);
      }
    }
    // Core owns retries: OkHttp's silent resend after a broken connection could repeat a report.
    this.client =
        b.followRedirects(false).followSslRedirects(false).retryOnConnectionFailure(false).build();
    this.ownsClient = given == null;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String id() {
    return RetrofitTransportProvider.ID;
  }

  @Override
  public JsonBinding json() {
    return MoshiEnvelopes.INSTANCE;
  }

  @Override
  public Exchange newExchange(TransportRequest request) {
    return new OkHttpExchange(client, request);
  }

  /**
   * Evicts the pooled connections of the client this transport built; a given client is left alone.
   * There is nothing else to release: that client has no cache, and its dispatcher never made an
   * executor, as {@code execute()} does not use one.
   */
  @Override
  public void close() {
    if (ownsClient) {
      client.connectionPool().evictAll();
    }
  }

  /** One report: its one-shot body and its OkHttp {@link Call}; one object rather than two. */
  private static final class OkHttpExchange extends RequestBody implements Exchange {
    private final byte[] body;
    private final Call call;

    OkHttpExchange(OkHttpClient client, TransportRequest request) {
      this.body = request.body();
      this.call =
          client.newCall(
              new Request.Builder()
                  .url(request.uri().toString())
                  .headers(Headers.of(request.headers()))
                  // Else OkHttp asks for gzip and unzips: the other transports ask for no coding.
                  .header("Accept-Encoding", "identity")
                  .post(this)
                  .build());
    }

    /** None: the request's own Content-Type header goes out as given, unparsed. */
    @Override
    public @Nullable MediaType contentType() {
      return null;
    }

    @Override
    public long contentLength() {
      return body.length;
    }

    /** OkHttp resends a request on a 503 with Retry-After: 0 or a challenge otherwise. */
    @Override
    public boolean isOneShot() {
      return true;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      sink.write(body);
    }

    @Override
    public TransportResponse execute() throws IOException {
      Response response;
      try {
        response = call.execute();
      } catch (IOException e) { // a proxy's refused CONNECT, in OkHttp's words
        throw TunnelRefusedException.fromMessage(
            e, "Unexpected response code for CONNECT: ", "Failed to authenticate with proxy");
      }
      ResponseBody answer = response.body(); // unbuffered, whatever the status: core reads it
      InputStream body = answer == null ? null : answer.byteStream();
      return TransportResponse.of(response.code(), response::headers, body, response);
    }

    /** Before execute() too: execute() then fails without sending anything. */
    @Override
    public void abort() {
      call.cancel();
    }
  }

  /** Configures a {@link RetrofitTransport}; everything is optional. */
  public static final class Builder extends TransportBuilder<OkHttpClient, Builder> {
    private Builder() {}

    /**
     * A client the caller already has and keeps owning. The transport derives its own from it with
     * {@code newBuilder()}, sharing its pool, that never follows a redirect nor retries on its own.
     */
    public Builder okHttpClient(OkHttpClient okHttpClient) {
      return client(okHttpClient);
    }

    /**
     * A Retrofit the caller already has: its call factory is used as by {@link
     * #okHttpClient(OkHttpClient)}, in its place. It must be an OkHttpClient, or the transport
     * could not make sure that it never follows a redirect. Nothing else of the Retrofit takes part
     * in a report: no service interface, converter, call adapter or callback executor.
     */
    public Builder retrofit(Retrofit retrofit) {
      Call.Factory factory = retrofit.callFactory();
      if (!(factory instanceof OkHttpClient)) {
        throw new IllegalArgumentException(
            "the Retrofit's call factory must be an OkHttpClient, not a " + factory.getClass());
      }
      return okHttpClient((OkHttpClient) factory);
    }

    @Override
    public RetrofitTransport build() {
      return new RetrofitTransport(
          options(), givenClient("the OkHttpClient given to RetrofitTransport"));
    }
  }
}
