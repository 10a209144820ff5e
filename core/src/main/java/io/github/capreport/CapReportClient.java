package io.github.capreport;

import io.github.capreport.internal.BaseUrl;
import io.github.capreport.internal.ClientThreads;
import io.github.capreport.internal.Redactor;
import io.github.capreport.internal.ReportOutcomes;
import io.github.capreport.internal.RequiresAndroidApi;
import io.github.capreport.internal.TransportSelector;
import io.github.capreport.internal.Version;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportProvider;
import io.github.capreport.spi.TransportRequest;
import java.net.URI;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Reports wrong captcha answers to CapMonster Cloud. Thread-safe; build one, share it, close it
 * when done.
 *
 * <pre>{@code
 * try (CapReportClient client = CapReportClient.builder()
 *     .clientKey(System.getenv("CAPMONSTER_CLIENT_KEY"))
 *     .build()) {
 *   client.report(CaptchaKind.RECAPTCHA_V2, taskId);
 * } catch (ReportRefusedException e) {
 *   // the API said no: e.errorCode(), e.isRetryable()
 * }
 * }</pre>
 *
 * <p>Every call ends in a {@link ReportResult} or a {@link CapReportException}. Invalid arguments
 * fail with {@link IllegalArgumentException} before any I/O.
 */
public final class CapReportClient implements AutoCloseable {
  private static final byte[] NO_BODY = new byte[0];

  /** The vendor's API. */
  public static final String DEFAULT_BASE_URL = "https://api.capmonster.cloud";

  private final String clientKey;
  private final String baseUrl;
  private final Transport transport;
  private final boolean ownsTransport;
  private final String userAgent;
  private final ClientThreads threads;
  private final Map<ReportEndpoint, TransportRequest> requests;
  private final ReportExecution execution;
  private final AccountGuard guard;
  private final ReportListener listener;
  final Set<BulkReport> bulks = // not private: a test sees that none is left behind
      Collections.newSetFromMap(new ConcurrentHashMap<BulkReport, Boolean>());
  private final AtomicBoolean closed = new AtomicBoolean();

  // Not private: a private one, called by Builder, costs a synthetic class in the jar.
  @SuppressWarnings("NullAway") // build() refuses a builder without a client key
  CapReportClient(
      Builder builder,
      String baseUrl,
      Transport transport,
      boolean owns,
      ClientThreads threads,
      TransportOptions options) {
    this.clientKey = builder.clientKey;
    this.baseUrl = baseUrl;
    this.transport = transport;
    this.ownsTransport = owns;
    this.threads = threads;
    this.userAgent =
        builder.userAgent != null ? builder.userAgent : defaultUserAgent(transport.id());
    // The URI and headers of every endpoint's requests, built once; a report adds its body.
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("Accept", "application/json");
    headers.put("User-Agent", userAgent);
    this.requests = new EnumMap<>(ReportEndpoint.class);
    for (ReportEndpoint endpoint : ReportEndpoint.values()) {
      requests.put(
          endpoint, new TransportRequest(URI.create(baseUrl + endpoint.path()), endpoint, headers));
    }
    this.guard = builder.guard != null ? builder.guard : AccountGuard.create();
    this.listener = builder.listener;
    guard.register(listener);
    this.execution =
        new ReportExecution(
            transport,
            clientKey,
            // What a proxy on the way did is named only for the client's own transport: a transport
            // of the user's has its own route.
            new ReportOutcomes(new Redactor(clientKey), owns ? options.proxySelector() : null),
            builder.retryPolicy,
            builder.listener,
            guard,
            options.requestTimeoutMillis(),
            options.maxConnections(),
            threads);
  }

  /** A builder; only the client key is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** {@code capreport/<version> (<transport id>)}. */
  public static String defaultUserAgent(String transportId) {
    return "capreport/" + Version.get() + " (" + transportId + ")";
  }

  /**
   * Reports a wrong answer for a task, at the endpoint for its kind of captcha.
   *
   * @throws IllegalArgumentException when {@code taskId <= 0}, before any I/O
   * @throws CapReportException when the report was not accepted
   */
  public ReportResult report(CaptchaKind kind, long taskId) {
    return report(requireNonNull(kind, "kind").endpoint(), taskId);
  }

  /** Reports a wrong image captcha answer: {@code /reportIncorrectImageCaptcha}. */
  public ReportResult reportImage(long taskId) {
    return report(ReportEndpoint.IMAGE_CAPTCHA, taskId);
  }

  /** Reports a token the target site refused: {@code /reportIncorrectTokenCaptcha}. */
  public ReportResult reportToken(long taskId) {
    return report(ReportEndpoint.TOKEN_CAPTCHA, taskId);
  }

  /**
   * Reports a task to the given endpoint, blocking until it is accepted or given up, retrying as
   * the {@link RetryPolicy} allows. An interrupt ends it promptly, with the interrupt status kept.
   *
   * @throws IllegalArgumentException when {@code taskId <= 0}, before any I/O
   * @throws NullPointerException when {@code endpoint} is null
   * @throws IllegalStateException when the client is closed
   * @throws CapReportException when the report was not accepted
   */
  public ReportResult report(ReportEndpoint endpoint, long taskId) {
    return execution.run(newRequest(endpoint, taskId));
  }

  /**
   * Reports a wrong answer without blocking; see {@link #reportAsync(ReportEndpoint, long,
   * ReportCallback)}. Works on Android API 21.
   */
  public ReportCall reportAsync(CaptchaKind kind, long taskId, ReportCallback callback) {
    return reportAsync(requireNonNull(kind, "kind").endpoint(), taskId, callback);
  }

  /**
   * Reports a task without blocking; the callback hears the outcome on one of the client's threads,
   * never on the calling one inside this method. Works on Android API 21.
   *
   * @return the handle that cancels the report: it aborts the exchange in flight and stops retries
   * @throws IllegalArgumentException when {@code taskId <= 0}, before any I/O
   * @throws NullPointerException when {@code endpoint} or {@code callback} is null
   * @throws IllegalStateException when the client is closed
   */
  public ReportCall reportAsync(ReportEndpoint endpoint, long taskId, ReportCallback callback) {
    requireNonNull(callback, "callback");
    return execution.start(newRequest(endpoint, taskId), callback);
  }

  /**
   * Reports a task without blocking. The future completes with the result, or exceptionally with a
   * {@link CapReportException}; cancelling it aborts the exchange in flight and stops retries.
   * Needs {@code CompletableFuture}: Java 8, Android API 24; on older Android use {@link
   * #reportAsync(ReportEndpoint, long, ReportCallback)}.
   *
   * @throws IllegalArgumentException when {@code taskId <= 0}, before any I/O
   * @throws IllegalStateException when the client is closed
   */
  @RequiresAndroidApi(24)
  public CompletableFuture<ReportResult> reportAsync(ReportEndpoint endpoint, long taskId) {
    ReportFuture future = new ReportFuture();
    future.started(reportAsync(endpoint, taskId, future));
    return future;
  }

  /**
   * Reports a task of the given kind without blocking; see {@link #reportAsync(ReportEndpoint,
   * long)}. Android API 24.
   */
  @RequiresAndroidApi(24)
  public CompletableFuture<ReportResult> reportAsync(CaptchaKind kind, long taskId) {
    return reportAsync(requireNonNull(kind, "kind").endpoint(), taskId);
  }

  /**
   * Reports many tasks with at most {@code concurrency} in flight, each with the client's retry
   * policy, and returns at once. Every task ends with one {@link ReportOutcome}; await them with
   * {@link BulkReport#await()}. Any number of tasks: a task's request is made when its turn comes.
   *
   * <pre>{@code
   * List<ReportOutcome> outcomes = client.reportAll(tasks, 16).await();
   * }</pre>
   *
   * @throws IllegalArgumentException when {@code concurrency < 1} or a task is null, before any I/O
   * @throws IllegalStateException when the client is closed
   */
  public BulkReport reportAll(Collection<ReportTask> tasks, int concurrency) {
    return reportAll(tasks, concurrency, null);
  }

  /**
   * As {@link #reportAll(Collection, int)}, with a listener that hears each outcome as it comes.
   *
   * @param progress hears each outcome on the thread that ended the task: one of the client's, or
   *     the one that called {@link BulkReport#cancel()} or {@link #close()}; may be null
   */
  public BulkReport reportAll(
      Collection<ReportTask> tasks, int concurrency, @Nullable BulkProgressListener progress) {
    requireNonNull(tasks, "tasks");
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1, was " + concurrency);
    }
    ReportTask[] taskArray = tasks.toArray(new ReportTask[0]);
    for (int i = 0; i < taskArray.length; i++) {
      if (taskArray[i] == null) {
        throw new IllegalArgumentException("tasks[" + i + "] is null");
      }
    }
    if (closed.get()) {
      throw new IllegalStateException("the client is closed");
    }
    BulkReport bulk = new BulkReport(this, taskArray, progress, bulks);
    if (taskArray.length == 0) {
      return bulk; // done already: nothing for close() to cancel, nothing to forget later
    }
    bulks.add(bulk);
    if (closed.get()) {
      bulk.cancel(); // closed meanwhile: close() may not have seen it
    }
    bulk.start(Math.min(concurrency, taskArray.length));
    return bulk;
  }

  /** A bulk task's report; false when the client closed first. */
  @Nullable ReportCall startForBulk(ReportTask task, ReportCallback callback) {
    if (closed.get()) {
      return null;
    }
    try {
      return execution.start(newRequest(task.endpoint(), task.taskId()), callback);
    } catch (IllegalStateException closedMeanwhile) {
      return null;
    }
  }

  /** The id of the transport in use, e.g. {@code jdk}. */
  public String transportId() {
    return transport.id();
  }

  /** The base URL reports go to, without a trailing slash. */
  public String baseUrl() {
    return baseUrl;
  }

  /** What protects this client's account from the vendor's blocks; see {@link AccountGuard}. */
  public AccountGuard accountGuard() {
    return guard;
  }

  /** The User-Agent every report carries. */
  public String userAgent() {
    return userAgent;
  }

  /**
   * Closes the transport if this client created it; a transport passed to {@link
   * Builder#transport(Transport)} stays open. Idempotent.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      for (BulkReport bulk : bulks) {
        bulk.cancel();
      }
      execution.close();
      guard.unregister(listener);
      if (ownsTransport) {
        transport.close();
      }
      threads.closeLibraryExecutor();
    }
  }

  @Override
  public String toString() {
    return "CapReportClient{baseUrl="
        + new Redactor(clientKey).scrub(baseUrl)
        + ", transport="
        + transport.id()
        + ", clientKey="
        + Redactor.MASK
        + (closed.get() ? ", closed" : "")
        + "}";
  }

  @SuppressWarnings("NullAway") // requests has every endpoint
  private TransportRequest newRequest(ReportEndpoint endpoint, long taskId) {
    requireNonNull(endpoint, "endpoint");
    if (taskId <= 0) {
      throw new IllegalArgumentException("taskId must be a positive task id, was " + taskId);
    }
    if (closed.get()) {
      throw new IllegalStateException("the client is closed");
    }
    // The body is written by the report's first attempt: a binding that cannot write it fails the
    // report as the transport's bug, delivered as every failure is.
    return requests.get(endpoint).withBody(taskId, NO_BODY);
  }

  /** A future whose {@code cancel} reaches the report. */
  // Not private: the constructor of a private class costs a synthetic class in the jar.
  @RequiresAndroidApi(24)
  static final class ReportFuture extends CompletableFuture<ReportResult>
      implements ReportCallback {
    private volatile @Nullable ReportCall call;

    void started(ReportCall call) {
      this.call = call;
      if (isCancelled()) {
        call.cancel();
      }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      ReportCall current = call;
      if (current != null) {
        current.cancel();
      }
      return cancelled;
    }

    @Override
    public void onAccepted(ReportResult result) {
      complete(result);
    }

    @Override
    public void onFailed(CapReportException failure) {
      completeExceptionally(failure);
    }
  }

  // Not private: Builder calls it, which would cost an accessor method.
  static <T> T requireNonNull(@Nullable T value, String name) {
    if (value == null) {
      throw new NullPointerException(name + " == null");
    }
    return value;
  }

  /** Configures a {@link CapReportClient}. Only the client key is required. */
  public static final class Builder {
    // Those CapReportClient reads are not private: a private one would cost an accessor method.
    @Nullable String clientKey;
    private String baseUrl = DEFAULT_BASE_URL;
    private boolean allowPlainHttp;
    private boolean allowPlainHttpThroughProxy;
    private final TransportOptions.Builder options = TransportOptions.builder();
    @Nullable String userAgent;
    private @Nullable Transport transport;
    private @Nullable TransportProvider provider;
    private @Nullable String transportId;
    RetryPolicy retryPolicy = RetryPolicy.defaults();
    ReportListener listener = ReportListener.NONE;
    @Nullable AccountGuard guard;

    Builder() {} // not private: a private one costs a synthetic class in the jar

    /**
     * Which failures are sent again, how often and how late. Defaults to {@link
     * RetryPolicy#defaults()}; {@link RetryPolicy#none()} turns retries off.
     */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    /** Hears every attempt, retry and outcome; see {@link ReportListener}. */
    public Builder listener(ReportListener listener) {
      this.listener = requireNonNull(listener, "listener");
      return this;
    }

    /**
     * What protects the account from the vendor's blocks: the hold after an account-wide refusal,
     * one report per task, the client-wide pace, the retry budget and an optional rate limit. Give
     * the same guard to the builders of every client that uses the same key, so that they share it.
     * Defaults to a new {@link AccountGuard#create()} for each client.
     */
    public Builder accountGuard(AccountGuard guard) {
      this.guard = requireNonNull(guard, "guard");
      return this;
    }

    /** The account's API key. Required; never shown in {@code toString}, messages or logs. */
    public Builder clientKey(String clientKey) {
      this.clientKey = clientKey;
      return this;
    }

    /** Defaults to {@value CapReportClient#DEFAULT_BASE_URL}. May carry a path prefix. */
    public Builder baseUrl(String baseUrl) {
      this.baseUrl = baseUrl;
      return this;
    }

    /**
     * Allows a plain {@code http} base URL to a host that is not loopback, which sends the client
     * key unencrypted. Off by default; loopback addresses never need it.
     */
    public Builder allowPlainHttp(boolean allow) {
      this.allowPlainHttp = allow;
      return this;
    }

    /** Defaults to {@value TransportOptions#DEFAULT_CONNECT_TIMEOUT_MILLIS} ms. */
    public Builder connectTimeout(long amount, TimeUnit unit) {
      options.connectTimeout(amount, unit);
      return this;
    }

    /**
     * The time for one whole report, from sending to the last byte of the answer. Defaults to
     * {@value TransportOptions#DEFAULT_REQUEST_TIMEOUT_MILLIS} ms.
     */
    public Builder requestTimeout(long amount, TimeUnit unit) {
      options.requestTimeout(amount, unit);
      return this;
    }

    /**
     * How many reports may be in flight at once, blocking or not, and the pool size of a created
     * transport. Defaults to 64.
     */
    public Builder maxConnections(int maxConnections) {
      options.maxConnections(maxConnections);
      return this;
    }

    /**
     * Every report through the HTTP proxy at {@code host:port}, for the transport the client
     * creates: https through a {@code CONNECT} tunnel, so that the proxy never sees the key.
     * Without {@code proxy}, {@link #proxySelector} or {@link #noProxy}, the JVM's proxy settings
     * apply ({@code https.proxyHost}, {@code https.proxyPort}, {@code http.nonProxyHosts}: {@link
     * java.net.ProxySelector#getDefault()}), the same on every transport. Set only one of the
     * three; with a transport or HTTP client of your own, set it there.
     */
    public Builder proxy(String host, int port) {
      options.proxy(host, port);
      return this;
    }

    /**
     * Basic credentials for the proxy of {@link #proxy(String, int)}: sent to that proxy alone,
     * when it asks, in the {@code CONNECT} of an https base URL; never to the API host, never in a
     * message.
     */
    public Builder proxyCredentials(String username, String password) {
      options.proxyCredentials(username, password);
      return this;
    }

    /** Lets {@code selector} choose for each report: an HTTP proxy (its first choice) or none. */
    public Builder proxySelector(java.net.ProxySelector selector) {
      options.proxySelector(selector);
      return this;
    }

    /** Every report straight to the API, whatever the JVM's proxy settings say. */
    public Builder noProxy() {
      options.noProxy();
      return this;
    }

    /**
     * Allows a plain {@code http} base URL whose reports go through a proxy, which then sees the
     * client key in every report. Off by default; the base URL must be allowed as plain http too
     * (loopback, or {@link #allowPlainHttp}).
     */
    public Builder allowPlainHttpThroughProxy(boolean allow) {
      this.allowPlainHttpThroughProxy = allow;
      return this;
    }

    /** Replaces the default {@code capreport/<version> (<transport id>)}. */
    public Builder userAgent(String userAgent) {
      // Validated by the same rules the transport options apply.
      TransportOptions.builder().userAgent(userAgent);
      this.userAgent = userAgent;
      return this;
    }

    /** TLS trust and key material for the transport the client creates. */
    public Builder sslContext(javax.net.ssl.SSLContext sslContext) {
      options.sslContext(sslContext);
      return this;
    }

    /**
     * A transport the caller made and owns: the client uses it and never closes it. The connect
     * timeout and TLS then come from that transport, and setting them here fails the build; the
     * request timeout and {@code maxConnections} are the client's and still apply.
     */
    public Builder transport(Transport transport) {
      this.transport = requireNonNull(transport, "transport");
      return this;
    }

    /** The provider to create the transport with, instead of discovery. */
    public Builder transportProvider(TransportProvider provider) {
      this.provider = requireNonNull(provider, "provider");
      return this;
    }

    /**
     * The id of the discovered transport to use ({@code jdk}, {@code apache}, {@code retrofit}).
     * Beats the {@code capreport.transport} system property.
     */
    public Builder transportId(String transportId) {
      this.transportId = requireNonNull(transportId, "transportId");
      return this;
    }

    /**
     * @throws IllegalArgumentException when the key is blank or the base URL is not acceptable, or
     *     would go through a proxy as plain http without {@link #allowPlainHttpThroughProxy}
     * @throws IllegalStateException when no transport can be found, or an option cannot apply
     */
    public CapReportClient build() {
      if (clientKey == null || clientKey.trim().isEmpty()) {
        throw new IllegalArgumentException(
            "clientKey is " + (clientKey == null ? "null" : "blank") + ": it is required");
      }
      for (int i = 0; i < clientKey.length(); i++) {
        char c = clientKey.charAt(i);
        if (c <= ' ' || c > '~') {
          // Every transport then writes the same body: no encoding of an odd character to differ.
          throw new IllegalArgumentException(
              "clientKey must be printable ASCII without spaces (CapMonster's are 32 hex digits);"
                  + " character "
                  + i
                  + " is not");
        }
      }
      if ((transport != null ? 1 : 0) + (provider != null ? 1 : 0) + (transportId != null ? 1 : 0)
          > 1) {
        throw new IllegalStateException(
            "transport(...), transportProvider(...) and transportId(...) each choose the"
                + " transport: set one of them");
      }
      String validatedBaseUrl = BaseUrl.validate(baseUrl, allowPlainHttp);
      ClientThreads threads = new ClientThreads(new Object());
      if (transport != null) {
        TransportOptions own = options.build();
        own.rejectClientSettings("a transport passed to transport(...)");
        return new CapReportClient(this, validatedBaseUrl, transport, false, threads, own);
      }
      TransportProvider chosen = provider;
      if (chosen == null) {
        chosen =
            TransportSelector.select(
                TransportSelector.discover(),
                transportId,
                System.getProperty(TransportSelector.PROPERTY));
      }
      String agent = userAgent != null ? userAgent : defaultUserAgent(chosen.id());
      TransportOptions built = options.userAgent(agent).executor(threads.libraryExecutor()).build();
      BaseUrl.checkRoute(validatedBaseUrl, built, allowPlainHttpThroughProxy);
      Transport created = chosen.create(built);
      return new CapReportClient(this, validatedBaseUrl, created, true, threads, built);
    }
  }
}
