package io.github.capreport.transport.apache;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.capreport.jackson.JacksonEnvelopes;
import io.github.capreport.spi.CallWatchdog;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportCallback;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportRequest;
import io.github.capreport.spi.TransportResponse;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.Configurable;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.routing.RoutingSupport;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * A {@link Transport} over Apache HttpClient 5's classic (blocking) API, with JSON bound by
 * Jackson.
 *
 * <p><b>Asynchronous sends run the classic call on a bounded executor</b>, not on {@code
 * CloseableHttpAsyncClient}. Why:
 *
 * <ul>
 *   <li>The SPI reads the answer with {@link TransportResponse#read} from an {@link InputStream},
 *       which is what the classic client hands out: the body is read up to the limit and the
 *       connection is dropped, not drained, past it. The async client would need a bounded entity
 *       consumer of our own and a copy into a stream: a second code path with its own bugs.
 *   <li>One code path serves {@code send} and {@code sendAsync}, so they time out, map failures and
 *       bound the body identically; users configure one client type, {@code CloseableHttpClient}.
 *   <li>Threads stay bounded and visible: at most {@link TransportOptions#maxConnections()} worker
 *       threads (the pool size, so no worker waits for a connection another worker holds), plus one
 *       watchdog thread, all daemons named {@code capreport-apache-N-...} that end when idle and on
 *       {@link #close()}. The async client would add its own I/O reactor threads and still need
 *       ours, since callbacks must not run on the reactor.
 *   <li>Close is simple: queued reports fail with "closed", running ones are aborted, and a client
 *       the user passed in is left open.
 *   <li>It compiles for Java 8 with nothing beyond httpclient5.
 * </ul>
 *
 * The cost is one thread per report in flight, which the pool bounds anyway. {@code sendAsync} only
 * enqueues (the queue is unbounded), so a caller's thread never blocks.
 *
 * <p><b>The request timeout bounds the whole report</b>, from the call to the last byte of the
 * answer, including the wait for a pooled connection: the classic client's timeouts are per socket
 * read, so a {@link CallWatchdog} aborts the exchange when the deadline passes (noticed within
 * {@value #WATCHDOG_PERIOD_MILLIS} ms). Asynchronous reports count from {@code sendAsync}, time in
 * the queue included. Socket reads of the classic client do not notice an interrupt either, so a
 * blocking send also aborts the exchange when its caller is interrupted, noticed by the same
 * watchdog.
 *
 * <p>Redirects are never followed and nothing is retried here (core owns retries). A client passed
 * to {@link Builder#httpClient} keeps its own settings, except that each report carries a request
 * config with redirects and content compression turned off.
 */
public final class ApacheTransport implements Transport {
  /** How often exchanges are checked for a passed deadline or an interrupted caller. */
  static final long WATCHDOG_PERIOD_MILLIS = CallWatchdog.DEFAULT_PERIOD_MILLIS;

  /** How long {@link #close()} waits for the transport's threads to end. */
  private static final long CLOSE_WAIT_MILLIS = 2_000;

  private static final AtomicInteger TRANSPORTS = new AtomicInteger();

  private final String threadPrefix;
  private final CloseableHttpClient client;
  private final boolean ownsClient;
  private final RequestConfig requestConfig;
  private final JacksonEnvelopes json;
  private final long requestTimeoutMillis;
  private final int maxConnections;
  private final ThreadPoolExecutor workers;
  private final CallWatchdog watchdog;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ApacheTransport(Builder builder) {
    TransportOptions options = builder.options;
    this.threadPrefix = "capreport-apache-" + TRANSPORTS.incrementAndGet();
    this.requestTimeoutMillis = options.requestTimeoutMillis();
    this.maxConnections = options.maxConnections();
    this.json = new JacksonEnvelopes(builder.mapper);
    if (builder.client != null) {
      this.client = builder.client;
      this.ownsClient = false;
      RequestConfig base =
          client instanceof Configurable ? ((Configurable) client).getConfig() : null;
      this.requestConfig =
          (base != null ? RequestConfig.copy(base) : RequestConfig.custom())
              .setRedirectsEnabled(false)
              .setContentCompressionEnabled(false)
              .build();
    } else {
      this.requestConfig = ownRequestConfig(options);
      this.client = newClient(options, requestConfig);
      this.ownsClient = true;
    }
    this.workers =
        new ThreadPoolExecutor(
            maxConnections,
            maxConnections,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<Runnable>(),
            new Threads(this, threadPrefix + "-worker-"));
    workers.allowCoreThreadTimeOut(true);
    this.watchdog =
        new CallWatchdog(new Threads(this, threadPrefix + "-watchdog-"), WATCHDOG_PERIOD_MILLIS);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String id() {
    return ApacheTransportProvider.ID;
  }

  @Override
  public TransportResponse send(TransportRequest request) throws IOException {
    if (request == null) {
      throw new NullPointerException("request == null");
    }
    if (Thread.currentThread().isInterrupted()) {
      throw interrupted(null);
    }
    return execute(request, deadlineFromNow(), true);
  }

  /**
   * Enqueues the report for a worker thread; the callback runs there. A null callback is a
   * programming error and throws {@link NullPointerException}; everything else reaches the
   * callback.
   */
  @Override
  public void sendAsync(TransportRequest request, TransportCallback callback) {
    if (callback == null) {
      throw new NullPointerException("callback == null");
    }
    AsyncReport report = new AsyncReport(request, callback, deadlineFromNow());
    if (request == null) {
      report.failElsewhere(new IOException("request == null"));
      return;
    }
    if (closed.get()) {
      report.failElsewhere(closedFailure(null));
      return;
    }
    try {
      workers.execute(report);
    } catch (RejectedExecutionException e) {
      // Only a shut-down executor rejects: the queue is unbounded.
      report.failElsewhere(closedFailure(e));
    }
  }

  /**
   * Fails queued reports, aborts running ones, stops the transport's threads (waiting up to two
   * seconds for them) and closes the client if this transport built it. A client given to {@link
   * Builder#httpClient} stays open. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    watchdog.close(); // aborts the exchanges in flight
    List<Runnable> queued = workers.shutdownNow();
    for (Runnable runnable : queued) {
      ((AsyncReport) runnable).finish(null, closedFailure(null));
    }
    if (ownsClient) {
      client.close(CloseMode.IMMEDIATE);
    }
    Thread current = Thread.currentThread();
    if (current instanceof OwnedThread && ((OwnedThread) current).owner == this) {
      return; // closed from a callback: waiting for our own thread would only time out
    }
    try {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
      workers.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
      watchdog.close(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "ApacheTransport{threads="
        + threadPrefix
        + ", ownsClient="
        + ownsClient
        + ", requestTimeoutMillis="
        + requestTimeoutMillis
        + ", maxConnections="
        + maxConnections
        + (closed.get() ? ", closed" : "")
        + "}";
  }

  private long deadlineFromNow() {
    return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(requestTimeoutMillis);
  }

  /** One report on the current thread, bounded by {@code deadlineNanos}. */
  private TransportResponse execute(
      TransportRequest request, long deadlineNanos, boolean watchInterrupts) throws IOException {
    long remaining = deadlineNanos - System.nanoTime();
    if (remaining <= 0) {
      throw timeout(null);
    }
    HttpPost post = newPost(request);
    Exchange exchange = new Exchange(post);
    CallWatchdog.Watch watch =
        watchdog.watch(exchange, deadlineNanos, watchInterrupts ? Thread.currentThread() : null);
    try {
      // Watched first, then checked: close() either aborts this exchange or we see closed.
      if (closed.get()) {
        throw closedFailure(null);
      }
      return exchange(exchange, request);
    } catch (IOException | RuntimeException e) {
      throw translate(exchange, e);
    } finally {
      exchange.complete();
      watch.stop();
    }
  }

  private TransportResponse exchange(Exchange exchange, TransportRequest request)
      throws IOException {
    HttpHost target;
    try {
      target = RoutingSupport.determineHost(exchange.post);
    } catch (HttpException e) {
      throw new IOException("cannot route to " + request.uri() + ": " + e.getMessage(), e);
    }
    ClassicHttpResponse response =
        client.executeOpen(target, exchange.post, HttpClientContext.create());
    boolean drop = true;
    try {
      HttpEntity entity = response.getEntity();
      EndAwareStream body = entity == null ? null : new EndAwareStream(entity.getContent());
      Header retryAfter = response.getFirstHeader("Retry-After");
      TransportResponse answer =
          TransportResponse.read(
              response.getCode(),
              retryAfter == null ? null : retryAfter.getValue(),
              body,
              request.maxResponseBytes(),
              json);
      if (!exchange.complete()) {
        // Aborted while reading: what was read may be cut short. The caller maps the abort.
        throw new IOException("the exchange was aborted");
      }
      // Past the limit the rest is unread: drop the connection rather than drain it.
      drop = body != null && !body.ended;
      return answer;
    } finally {
      if (drop) {
        exchange.post.cancel();
      }
      try {
        response.close();
      } catch (IOException | RuntimeException ignored) {
        // The answer is read (or the exchange failed for a reason already being reported).
      }
    }
  }

  private HttpPost newPost(TransportRequest request) throws IOException {
    HttpPost post = new HttpPost(request.uri());
    for (Map.Entry<String, String> header : request.headers().entrySet()) {
      post.setHeader(header.getKey(), header.getValue());
    }
    // No content type on the entity: the Content-Type header comes from the request's headers.
    // Not repeatable: HttpClient's retry and authentication steps resend a request on their own
    // (the default retry strategy on 429 and 503) only when its entity can be sent again, and no
    // request may leave that core did not count as an attempt.
    byte[] body = JacksonEnvelopes.body(request);
    post.setEntity(new InputStreamEntity(new ByteArrayInputStream(body), body.length, null));
    post.setConfig(requestConfig);
    return post;
  }

  /** Translates a failure into the SPI's vocabulary; the abort reason, if any, decides. */
  private IOException translate(Exchange exchange, Exception e) {
    Abort abort = exchange.abort.get();
    if (abort == Abort.DEADLINE) {
      return timeout(e);
    }
    if (abort == Abort.INTERRUPTED) {
      Thread.currentThread().interrupt();
      return interrupted(e);
    }
    if (abort == Abort.CLOSED || (e instanceof RuntimeException && closed.get())) {
      return closedFailure(e);
    }
    if (e instanceof ConnectionRequestTimeoutException) {
      // httpcore makes it an InterruptedIOException; it is a timeout: the pool stayed full.
      SocketTimeoutException timeout =
          new SocketTimeoutException("no pooled connection became free in time");
      timeout.initCause(e);
      return timeout;
    }
    if (e instanceof SocketTimeoutException) {
      // Includes httpclient's ConnectTimeoutException.
      return (SocketTimeoutException) e;
    }
    if (e instanceof InterruptedIOException) {
      if (Thread.currentThread().isInterrupted()) {
        return (InterruptedIOException) e;
      }
      // Aborted, but not by an interrupt of this thread: not an interrupt to report.
      return new IOException("the exchange was aborted: " + e.getMessage(), e);
    }
    if (e instanceof IOException) {
      // HttpHostConnectException already is a ConnectException.
      return (IOException) e;
    }
    return new IOException(
        "Apache HttpClient failed: " + e.getClass().getName() + ": " + e.getMessage(), e);
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

  private static InterruptedIOException interrupted(Throwable cause) {
    InterruptedIOException interrupted = new InterruptedIOException("interrupted");
    if (cause != null) {
      interrupted.initCause(cause);
    }
    return interrupted;
  }

  private static IOException closedFailure(Throwable cause) {
    return new IOException("the transport is closed", cause);
  }

  private static RequestConfig ownRequestConfig(TransportOptions options) {
    Timeout requestTimeout = Timeout.ofMilliseconds(options.requestTimeoutMillis());
    return RequestConfig.custom()
        .setConnectionRequestTimeout(requestTimeout)
        .setResponseTimeout(requestTimeout)
        .setRedirectsEnabled(false)
        .setContentCompressionEnabled(false)
        .setExpectContinueEnabled(false)
        .build();
  }

  private static CloseableHttpClient newClient(TransportOptions options, RequestConfig config) {
    Timeout connectTimeout = Timeout.ofMilliseconds(options.connectTimeoutMillis());
    PoolingHttpClientConnectionManagerBuilder pool =
        PoolingHttpClientConnectionManagerBuilder.create()
            .setMaxConnTotal(options.maxConnections())
            .setMaxConnPerRoute(options.maxConnections())
            .setDefaultConnectionConfig(
                ConnectionConfig.custom()
                    .setConnectTimeout(connectTimeout)
                    .setSocketTimeout(Timeout.ofMilliseconds(options.requestTimeoutMillis()))
                    // A pooled connection idle this long is checked before reuse: without
                    // automatic retries, a connection the server closed would fail a report.
                    .setValidateAfterInactivity(1, TimeUnit.SECONDS)
                    .build())
            .setDefaultTlsConfig(TlsConfig.custom().setHandshakeTimeout(connectTimeout).build());
    SSLContext sslContext = options.sslContext();
    if (sslContext != null) {
      // Hostname verification stays on: only the trust and key material change.
      pool.setTlsSocketStrategy(
          ClientTlsStrategyBuilder.create().setSslContext(sslContext).buildClassic());
    }
    return HttpClientBuilder.create()
        .setConnectionManager(pool.build())
        .setDefaultRequestConfig(config)
        .setUserAgent(options.userAgent())
        .disableRedirectHandling()
        .disableAutomaticRetries()
        .disableCookieManagement()
        .disableContentCompression()
        .disableAuthCaching()
        .build();
  }

  private enum Abort {
    DEADLINE,
    INTERRUPTED,
    CLOSED,
    /** Not an abort: the answer was read before anything aborted the exchange. */
    COMPLETED
  }

  /** One exchange in flight, and why it was aborted, if it was. */
  private static final class Exchange implements CallWatchdog.Abortable {
    final HttpPost post;
    final AtomicReference<Abort> abort = new AtomicReference<>();

    Exchange(HttpPost post) {
      this.post = post;
    }

    @Override
    public void abort(CallWatchdog.Reason reason) {
      abort(
          reason == CallWatchdog.Reason.DEADLINE
              ? Abort.DEADLINE
              : reason == CallWatchdog.Reason.INTERRUPTED ? Abort.INTERRUPTED : Abort.CLOSED);
    }

    /** Aborts the exchange, closing its connection, unless it already ended or was aborted. */
    void abort(Abort why) {
      if (abort.compareAndSet(null, why)) {
        post.cancel();
      }
    }

    /** Marks the answer as read; false when an abort came first. */
    boolean complete() {
      return abort.compareAndSet(null, Abort.COMPLETED) || abort.get() == Abort.COMPLETED;
    }
  }

  /** A report queued by {@link #sendAsync}; its callback is called exactly once. */
  private final class AsyncReport implements Runnable {
    private final TransportRequest request;
    private final TransportCallback callback;
    private final long deadlineNanos;
    private final AtomicBoolean finished = new AtomicBoolean();

    AsyncReport(TransportRequest request, TransportCallback callback, long deadlineNanos) {
      this.request = request;
      this.callback = callback;
      this.deadlineNanos = deadlineNanos;
    }

    @Override
    public void run() {
      TransportResponse answer;
      try {
        answer = execute(request, deadlineNanos, false);
      } catch (IOException e) {
        finish(null, e);
        return;
      } catch (RuntimeException e) {
        finish(null, new IOException("the report failed unexpectedly: " + e, e));
        return;
      }
      finish(answer, null);
    }

    /** Fails the report on a new thread: for when the workers cannot take it. */
    void failElsewhere(final IOException failure) {
      Thread thread =
          new OwnedThread(
              ApacheTransport.this,
              threadPrefix + "-closed",
              new Runnable() {
                @Override
                public void run() {
                  finish(null, failure);
                }
              });
      thread.start();
    }

    void finish(TransportResponse answer, IOException failure) {
      if (!finished.compareAndSet(false, true)) {
        return;
      }
      try {
        if (failure != null) {
          callback.onFailure(failure);
        } else {
          callback.onResponse(answer);
        }
      } catch (RuntimeException e) {
        // A throwing callback must not kill the worker, nor be called a second time.
        Thread current = Thread.currentThread();
        Thread.UncaughtExceptionHandler handler = current.getUncaughtExceptionHandler();
        if (handler != null) {
          handler.uncaughtException(current, e);
        }
      }
    }
  }

  /** Knows whether the stream reached its end, so that an unread rest is dropped, not drained. */
  private static final class EndAwareStream extends FilterInputStream {
    volatile boolean ended;

    EndAwareStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b < 0) {
        ended = true;
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n < 0) {
        ended = true;
      }
      return n;
    }
  }

  /** A daemon thread that knows which transport made it. */
  private static final class OwnedThread extends Thread {
    final ApacheTransport owner;

    OwnedThread(ApacheTransport owner, String name, Runnable runnable) {
      super(runnable, name);
      this.owner = owner;
      setDaemon(true);
    }
  }

  private static final class Threads implements ThreadFactory {
    private final ApacheTransport owner;
    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();

    Threads(ApacheTransport owner, String prefix) {
      this.owner = owner;
      this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable runnable) {
      return new OwnedThread(owner, prefix + count.incrementAndGet(), runnable);
    }
  }

  /** Configures an {@link ApacheTransport}; everything is optional. */
  public static final class Builder {
    private TransportOptions options = TransportOptions.builder().build();
    private CloseableHttpClient client;
    private ObjectMapper mapper;

    private Builder() {}

    /**
     * Timeouts, pool size, User-Agent and TLS for the client this transport builds. With a client
     * of your own, only the request timeout (the deadline for a whole report) and {@code
     * maxConnections} (the number of worker threads for asynchronous reports) apply.
     */
    public Builder options(TransportOptions options) {
      if (options == null) {
        throw new NullPointerException("options == null");
      }
      this.options = options;
      return this;
    }

    /**
     * A client the caller already has and keeps owning: the transport never closes it. Its settings
     * (timeouts, proxy, TLS) stay in force, but each report turns redirects off, since a redirected
     * report could carry the client key to another host. Build it with {@code
     * disableAutomaticRetries()}: capreport retries on its own, and the default retry strategy
     * would resend a report answered with 429 or 503.
     */
    public Builder httpClient(CloseableHttpClient client) {
      this.client = client;
      return this;
    }

    /**
     * A mapper the caller already has, used to read answers; unknown JSON fields are ignored
     * whatever its settings. The request body is written independently of it, so that no mapper
     * setting changes its shape.
     */
    public Builder objectMapper(ObjectMapper mapper) {
      this.mapper = mapper;
      return this;
    }

    public ApacheTransport build() {
      return new ApacheTransport(this);
    }
  }
}
