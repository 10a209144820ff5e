package io.github.capreport.transport.jdk;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.capreport.jackson.JacksonEnvelopes;
import io.github.capreport.spi.CallWatchdog;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportCallback;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportRequest;
import io.github.capreport.spi.TransportResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Transport} over {@link java.net.http.HttpClient}, with JSON bound by Jackson.
 *
 * <p>The request timeout bounds the whole report, body included: {@link HttpRequest#timeout} alone
 * stops at the response headers, so the transport also puts a deadline on the body (blocking sends)
 * or on the exchange's future (asynchronous ones). Blocking sends run on the caller's thread;
 * asynchronous ones complete the callback on the transport's own daemon threads, never on a
 * caller's.
 */
public final class JdkTransport implements Transport {
  private static final AtomicInteger TRANSPORTS = new AtomicInteger();

  /**
   * Null once a transport that built its client is closed: before Java 21 an {@code HttpClient}
   * cannot be shut down, and only letting go of it lets its selector thread notice, close the
   * pooled connections and end.
   */
  private volatile HttpClient client;

  private final boolean ownsClient;
  private final JacksonEnvelopes json;
  private final ExecutorService executor;
  private final Executor callbacks = this::runCallback;
  private final Duration requestTimeout;

  /**
   * Ends bodies and asynchronous reports at their deadline. Never closed: reports still in flight
   * after {@link #close()} end by their request timeout; its thread ends a second after the last.
   */
  private final CallWatchdog watchdog;

  private JdkTransport(Builder builder) {
    TransportOptions options = builder.options;
    int n = TRANSPORTS.incrementAndGet();
    this.executor = Executors.newCachedThreadPool(daemonThreads("capreport-jdk-" + n + "-"));
    this.watchdog =
        new CallWatchdog(
            daemonThreads("capreport-jdk-" + n + "-watchdog-"), CallWatchdog.DEFAULT_PERIOD_MILLIS);
    this.requestTimeout = Duration.ofMillis(options.requestTimeoutMillis());
    this.json = new JacksonEnvelopes(builder.mapper);
    if (builder.client != null) {
      if (builder.client.followRedirects() != HttpClient.Redirect.NEVER) {
        throw new IllegalArgumentException(
            "the HttpClient follows redirects ("
                + builder.client.followRedirects()
                + "); a redirected report could carry the client key to another host. Build it"
                + " with followRedirects(HttpClient.Redirect.NEVER).");
      }
      this.client = builder.client;
      this.ownsClient = false;
    } else {
      HttpClient.Builder b =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofMillis(options.connectTimeoutMillis()))
              .followRedirects(HttpClient.Redirect.NEVER)
              // Not the pool itself: after close() a blocking send still in flight needs the
              // client's tasks to run, so that its request timeout can end it.
              .executor(callbacks);
      if (options.sslContext() != null) {
        b.sslContext(options.sslContext());
      }
      this.client = b.build();
      this.ownsClient = true;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String id() {
    return JdkTransportProvider.ID;
  }

  /**
   * Sends on the calling thread with {@link HttpClient#send}. Not {@code sendAsync} and a wait: the
   * JDK's public {@code sendAsync} hands every completed exchange to {@code CompletableFuture}'s
   * default executor, which on a machine with fewer than three CPUs starts a new thread for each
   * report. The request timeout bounds the headers through {@link HttpRequest#timeout} and the body
   * through the body handler's deadline.
   */
  @Override
  public TransportResponse send(TransportRequest request) throws IOException {
    long deadlineNanos = System.nanoTime() + requestTimeout.toNanos();
    HttpRequest httpRequest = toHttpRequest(request);
    HttpResponse<byte[]> response;
    try {
      response =
          openClient()
              .send(
                  httpRequest,
                  new BoundedBodyHandler(request.maxResponseBytes() + 1, deadlineNanos, watchdog));
    } catch (InterruptedException e) {
      // HttpClient.send cancels the exchange when it is interrupted (Java 16 and later).
      Thread.currentThread().interrupt();
      InterruptedIOException interrupted = new InterruptedIOException("interrupted");
      interrupted.initCause(e);
      throw interrupted;
    } catch (IOException e) {
      throw asIoException(e);
    }
    return toTransportResponse(request, response);
  }

  @Override
  public void sendAsync(TransportRequest request, TransportCallback callback) {
    long deadlineNanos = System.nanoTime() + requestTimeout.toNanos();
    CompletableFuture<HttpResponse<byte[]>> exchange;
    try {
      exchange =
          openClient()
              .sendAsync(
                  toHttpRequest(request),
                  new BoundedBodyHandler(
                      request.maxResponseBytes() + 1, BoundedBodyHandler.NO_DEADLINE, watchdog));
    } catch (IOException | RuntimeException e) {
      IOException failure = asIoException(e);
      callbacks.execute(() -> callback.onFailure(failure));
      return;
    }
    // Cancel the exchange itself at the deadline: orTimeout would only complete a dependent
    // future and leave the exchange, and its connection, open until the server answers.
    // Not a delayed task per report either: it would hold the answer for the whole timeout.
    AtomicBoolean timedOut = new AtomicBoolean();
    CallWatchdog.Watch watch =
        watchdog.watch(
            reason -> {
              if (!exchange.isDone() && timedOut.compareAndSet(false, true)) {
                exchange.cancel(true);
              }
            },
            deadlineNanos,
            null);
    exchange.whenCompleteAsync(
        (response, error) -> {
          watch.stop();
          if (error != null) {
            callback.onFailure(timedOut.get() ? timeout() : asIoException(error));
            return;
          }
          TransportResponse decoded;
          try {
            decoded = toTransportResponse(request, response);
          } catch (IOException e) {
            callback.onFailure(e);
            return;
          }
          callback.onResponse(decoded);
        },
        callbacks);
  }

  /** Stops the threads this transport made; a client the user passed in is left alone. */
  @Override
  public void close() {
    // Not shutdownNow: a callback already running must finish undisturbed; idle threads end now.
    executor.shutdown();
    if (ownsClient) {
      HttpClient owned = client;
      client = null;
      if (owned != null) {
        shutdownIfSupported(owned);
      }
    }
  }

  private HttpClient openClient() throws IOException {
    HttpClient open = client;
    if (open == null) {
      throw new IOException("the transport is closed");
    }
    return open;
  }

  /**
   * Runs a callback, or a task of the HttpClient this transport built, on the transport's threads.
   * Once {@link #close()} has shut them down, reports still in flight end by their request timeout,
   * and their tasks and callbacks get a thread of their own: every report must end, every callback
   * must be called, and never on the thread that called {@link #sendAsync}.
   */
  private void runCallback(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException closed) {
      Thread thread = new Thread(task, "capreport-jdk-closed");
      thread.setDaemon(true);
      thread.start();
    }
  }

  @Override
  public String toString() {
    return "JdkTransport{ownsClient=" + ownsClient + ", requestTimeout=" + requestTimeout + "}";
  }

  private HttpRequest toHttpRequest(TransportRequest request) throws IOException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(request.uri())
            .timeout(requestTimeout)
            .POST(HttpRequest.BodyPublishers.ofByteArray(JacksonEnvelopes.body(request)));
    if ("http".equalsIgnoreCase(request.uri().getScheme())) {
      // Over plain http the client would ask every report to upgrade to h2c, which servers
      // ignore; HTTP/2 still comes through ALPN over https.
      b.version(HttpClient.Version.HTTP_1_1);
    }
    for (Map.Entry<String, String> header : request.headers().entrySet()) {
      b.setHeader(header.getKey(), header.getValue());
    }
    return b.build();
  }

  private TransportResponse toTransportResponse(
      TransportRequest request, HttpResponse<byte[]> response) throws IOException {
    // allValues, not firstValue: the same case-insensitive lookup without a stream per report.
    List<String> retryAfter = response.headers().allValues("Retry-After");
    return TransportResponse.read(
        response.statusCode(),
        retryAfter.isEmpty() ? null : retryAfter.get(0),
        new ByteArrayInputStream(response.body()),
        request.maxResponseBytes(),
        json);
  }

  private SocketTimeoutException timeout() {
    return new SocketTimeoutException(
        "no complete answer within the request timeout of " + requestTimeout.toMillis() + " ms");
  }

  /** Translates java.net.http's failures into the SPI's vocabulary. */
  private IOException asIoException(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof TimeoutException || e.getCause() instanceof TimeoutException) {
      // The body's deadline; HttpClient.send wraps it in an IOException.
      return timeout();
    }
    if (e instanceof HttpConnectTimeoutException) {
      SocketTimeoutException timeout = new SocketTimeoutException("connect timed out");
      timeout.initCause(e);
      return timeout;
    }
    if (e instanceof HttpTimeoutException) {
      SocketTimeoutException timeout = timeout();
      timeout.initCause(e);
      return timeout;
    }
    if (e instanceof ConnectException && e.getMessage() == null) {
      // The JDK often throws a message-less ConnectException; say what it was.
      ConnectException connect = new ConnectException("connection refused or unreachable");
      connect.initCause(e);
      return connect;
    }
    if (e instanceof IOException) {
      return (IOException) e;
    }
    if (e instanceof CancellationException) {
      return new IOException("the exchange was cancelled", e);
    }
    return new IOException(e.getClass().getName() + ": " + e.getMessage(), e);
  }

  /**
   * {@code HttpClient.shutdownNow()} exists from Java 21; earlier clients die with their threads.
   */
  private static void shutdownIfSupported(HttpClient client) {
    try {
      HttpClient.class.getMethod("shutdownNow").invoke(client);
    } catch (ReflectiveOperationException | RuntimeException notOnThisJava) {
      // The executor is already shut down, and the transport has let go of the client: its
      // selector thread closes the connections and ends once the client is collected.
    }
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Configures a {@link JdkTransport}; everything is optional. */
  public static final class Builder {
    private TransportOptions options = TransportOptions.builder().build();
    private HttpClient client;
    private ObjectMapper mapper;

    private Builder() {}

    /**
     * Timeouts and TLS for the client this transport builds; the request timeout always applies.
     */
    public Builder options(TransportOptions options) {
      if (options == null) {
        throw new NullPointerException("options == null");
      }
      this.options = options;
      return this;
    }

    /**
     * A client the caller already has and keeps owning. It must not follow redirects: a redirected
     * report could carry the client key to another host.
     */
    public Builder httpClient(HttpClient client) {
      this.client = client;
      return this;
    }

    /** A mapper the caller already has; unknown JSON fields are ignored whatever its settings. */
    public Builder objectMapper(ObjectMapper mapper) {
      this.mapper = mapper;
      return this;
    }

    public JdkTransport build() {
      return new JdkTransport(this);
    }
  }
}
