package io.github.capreport.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * A local stand-in for the CapMonster Cloud report endpoints, for tests. It listens on {@code
 * 127.0.0.1} on a free port, answers the four {@code POST /reportIncorrect...} paths as the API
 * does, records every request, and can be told to misbehave for the next requests.
 *
 * <pre>{@code
 * try (CapMonsterEmulator emulator =
 *         CapMonsterEmulator.builder().clientKey("test-key").taskIds(7654321).start();
 *     CapReportClient client =
 *         CapReportClient.builder().clientKey("test-key").baseUrl(emulator.baseUrl()).build()) {
 *   client.reportImage(7654321);
 *   assertEquals(1, emulator.count(7654321));
 *
 *   emulator.nextRequest().respond(502, "text/html", "<html>Bad gateway</html>");
 *   assertThrows(UnexpectedResponseException.class, () -> client.reportImage(7654321));
 * }
 * }</pre>
 *
 * <p>Answers, all with {@code Content-Type: application/json} unless said otherwise:
 *
 * <ul>
 *   <li>known key and task: 200 {@code {"errorId":0,"status":"success"}};
 *   <li>unknown key: 200 {@code {"errorId":1,"errorCode":"ERROR_KEY_DOES_NOT_EXIST"}}; the key is
 *       checked before the task;
 *   <li>unknown task: 200 {@code {"errorId":1,"errorCode":"ERROR_NO_SUCH_CAPCHA_ID"}} ({@code
 *       errorId} 1, as in the vendor's page);
 *   <li>a body that is not the API's JSON (not one flat JSON object, {@code clientKey} not a
 *       string, {@code taskId} not an integer number, a string included) or a Content-Type that is
 *       not {@code application/json}: <b>400</b> {@code
 *       {"errorId":1,"errorCode":"ERROR_TASK_ABSENT","errorDescription":"..."}}. The vendor does
 *       not document this case; 400 makes a transport that sends a bad body fail loudly;
 *   <li>another path: 404, {@code text/plain}; another method on a report path: 405 with {@code
 *       Allow: POST}.
 * </ul>
 *
 * <p>Refusals come with HTTP 200, as the vendor's do. The emulator is thread-safe and answers many
 * clients at once; {@link #close()} stops it at once, dropping requests that are still held.
 *
 * <p>Given a {@link VendorPolicy} ({@link Builder#vendorPolicy}), it also enforces the vendor's
 * rules, on a {@link Builder#clock clock} the test can move, so that a test proves its code does
 * not get its users blocked:
 *
 * <pre>{@code
 * ManualClock clock = new ManualClock();
 * CapMonsterEmulator emulator = CapMonsterEmulator.builder().clientKey("test-key").taskIds(42)
 *     .vendorPolicy(VendorPolicy.capMonster()).clock(clock).start();
 * // ... run the code under test ...
 * assertEquals(0, emulator.blocksTripped());
 * assertEquals(0, emulator.count(PolicyVerdict.ALREADY_REPORTED));
 * }</pre>
 */
public final class CapMonsterEmulator implements AutoCloseable {
  /** Longest time a "never answer" request is held when nobody resets or closes the emulator. */
  static final long DEFAULT_HOLD_MILLIS = 60_000;

  private static final Set<String> REPORT_PATHS =
      Collections.unmodifiableSet(
          new HashSet<>(
              Arrays.asList(
                  "/reportIncorrectImageCaptcha",
                  "/reportIncorrectTokenCaptcha",
                  "/reportIncorrectRecaptcha",
                  "/reportIncorrectHcaptcha")));

  private static final String NO_SUCH_CAPCHA_ID =
      "{\"errorId\":1,\"errorCode\":\"ERROR_NO_SUCH_CAPCHA_ID\"}";

  /** A request body larger than this is not a report; reading stops there. */
  private static final int MAX_REQUEST_BYTES = 1024 * 1024;

  private static final AtomicInteger INSTANCES = new AtomicInteger();

  /** The JDK's HttpServer reads this once, when its first server starts; it defaults to false. */
  private static final String NO_DELAY = "sun.net.httpserver.nodelay";

  static {
    // The JDK's HttpServer writes an answer's headers and its body apart. Without TCP_NODELAY on
    // its sockets, Nagle's algorithm holds the body back until the client acknowledges the
    // headers, and a client delays that acknowledgement by up to 40 ms: every answer would take
    // that long, and a test of many reports would wait on it, not on the code it tests. A value
    // the user set is kept.
    try {
      if (System.getProperty(NO_DELAY) == null) {
        System.setProperty(NO_DELAY, "true");
      }
    } catch (SecurityException notAllowed) {
      // Then answers are slower, not different.
    }
  }

  private final Builder baseline;
  private final HttpServer server;
  private final ConnectionCountingProxy proxy;
  private final ExecutorService executor;
  private final String baseUrl;

  private final Set<String> clientKeys = ConcurrentHashMap.newKeySet();

  /** Each known task and when the emulator learnt it, in milliseconds of {@link #clock}. */
  private final Map<Long, Long> taskIds = new ConcurrentHashMap<>();

  private volatile boolean acceptAnyTaskId;
  private volatile long acceptAnyTaskIdSince;
  private final Clock clock;
  private volatile VendorRules rules;

  private final List<RecordedRequest> requests = new ArrayList<>();
  private final Set<InetSocketAddress> connections = ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedQueue<Answer> misbehaviours = new ConcurrentLinkedQueue<>();
  private volatile FaultPlan faults;
  private final AtomicLong faultsInjected = new AtomicLong();
  private final CountDownLatch closing = new CountDownLatch(1);
  private volatile CountDownLatch release = new CountDownLatch(1);

  private CapMonsterEmulator(Builder builder) throws IOException {
    this.baseline = builder.copy();
    this.clock = builder.clock;
    restoreBaseline();
    final String prefix = "capmonster-emulator-" + INSTANCES.incrementAndGet() + "-";
    final AtomicInteger threads = new AtomicInteger();
    // Cached, so that held requests and dozens of concurrent clients never wait for a thread.
    this.executor =
        Executors.newCachedThreadPool(
            new ThreadFactory() {
              @Override
              public Thread newThread(Runnable runnable) {
                Thread thread = new Thread(runnable, prefix + threads.incrementAndGet());
                thread.setDaemon(true);
                return thread;
              }
            });
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0);
    if (builder.sslContext != null) {
      HttpsServer https = HttpsServer.create(loopback, 512);
      https.setHttpsConfigurator(new HttpsConfigurator(builder.sslContext));
      this.server = https;
    } else {
      this.server = HttpServer.create(loopback, 512);
    }
    server.setExecutor(executor);
    server.createContext(
        "/",
        new HttpHandler() {
          @Override
          public void handle(HttpExchange exchange) {
            CapMonsterEmulator.this.handle(exchange);
          }
        });
    server.start();
    // Clients connect to the relay, which counts the connections it holds open.
    try {
      this.proxy = new ConnectionCountingProxy(server.getAddress(), executor);
    } catch (IOException e) {
      server.stop(0);
      executor.shutdownNow();
      throw e;
    }
    this.baseUrl = (builder.sslContext != null ? "https" : "http") + "://127.0.0.1:" + proxy.port();
  }

  /** Starts an emulator that knows no key and no task yet; see {@link #builder()}. */
  public static CapMonsterEmulator start() {
    return builder().start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * {@code http://127.0.0.1:PORT} ({@code https} when built with {@link Builder#https}), to pass to
   * {@code CapReportClient.Builder.baseUrl}.
   */
  public String baseUrl() {
    return baseUrl;
  }

  /** The port clients connect to. */
  public int port() {
    return proxy.port();
  }

  /** Accepts reports made with this key from now on. */
  public CapMonsterEmulator addClientKey(String clientKey) {
    if (clientKey == null) {
      throw new NullPointerException("clientKey == null");
    }
    clientKeys.add(clientKey);
    return this;
  }

  /**
   * Accepts reports of these tasks from now on. For a {@link VendorPolicy}, each is a new task,
   * learnt now on the {@linkplain #clock() clock} and not yet reported, even if it was known.
   */
  public CapMonsterEmulator addTaskIds(long... ids) {
    long now = clock.millis();
    VendorRules current = rules;
    for (long id : ids) {
      taskIds.put(id, now);
      if (current != null) {
        current.forgetReport(id);
      }
    }
    return this;
  }

  /**
   * When true, every positive task id is known: for bulk tests. For a {@link VendorPolicy}, those
   * that were not added one by one were learnt when this turned true (or at the start or reset).
   */
  public CapMonsterEmulator acceptAnyTaskId(boolean accept) {
    synchronized (taskIds) {
      if (accept && !acceptAnyTaskId) {
        acceptAnyTaskIdSince = clock.millis();
      }
      this.acceptAnyTaskId = accept;
    }
    return this;
  }

  /** The policy the emulator enforces, or null when it enforces none (the default). */
  public VendorPolicy vendorPolicy() {
    return baseline.vendorPolicy;
  }

  /** The clock the {@link VendorPolicy} runs on: the system's unless the builder set one. */
  public Clock clock() {
    return clock;
  }

  /** Whether a {@link VendorPolicy} block is in force now, for any caller; false without one. */
  public boolean isBlocked() {
    VendorRules current = rules;
    return current != null && current.isBlocked();
  }

  /**
   * When the block in force ends if no request extends it, on the {@linkplain #clock() clock};
   * empty when no block is in force. With several callers blocked, the latest end.
   */
  public Optional<Instant> blockedUntil() {
    VendorRules current = rules;
    return Optional.ofNullable(current == null ? null : current.latestBlockEnd());
  }

  /**
   * How many blocks the {@link VendorPolicy} started since the start or the last {@link #reset()}:
   * 0 proves the client never got itself blocked.
   */
  public int blocksTripped() {
    VendorRules current = rules;
    return current == null ? 0 : current.blocksTripped();
  }

  /** Misbehaves for the next request only; see {@link NextRequests}. */
  public NextRequests nextRequest() {
    return nextRequests(1);
  }

  /** Misbehaves for each of the next {@code n} requests, in arrival order, whatever their path. */
  public NextRequests nextRequests(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1, was " + n);
    }
    return new NextRequests(this, n);
  }

  /**
   * Injects faults into every {@code n}-th request from now on: requests number {@code n}, {@code
   * 2n}, {@code 3n}... (every request counts, whatever its path) get the given faults in turn,
   * until {@link #stopFaults()} or {@link #reset()}. A misbehaviour queued with {@link
   * #nextRequest()} comes first: a request that takes it gets no fault. For example, {@code
   * faultEvery(10, ...)} fails 10% of requests.
   */
  public CapMonsterEmulator faultEvery(int n, Fault... faults) {
    this.faults = FaultPlan.every(n, faults);
    return this;
  }

  /**
   * Injects a fault into each request with probability {@code fraction}, the fault picked at random
   * among those given, from a {@link java.util.Random} seeded with {@code seed}: the same seed
   * gives the same sequence of faults in order of arrival. Until {@link #stopFaults()} or {@link
   * #reset()}; queued misbehaviours come first.
   */
  public CapMonsterEmulator faultRandomly(double fraction, long seed, Fault... faults) {
    this.faults = FaultPlan.randomly(fraction, seed, faults);
    return this;
  }

  /** Stops injecting faults; queued misbehaviours stay queued. */
  public CapMonsterEmulator stopFaults() {
    this.faults = null;
    return this;
  }

  /** How many requests got an injected fault since the start or the last {@link #reset()}. */
  public long faultsInjected() {
    return faultsInjected.get();
  }

  void enqueue(Answer answer, int times) {
    for (int i = 0; i < times; i++) {
      misbehaviours.add(answer);
    }
  }

  /** Every request received since the start or the last {@link #reset()}, in arrival order. */
  public List<RecordedRequest> reports() {
    synchronized (requests) {
      return Collections.unmodifiableList(new ArrayList<>(requests));
    }
  }

  /** How many requests carried this task id, on any path and whatever the answer. */
  public int count(long taskId) {
    int n = 0;
    for (RecordedRequest request : reports()) {
      Long id = request.taskId();
      if (id != null && id == taskId) {
        n++;
      }
    }
    return n;
  }

  /** How many requests got this {@link RecordedRequest#verdict() verdict}. */
  public int count(PolicyVerdict verdict) {
    int n = 0;
    for (RecordedRequest request : reports()) {
      if (request.verdict() == verdict) {
        n++;
      }
    }
    return n;
  }

  /** How many requests arrived, of any kind. */
  public int requestCount() {
    synchronized (requests) {
      return requests.size();
    }
  }

  /** The latest request, or null when none arrived. */
  public RecordedRequest lastRequest() {
    synchronized (requests) {
      return requests.isEmpty() ? null : requests.get(requests.size() - 1);
    }
  }

  /**
   * Waits until at least {@code n} requests have arrived, for tests that must know a request is
   * being held before they go on.
   *
   * @return whether they arrived in time
   */
  public boolean awaitRequests(int n, long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    synchronized (requests) {
      while (requests.size() < n) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(requests, left);
      }
      return true;
    }
  }

  /**
   * How many distinct TCP connections carried requests: each connection has its own client port, so
   * this counts distinct remote (address, port) pairs. Connections that sent nothing are not seen.
   */
  public int connectionsSeen() {
    return connections.size();
  }

  /**
   * How many TCP connections from clients are open right now: accepted and closed by neither side.
   * A client that closed its connections, or whose connections the emulator dropped, counts 0. The
   * count is exact: clients connect to a relay inside the emulator that keeps it.
   */
  public int openConnections() {
    return proxy.openConnections();
  }

  /** The connections open now, for failure messages. */
  String describeOpenConnections() {
    return proxy.describeOpen();
  }

  /**
   * Waits until at most {@code n} client connections are open, for tests that check that a client
   * closed what it opened.
   *
   * @return whether that happened in time
   */
  public boolean awaitOpenConnectionsAtMost(int n, long timeout, TimeUnit unit)
      throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (proxy.openConnections() > n) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  /**
   * Forgets recorded requests, connections and queued misbehaviour, drops held requests, and
   * restores the keys and task ids the emulator was built with. The {@link VendorPolicy} starts
   * afresh: no block, no count, no task reported, every task learnt now on the clock.
   */
  public void reset() {
    misbehaviours.clear();
    faults = null;
    faultsInjected.set(0);
    CountDownLatch held = release;
    release = new CountDownLatch(1);
    held.countDown();
    synchronized (requests) {
      requests.clear();
    }
    connections.clear();
    restoreBaseline();
  }

  /** Stops at once: held requests are dropped, threads end. Idempotent. */
  @Override
  public void close() {
    if (closing.getCount() == 0) {
      return;
    }
    closing.countDown();
    release.countDown();
    proxy.close();
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "CapMonsterEmulator{"
        + baseUrl
        + ", "
        + clientKeys.size()
        + " keys, "
        + (acceptAnyTaskId ? "any task id" : taskIds.size() + " task ids")
        + ", "
        + requestCount()
        + " requests"
        + (rules != null ? ", " + baseline.vendorPolicy : "")
        + (closing.getCount() == 0 ? ", closed" : "")
        + "}";
  }

  /** Waits up to {@code millis}; true when the emulator is closing. */
  boolean awaitClose(long millis) {
    return await(closing, millis);
  }

  /** Waits up to {@code millis}; true when {@code latch} is released or the emulator closing. */
  boolean awaitRelease(CountDownLatch latch, long millis) {
    return await(latch, millis) || closing.getCount() == 0;
  }

  private static boolean await(CountDownLatch latch, long millis) {
    try {
      return latch.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      // Only close() interrupts the handler threads.
      Thread.currentThread().interrupt();
      return true;
    }
  }

  private void restoreBaseline() {
    long now = baseline.clock.millis();
    clientKeys.clear();
    clientKeys.addAll(baseline.clientKeys);
    synchronized (taskIds) {
      taskIds.clear();
      for (long id : baseline.taskIds) {
        taskIds.put(id, now);
      }
      acceptAnyTaskId = baseline.acceptAnyTaskId;
      acceptAnyTaskIdSince = now;
    }
    rules =
        baseline.vendorPolicy == null
            ? null
            : new VendorRules(baseline.vendorPolicy, baseline.clock);
  }

  /** When the emulator learnt this task, or null when it does not know it. */
  private Long taskCreatedMillis(long taskId) {
    Long created = taskIds.get(taskId);
    if (created == null && acceptAnyTaskId && taskId > 0) {
      created = acceptAnyTaskIdSince;
    }
    return created;
  }

  private void handle(HttpExchange exchange) {
    try {
      byte[] body = readBody(exchange.getRequestBody());
      // Decided before the request is visible: a test that sees it arrive and then resets must
      // find it already held, and release it.
      CountDownLatch releaseLatch = release;
      Answer misbehaviour = misbehaviours.poll();
      Fault fault = null;
      FaultPlan plan = faults;
      if (misbehaviour == null && plan != null) {
        int index = plan.next();
        if (index >= 0) {
          fault = plan.fault(index);
          misbehaviour = plan.answer(index);
          faultsInjected.incrementAndGet();
        }
      }
      InetSocketAddress client = proxy.clientOf(exchange.getRemoteAddress());
      RecordedRequest request =
          new RecordedRequest(
              exchange.getRequestMethod(),
              exchange.getRequestURI().getRawPath(),
              exchange.getRequestURI().getRawQuery(),
              exchange.getRequestHeaders(),
              body,
              client,
              misbehaviour != null,
              fault);
      connections.add(client);
      synchronized (requests) {
        requests.add(request);
        requests.notifyAll();
      }
      if (misbehaviour != null) {
        misbehaviour.answer(exchange, request, this, releaseLatch);
      } else {
        answerNormally(exchange, request);
      }
    } catch (IOException | RuntimeException clientWentAway) {
      // Nothing to answer to; closing below drops the connection if it is still open.
    } finally {
      exchange.close();
    }
  }

  void answerNormally(HttpExchange exchange, RecordedRequest request) throws IOException {
    if (!REPORT_PATHS.contains(request.path())) {
      Answer.send(
          exchange, 404, "text/plain; charset=utf-8", bytes("no such endpoint: " + request.path()));
      return;
    }
    if (!"POST".equals(request.method())) {
      Answer.send(
          exchange,
          405,
          "text/plain; charset=utf-8",
          bytes("only POST is allowed"),
          Collections.singletonMap("Allow", "POST"));
      return;
    }
    String contentType = request.header("Content-Type");
    boolean jsonContentType =
        contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/json");
    boolean keyKnown = request.isWellFormedReport() && clientKeys.contains(request.clientKey());
    Long created = request.isWellFormedReport() ? taskCreatedMillis(request.taskId()) : null;
    VendorRules current = rules;
    if (current != null) {
      PolicyVerdict verdict =
          current.decide(
              request, jsonContentType && request.isWellFormedReport(), keyKnown, created);
      switch (verdict) {
        case IP_BLOCKED:
          json(exchange, "{\"errorId\":1,\"errorCode\":\"ERROR_IP_BLOCKED\"}");
          return;
        case RATE_LIMITED:
          json(exchange, "{\"errorId\":1,\"errorCode\":\"ERROR_TOO_MUCH_REQUESTS\"}");
          return;
        case TASK_EXPIRED:
        case ALREADY_REPORTED:
          json(exchange, NO_SUCH_CAPCHA_ID);
          return;
        default:
          // NONE, WRONG_KEY and WRONG_TASK_ID are answered as without a policy.
          break;
      }
    }
    if (!jsonContentType) {
      notTheApisJson(exchange, "Content-Type must be application/json");
      return;
    }
    if (!request.isWellFormedReport()) {
      notTheApisJson(
          exchange, "the body must be a JSON object with a string clientKey and an integer taskId");
      return;
    }
    if (!keyKnown) {
      json(exchange, "{\"errorId\":1,\"errorCode\":\"ERROR_KEY_DOES_NOT_EXIST\"}");
      return;
    }
    if (created == null) {
      json(exchange, NO_SUCH_CAPCHA_ID);
      return;
    }
    json(exchange, "{\"errorId\":0,\"status\":\"success\"}");
  }

  private static void notTheApisJson(HttpExchange exchange, String why) throws IOException {
    Answer.send(
        exchange,
        400,
        "application/json",
        bytes(
            "{\"errorId\":1,\"errorCode\":\"ERROR_TASK_ABSENT\",\"errorDescription\":\""
                + FlatJson.escape(why)
                + "\"}"));
  }

  private static void json(HttpExchange exchange, String json) throws IOException {
    Answer.send(exchange, 200, "application/json", bytes(json));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(Answer.UTF_8);
  }

  private static byte[] readBody(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    int n;
    while ((n = in.read(buffer)) >= 0) {
      if (out.size() + n > MAX_REQUEST_BYTES) {
        throw new IOException("request body over " + MAX_REQUEST_BYTES + " bytes");
      }
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  /**
   * Configures a {@link CapMonsterEmulator}; what it sets is also what {@link #reset()} restores.
   */
  public static final class Builder {
    private final Set<String> clientKeys = new LinkedHashSet<>();
    private final Set<Long> taskIds = new LinkedHashSet<>();
    private boolean acceptAnyTaskId;
    private SSLContext sslContext;
    private VendorPolicy vendorPolicy;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Enforces the vendor's rules: blocks after repeated wrong keys or task ids, task expiry, one
     * report per task, a rate limit; see {@link VendorPolicy}. Off by default. Null turns it off.
     */
    public Builder vendorPolicy(VendorPolicy policy) {
      this.vendorPolicy = policy;
      return this;
    }

    /**
     * The clock the {@link VendorPolicy} runs on, e.g. a {@link ManualClock} the test moves; the
     * system's by default. Builders copied from this one, and their emulators, share it.
     */
    public Builder clock(Clock clock) {
      if (clock == null) {
        throw new NullPointerException("clock == null");
      }
      this.clock = clock;
      return this;
    }

    /**
     * Serves HTTPS with the key and certificate of {@code sslContext} (its key managers), instead
     * of plain HTTP. Clients must trust that certificate; see {@link SelfSignedCertificate}.
     */
    public Builder https(SSLContext sslContext) {
      if (sslContext == null) {
        throw new NullPointerException("sslContext == null");
      }
      this.sslContext = sslContext;
      return this;
    }

    /** A key the emulator accepts; call again for more. */
    public Builder clientKey(String clientKey) {
      if (clientKey == null) {
        throw new NullPointerException("clientKey == null");
      }
      clientKeys.add(clientKey);
      return this;
    }

    /** Tasks the emulator knows. */
    public Builder taskIds(long... ids) {
      for (long id : ids) {
        taskIds.add(id);
      }
      return this;
    }

    /** Every positive task id is known: for bulk tests. */
    public Builder acceptAnyTaskId() {
      this.acceptAnyTaskId = true;
      return this;
    }

    /**
     * Binds a free port on 127.0.0.1 and starts answering.
     *
     * @throws UncheckedIOException when no port can be bound
     */
    public CapMonsterEmulator start() {
      try {
        return new CapMonsterEmulator(this);
      } catch (IOException e) {
        throw new UncheckedIOException("could not start the CapMonster emulator", e);
      }
    }

    Builder copy() {
      Builder copy = new Builder();
      copy.clientKeys.addAll(clientKeys);
      copy.taskIds.addAll(taskIds);
      copy.acceptAnyTaskId = acceptAnyTaskId;
      copy.sslContext = sslContext;
      copy.vendorPolicy = vendorPolicy;
      copy.clock = clock;
      return copy;
    }

    @Override
    public String toString() {
      // Keys are secrets even in tests: a test key may be a real one.
      return "CapMonsterEmulator.Builder{"
          + clientKeys.size()
          + " keys, "
          + (acceptAnyTaskId ? "any task id" : taskIds.size() + " task ids")
          + (sslContext != null ? ", https" : "")
          + (vendorPolicy != null ? ", " + vendorPolicy : "")
          + "}";
    }
  }
}
