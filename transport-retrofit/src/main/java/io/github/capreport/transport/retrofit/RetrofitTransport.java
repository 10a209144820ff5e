package io.github.capreport.transport.retrofit;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import io.github.capreport.spi.CallWatchdog;
import io.github.capreport.spi.EnvelopeParser;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportCallback;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportRequest;
import io.github.capreport.spi.TransportResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.Cache;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import okhttp3.ResponseBody;
import okio.Buffer;
import retrofit2.Call;
import retrofit2.Callback;
import retrofit2.Response;
import retrofit2.Retrofit;
import retrofit2.converter.moshi.MoshiConverterFactory;

/**
 * A {@link Transport} over Retrofit 3 and OkHttp 4, with JSON bound by Moshi. Runs on Java 8 and
 * Android 5.0 (API 21).
 *
 * <p>The request body is written by a Moshi adapter into a ready {@code RequestBody}, so no
 * Retrofit converter runs per report; the answer is read, bounded, by {@link
 * TransportResponse#read} and decoded with a Moshi adapter. Redirects are never followed, whatever
 * client is given: a redirected report could carry the client key to another host.
 *
 * <p>{@link #send} runs Retrofit's {@code Call.execute()} on the caller's thread, as a hand-written
 * Retrofit call does: handing it to a dispatcher thread and waiting would cost two thread switches
 * per report. OkHttp's socket reads do not notice an interrupt, so while a blocking report is in
 * flight a {@link CallWatchdog} checks its caller every {@value #INTERRUPT_POLL_MILLIS} ms and
 * cancels the call once the caller is interrupted. {@link #sendAsync} goes through Retrofit's
 * {@code Call.enqueue}: the answer is read on an OkHttp dispatcher thread, and the callback runs
 * there, never on Android's main thread. The request timeout is OkHttp's call timeout, which covers
 * the whole report, body included.
 *
 * <p>Which client is used:
 *
 * <ul>
 *   <li>None given: the transport builds one from {@link TransportOptions} (connect timeout; the
 *       request timeout as call, read and write timeout; {@code maxConnections} requests per host
 *       and as many pooled idle connections; no redirects; no OkHttp retries, core owns those; TLS
 *       from {@link TransportOptions#sslContext()}) on its own daemon threads, and {@link #close()}
 *       releases it.
 *   <li>An {@link OkHttpClient}, or the one inside a given {@link Retrofit}: the transport derives
 *       a client from it with {@code newBuilder()}, sharing its dispatcher, connection pool,
 *       interceptors, TLS and connect/read timeouts, but never following redirects, never resending
 *       a report on its own, and with the request timeout as call timeout. {@link #close()} leaves
 *       the given client alone. Of a given Retrofit only the client is used: the report's JSON is
 *       Moshi's, whatever converters it has.
 * </ul>
 */
public final class RetrofitTransport implements Transport {
  private static final AtomicInteger TRANSPORTS = new AtomicInteger();

  /** How often a blocking send checks whether its caller was interrupted. */
  static final long INTERRUPT_POLL_MILLIS = CallWatchdog.DEFAULT_PERIOD_MILLIS;

  /** Never contacted: every report carries its absolute URI in {@code @Url}. */
  private static final String PLACEHOLDER_BASE_URL = "http://localhost/";

  /** Set while a thread is inside {@link #sendAsync}'s enqueue. */
  private static final ThreadLocal<Boolean> ENQUEUING = new ThreadLocal<>();

  private final OkHttpClient client;
  private final boolean ownsClient;
  private final ReportService service;
  private final JsonAdapter<ReportBody> bodyAdapter;

  /** The request headers last seen, split for Retrofit; see {@link #wireHeaders}. */
  private volatile WireHeaders wireHeaders;

  private final EnvelopeParser parser;
  private final long requestTimeoutMillis;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Checks the callers of blocking sends for interrupts; its thread ends when idle. */
  private final CallWatchdog interruptWatch;

  private RetrofitTransport(Builder builder) {
    TransportOptions options = builder.options;
    int n = TRANSPORTS.incrementAndGet();
    this.interruptWatch =
        new CallWatchdog(
            daemonThreads("capreport-retrofit-" + n + "-interrupts-"), INTERRUPT_POLL_MILLIS);
    this.requestTimeoutMillis = options.requestTimeoutMillis();
    OkHttpClient given = givenClient(builder);
    if (given != null) {
      if (builder.trustManager != null) {
        throw new IllegalStateException(
            "trustManager applies only to the client the transport builds; configure TLS on the"
                + " given OkHttpClient instead");
      }
      this.client =
          given
              .newBuilder()
              .followRedirects(false)
              .followSslRedirects(false)
              // Core owns retries: OkHttp's silent resend could deliver a report twice.
              .retryOnConnectionFailure(false)
              .callTimeout(requestTimeoutMillis, TimeUnit.MILLISECONDS)
              .addInterceptor(BoundedBodyInterceptor.INSTANCE)
              .build();
      this.ownsClient = false;
    } else {
      this.client = newClient(options, builder.trustManager, n);
      this.ownsClient = true;
    }
    Moshi moshi = MoshiEnvelopes.with(builder.moshi);
    this.parser = new MoshiEnvelopes(moshi);
    this.bodyAdapter = moshi.adapter(ReportBody.class);
    HttpUrl baseUrl =
        builder.retrofit != null ? builder.retrofit.baseUrl() : HttpUrl.get(PLACEHOLDER_BASE_URL);
    this.service =
        new Retrofit.Builder()
            .baseUrl(baseUrl)
            .client(client)
            .addConverterFactory(MoshiConverterFactory.create(moshi))
            .validateEagerly(true)
            .build()
            .create(ReportService.class);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String id() {
    return RetrofitTransportProvider.ID;
  }

  @Override
  public TransportResponse send(TransportRequest request) throws IOException {
    if (closed.get()) {
      throw new IOException("the transport is closed");
    }
    if (Thread.currentThread().isInterrupted()) {
      throw new InterruptedIOException("interrupted before sending");
    }
    Call<ResponseBody> call = newCall(request);
    InterruptWatch watch = new InterruptWatch(Thread.currentThread(), call);
    Waiter waiter = new Waiter();
    AnswerHandler handler = new AnswerHandler(request, waiter, false);
    try {
      watch.start();
      Response<ResponseBody> response;
      try {
        response = call.execute();
      } catch (Throwable e) {
        handler.onFailure(call, e);
        response = null;
      }
      if (response != null) {
        // Reads the body here, still watched: the call timeout and a cancel cover it too.
        handler.onResponse(call, response);
      }
    } finally {
      watch.stop();
    }
    if (waiter.failure != null) {
      if (watch.sawInterrupt || Thread.currentThread().isInterrupted()) {
        Thread.currentThread().interrupt();
        InterruptedIOException interrupted =
            new InterruptedIOException("interrupted while waiting for the answer");
        interrupted.initCause(waiter.failure);
        throw interrupted;
      }
      throw waiter.failure;
    }
    return waiter.response;
  }

  @Override
  public void sendAsync(TransportRequest request, TransportCallback callback) {
    AnswerHandler handler = new AnswerHandler(request, callback, true);
    ENQUEUING.set(Boolean.TRUE);
    try {
      if (closed.get()) {
        handler.fail(new IOException("the transport is closed"));
        return;
      }
      newCall(request).enqueue(handler);
    } catch (IOException e) {
      handler.fail(e);
    } catch (RuntimeException e) {
      handler.fail(unexpected(e));
    } finally {
      ENQUEUING.remove();
    }
  }

  /**
   * Releases the client this transport built: cancels its calls, shuts its dispatcher's threads
   * down, evicts its pooled connections and closes its cache. A given client, with its dispatcher
   * and pool, is left alone. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    interruptWatch.close();
    if (!ownsClient) {
      return;
    }
    client.dispatcher().cancelAll();
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
    Cache cache = client.cache();
    if (cache != null) {
      try {
        cache.close();
      } catch (IOException ignored) {
        // Nothing more can be released.
      }
    }
  }

  @Override
  public String toString() {
    return "RetrofitTransport{ownsClient="
        + ownsClient
        + ", requestTimeoutMillis="
        + requestTimeoutMillis
        + (closed.get() ? ", closed" : "")
        + "}";
  }

  /** The client reports go through; for tests. */
  OkHttpClient okHttpClient() {
    return client;
  }

  private Call<ResponseBody> newCall(TransportRequest request) throws IOException {
    WireHeaders wire = wireHeaders(request.headers());
    Buffer json = new Buffer();
    try {
      bodyAdapter.toJson(json, new ReportBody(request.clientKey(), request.taskId()));
      return service.report(
          request.uri().toString(),
          wire.withoutContentType,
          new OneShotBody(json.readByteArray(), wire.contentType),
          new BodyLimit(request.maxResponseBytes() + 1L));
    } catch (RuntimeException e) {
      throw unexpected(e);
    }
  }

  /**
   * The request's headers as Retrofit takes them: Content-Type goes with the body, parsed once; the
   * rest is a header map. Given in a {@code @HeaderMap}, Content-Type would be parsed by a regular
   * expression on every report. Requests of one client share one headers map, so the split is kept
   * for the map last seen.
   */
  private WireHeaders wireHeaders(Map<String, String> headers) {
    WireHeaders last = wireHeaders;
    if (last != null && last.source == headers) {
      return last;
    }
    Map<String, String> rest = new LinkedHashMap<>();
    MediaType contentType = null;
    for (Map.Entry<String, String> header : headers.entrySet()) {
      if (header.getKey().equalsIgnoreCase("Content-Type")) {
        contentType = MediaType.get(header.getValue());
      } else {
        rest.put(header.getKey(), header.getValue());
      }
    }
    WireHeaders wire = new WireHeaders(headers, Collections.unmodifiableMap(rest), contentType);
    wireHeaders = wire;
    return wire;
  }

  /**
   * The report's body, sendable once: OkHttp resends a request on its own (a 503 with {@code
   * Retry-After: 0}, an authentication challenge) only when its body can be sent again, and no
   * request may leave that core did not count as an attempt.
   */
  private static final class OneShotBody extends RequestBody {
    private final byte[] bytes;
    private final MediaType contentType;

    OneShotBody(byte[] bytes, MediaType contentType) {
      this.bytes = bytes;
      this.contentType = contentType;
    }

    @Override
    public MediaType contentType() {
      return contentType;
    }

    @Override
    public long contentLength() {
      return bytes.length;
    }

    @Override
    public boolean isOneShot() {
      return true;
    }

    @Override
    public void writeTo(okio.BufferedSink sink) throws IOException {
      sink.write(bytes);
    }
  }

  private static final class WireHeaders {
    final Map<String, String> source;
    final Map<String, String> withoutContentType;
    final MediaType contentType;

    WireHeaders(
        Map<String, String> source, Map<String, String> withoutContentType, MediaType contentType) {
      this.source = source;
      this.withoutContentType = withoutContentType;
      this.contentType = contentType;
    }
  }

  private SocketTimeoutException timeout(Throwable cause) {
    SocketTimeoutException timeout =
        new SocketTimeoutException(
            "no complete answer within the request timeout of " + requestTimeoutMillis + " ms");
    if (cause != null) {
      timeout.initCause(cause);
    }
    return timeout;
  }

  /**
   * Translates what OkHttp and Retrofit report into the SPI's vocabulary. OkHttp signals its call
   * timeout with a plain {@code InterruptedIOException("timeout")}; that is a timeout, not an
   * interrupt.
   */
  private IOException failureOf(Call<ResponseBody> call, Throwable error) {
    if (error instanceof SocketTimeoutException) {
      return (IOException) error;
    }
    if (error instanceof InterruptedIOException) {
      String message = error.getMessage();
      if ("timeout".equals(message) || "deadline reached".equals(message)) {
        return timeout(error);
      }
      if ("executor rejected".equals(message)) {
        return new IOException(
            "the HTTP client's dispatcher is shut down; was the transport or its OkHttpClient"
                + " closed?",
            error);
      }
      if (call.isCanceled()) {
        return new IOException("the call was cancelled", error);
      }
      return (InterruptedIOException) error;
    }
    if (call.isCanceled()) {
      return new IOException("the call was cancelled", error);
    }
    if (error instanceof IOException) {
      return (IOException) error;
    }
    return unexpected(error);
  }

  private static IOException unexpected(Throwable error) {
    // Only the type: a message from a JSON or HTTP library is not checked for the client key.
    return new IOException("the report failed unexpectedly: " + error.getClass().getName(), error);
  }

  private static OkHttpClient givenClient(Builder builder) {
    if (builder.retrofit == null) {
      return builder.okHttpClient;
    }
    if (builder.okHttpClient != null) {
      throw new IllegalStateException("give an OkHttpClient or a Retrofit, not both");
    }
    okhttp3.Call.Factory factory = builder.retrofit.callFactory();
    if (!(factory instanceof OkHttpClient)) {
      throw new IllegalArgumentException(
          "the Retrofit's call factory is a "
              + factory.getClass().getName()
              + ", not an OkHttpClient: the transport could not make sure it never follows a"
              + " redirect");
    }
    return (OkHttpClient) factory;
  }

  private static OkHttpClient newClient(
      TransportOptions options, X509TrustManager trustManager, int n) {
    // OkHttp's default dispatcher pool, but with daemon threads: an unclosed transport must not
    // keep the JVM alive.
    ExecutorService executor =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            60,
            TimeUnit.SECONDS,
            new SynchronousQueue<Runnable>(),
            daemonThreads("capreport-retrofit-" + n + "-"));
    Dispatcher dispatcher = new Dispatcher(executor);
    dispatcher.setMaxRequestsPerHost(options.maxConnections());
    dispatcher.setMaxRequests(Math.max(64, options.maxConnections()));
    long requestTimeout = options.requestTimeoutMillis();
    OkHttpClient.Builder b =
        new OkHttpClient.Builder()
            .dispatcher(dispatcher)
            .connectionPool(new ConnectionPool(options.maxConnections(), 5, TimeUnit.MINUTES))
            .connectTimeout(options.connectTimeoutMillis(), TimeUnit.MILLISECONDS)
            .readTimeout(requestTimeout, TimeUnit.MILLISECONDS)
            .writeTimeout(requestTimeout, TimeUnit.MILLISECONDS)
            .callTimeout(requestTimeout, TimeUnit.MILLISECONDS)
            .followRedirects(false)
            .followSslRedirects(false)
            .retryOnConnectionFailure(false)
            .addInterceptor(BoundedBodyInterceptor.INSTANCE);
    SSLContext sslContext = options.sslContext();
    if (sslContext != null || trustManager != null) {
      X509TrustManager tm = trustManager != null ? trustManager : platformTrustManager();
      if (sslContext == null) {
        sslContext = sslContextTrusting(tm);
      }
      b.sslSocketFactory(sslContext.getSocketFactory(), tm);
    }
    return b.build();
  }

  /**
   * The trust manager OkHttp is told about when only an {@link SSLContext} was given, which does
   * not reveal its own. The handshake is verified by the context's socket factory, and host names
   * by OkHttp's verifier, either way; OkHttp uses this trust manager only to clean certificate
   * chains for certificate pinning, which the client the transport builds does not configure.
   */
  private static X509TrustManager platformTrustManager() {
    try {
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init((KeyStore) null);
      for (TrustManager tm : factory.getTrustManagers()) {
        if (tm instanceof X509TrustManager) {
          return (X509TrustManager) tm;
        }
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no platform trust manager", e);
    }
    throw new IllegalStateException("no platform X509TrustManager");
  }

  private static SSLContext sslContextTrusting(X509TrustManager trustManager) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {trustManager}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot make a TLS context", e);
    }
  }

  private static ThreadFactory daemonThreads(final String prefix) {
    final AtomicInteger count = new AtomicInteger();
    return new ThreadFactory() {
      @Override
      public Thread newThread(Runnable runnable) {
        Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      }
    };
  }

  /** Cancels a blocking call once its caller is interrupted, checking every so often. */
  private final class InterruptWatch implements CallWatchdog.Abortable {
    private final Thread caller;
    private final Call<ResponseBody> call;
    private CallWatchdog.Watch watch;
    volatile boolean sawInterrupt;

    InterruptWatch(Thread caller, Call<ResponseBody> call) {
      this.caller = caller;
      this.call = call;
    }

    void start() {
      watch = interruptWatch.watch(this, CallWatchdog.NO_DEADLINE, caller);
    }

    void stop() {
      if (watch != null) {
        watch.stop();
      }
    }

    /**
     * Cancels the call when its caller is interrupted. A close is not a reason: close() cancels the
     * calls of the client it built and leaves a given client's calls alone.
     */
    @Override
    public void abort(CallWatchdog.Reason reason) {
      if (reason == CallWatchdog.Reason.INTERRUPTED) {
        sawInterrupt = true;
        call.cancel();
      }
    }
  }

  /** Collects the outcome for {@link #send}, delivered on the caller's thread. */
  private static final class Waiter implements TransportCallback {
    TransportResponse response;
    IOException failure;

    @Override
    public void onResponse(TransportResponse response) {
      this.response = response;
    }

    @Override
    public void onFailure(IOException failure) {
      this.failure = failure;
    }
  }

  /**
   * Reads the answer on the thread Retrofit calls back on and hands the outcome to the target,
   * exactly once. An outcome that arrives on a thread still inside {@code enqueue} (Retrofit
   * reports a request it cannot build there, OkHttp a shut-down dispatcher) is handed to a new
   * thread, so that {@link #sendAsync} never calls back on its caller.
   */
  private final class AnswerHandler implements Callback<ResponseBody> {
    private final TransportRequest request;
    private final TransportCallback target;
    private final boolean neverOnCaller;
    private final AtomicBoolean delivered = new AtomicBoolean();

    AnswerHandler(TransportRequest request, TransportCallback target, boolean neverOnCaller) {
      this.request = request;
      this.target = target;
      this.neverOnCaller = neverOnCaller;
    }

    @Override
    public void onResponse(Call<ResponseBody> call, Response<ResponseBody> response) {
      // A non-2xx answer's body is in errorBody(), already bounded by BoundedBodyInterceptor.
      ResponseBody body = response.isSuccessful() ? response.body() : response.errorBody();
      TransportResponse decoded = null;
      IOException failure = null;
      try {
        decoded =
            TransportResponse.read(
                response.code(),
                response.headers().get("Retry-After"),
                body == null ? null : body.byteStream(),
                request.maxResponseBytes(),
                parser);
      } catch (Throwable e) {
        failure = failureOf(call, e);
      } finally {
        // After an oversized answer the connection is already dropped: this drains nothing.
        if (body != null) {
          body.close();
        }
      }
      deliver(decoded, failure);
    }

    @Override
    public void onFailure(Call<ResponseBody> call, Throwable error) {
      fail(failureOf(call, error));
    }

    void fail(IOException failure) {
      deliver(null, failure);
    }

    private void deliver(final TransportResponse response, final IOException failure) {
      if (!delivered.compareAndSet(false, true)) {
        return;
      }
      Runnable delivery =
          new Runnable() {
            @Override
            public void run() {
              if (failure != null) {
                target.onFailure(failure);
              } else {
                target.onResponse(response);
              }
            }
          };
      if (neverOnCaller && ENQUEUING.get() != null) {
        Thread thread = new Thread(delivery, "capreport-retrofit-callback");
        thread.setDaemon(true);
        thread.start();
      } else {
        delivery.run();
      }
    }
  }

  /** Configures a {@link RetrofitTransport}; everything is optional. */
  public static final class Builder {
    private TransportOptions options = TransportOptions.builder().build();
    private OkHttpClient okHttpClient;
    private Retrofit retrofit;
    private Moshi moshi;
    private X509TrustManager trustManager;

    private Builder() {}

    /**
     * Timeouts, connection limits and TLS for the client this transport builds. With a given client
     * only the request timeout applies, as the call timeout.
     */
    public Builder options(TransportOptions options) {
      if (options == null) {
        throw new NullPointerException("options == null");
      }
      this.options = options;
      return this;
    }

    /**
     * A client the caller already has and keeps owning. The transport derives its own from it,
     * sharing its dispatcher and pool, that never follows a redirect.
     */
    public Builder okHttpClient(OkHttpClient okHttpClient) {
      this.okHttpClient = okHttpClient;
      return this;
    }

    /**
     * A Retrofit the caller already has: its OkHttpClient is used as by {@link
     * #okHttpClient(OkHttpClient)}. Its converters, call adapters and callback executor are not:
     * the report's JSON is Moshi's.
     */
    public Builder retrofit(Retrofit retrofit) {
      this.retrofit = retrofit;
      return this;
    }

    /** A Moshi the caller already has; the transport adds its two adapters to a copy of it. */
    public Builder moshi(Moshi moshi) {
      this.moshi = moshi;
      return this;
    }

    /**
     * The trust manager behind {@link TransportOptions#sslContext()}, for the client this transport
     * builds. Without it OkHttp is told the platform's default, which it uses only for certificate
     * pinning; given alone, it also makes the TLS context.
     */
    public Builder trustManager(X509TrustManager trustManager) {
      this.trustManager = trustManager;
      return this;
    }

    public RetrofitTransport build() {
      return new RetrofitTransport(this);
    }
  }
}
