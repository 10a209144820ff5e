package io.github.capreport.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP forward proxy on {@code 127.0.0.1}, for testing code that reaches the service through
 * one: it forwards absolute-form requests ({@code POST http://host:port/path HTTP/1.1}) to their
 * origin and relays the answer, opens {@code CONNECT host:port} tunnels, can demand Basic
 * credentials, can fail on demand, and records what it was asked and every byte it relayed.
 *
 * <pre>{@code
 * String key = "67b6bcbb1a728ea8d563de6d169a2057";
 * try (CapMonsterEmulator emulator = CapMonsterEmulator.builder()
 *         .https(SelfSignedCertificate.forLoopback().serverContext()).clientKey(key).start();
 *     ForwardProxy proxy = ForwardProxy.builder().basicAuth("user", "secret").start()) {
 *   // point the code under test at emulator.baseUrl() through proxy.asProxy(), then:
 *   assertEquals("CONNECT", proxy.lastRequest().method());
 *   assertFalse(proxy.sawInClear(key), "the key went through the tunnel encrypted");
 * }
 * }</pre>
 *
 * <p>Forwarded requests reach the origin without the hop-by-hop headers ({@code
 * Proxy-Authorization}, {@code Proxy-Connection}, {@code Connection}, {@code Keep-Alive}, those the
 * {@code Connection} header names) and with {@code Connection: close}; answers reach the client
 * with {@code Connection: close}: one request per connection. A proxy that is down is a closed one:
 * after {@link #close()} its port refuses connections.
 *
 * <p>Thread-safe. Each connection runs on daemon threads of the proxy's own, named {@code
 * capreport-testkit-forward-proxy-PORT-...}; {@link #close()} closes every socket and ends them.
 */
public final class ForwardProxy implements AutoCloseable {
  /** What the proxy does instead of its job, from {@link #fail(Failure)} on. */
  public enum Failure {
    /** {@code CONNECT} is answered {@code 403 Forbidden}; forwarded requests still work. */
    REFUSE_CONNECT_403,
    /** {@code CONNECT} is answered {@code 502 Bad Gateway}; forwarded requests still work. */
    REFUSE_CONNECT_502,
    /** {@code CONNECT} is answered {@code 200 Connection established}, then the proxy closes. */
    CLOSE_TUNNEL,
    /** Every request, {@code CONNECT} or not, is answered 502 with an HTML page. */
    BAD_GATEWAY,
    /** Every request, {@code CONNECT} or not, is answered 504 with an HTML page. */
    GATEWAY_TIMEOUT
  }

  /** The realm of the proxy's {@code Proxy-Authenticate: Basic} challenge. */
  public static final String REALM = "capreport-testkit-proxy";

  private final ServerSocket listener;
  private final ExecutorService threads;
  private final String expectedCredentials;
  private final List<ProxiedRequest> requests = new ArrayList<>();
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread acceptor;
  private volatile Failure failure;

  private ForwardProxy(Builder builder) throws IOException {
    this.expectedCredentials = builder.credentials;
    this.listener = new ServerSocket(0, 128, InetAddress.getByName("127.0.0.1"));
    final String prefix = "capreport-testkit-forward-proxy-" + listener.getLocalPort() + "-";
    final AtomicInteger count = new AtomicInteger();
    this.threads =
        Executors.newCachedThreadPool(
            runnable -> {
              Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    this.acceptor = new Thread(this::acceptLoop, prefix + "accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Starts a proxy that asks for no credentials. */
  public static ForwardProxy start() {
    return builder().start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The port it listens on, on {@code 127.0.0.1}. */
  public int port() {
    return listener.getLocalPort();
  }

  /** {@code 127.0.0.1:PORT}. */
  public InetSocketAddress address() {
    return new InetSocketAddress(listener.getInetAddress(), port());
  }

  /**
   * This proxy as a {@link Proxy} of type HTTP, for {@code URL.openConnection(Proxy)} and others.
   */
  public Proxy asProxy() {
    return new Proxy(Proxy.Type.HTTP, address());
  }

  /** From now on, fails as {@code failure} says instead of doing its job. */
  public ForwardProxy fail(Failure failure) {
    if (failure == null) {
      throw new NullPointerException("failure == null");
    }
    this.failure = failure;
    return this;
  }

  /** From now on, does its job again. */
  public ForwardProxy behave() {
    this.failure = null;
    return this;
  }

  /** Every request received since the start or the last {@link #reset()}, in arrival order. */
  public List<ProxiedRequest> requests() {
    synchronized (requests) {
      return Collections.unmodifiableList(new ArrayList<>(requests));
    }
  }

  /** The latest request, or null when none arrived. */
  public ProxiedRequest lastRequest() {
    synchronized (requests) {
      return requests.isEmpty() ? null : requests.get(requests.size() - 1);
    }
  }

  /** How many requests arrived. */
  public int requestCount() {
    synchronized (requests) {
      return requests.size();
    }
  }

  /**
   * Whether {@code text}, as UTF-8, passed through the proxy in the clear, in either direction of
   * any connection since the start or the last {@link #reset()}: request heads as received,
   * forwarded bodies, answers, and the bytes of tunnels. A key sent over HTTPS through a tunnel is
   * in TLS records, so not seen; one sent over plain HTTP is. Look for text of some length, such as
   * a whole key: a few bytes can occur in encrypted bytes by chance.
   */
  public boolean sawInClear(String text) {
    byte[] bytes = text.getBytes(Answer.UTF_8);
    for (ProxiedRequest request : requests()) {
      if (request.sawInClear(bytes)) {
        return true;
      }
    }
    return false;
  }

  /** Forgets the requests and the bytes seen, and behaves again. Open tunnels stay open. */
  public void reset() {
    failure = null;
    synchronized (requests) {
      requests.clear();
    }
  }

  /** Stops listening, closes every connection, ends its threads. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closeQuietly(listener);
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
    threads.shutdownNow();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
      // The listening socket closes only once the acceptor has left accept(): see
      // ConnectionCountingProxy.close().
      if (Thread.currentThread() != acceptor) {
        acceptor.join(5_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "ForwardProxy{127.0.0.1:"
        + port()
        + (expectedCredentials != null ? ", basic auth" : "")
        + (failure != null ? ", failing " + failure : "")
        + ", "
        + requestCount()
        + " requests"
        + (closed.get() ? ", closed" : "")
        + "}";
  }

  Failure failure() {
    return failure;
  }

  /** Whether {@code header}, a {@code Proxy-Authorization} value or null, lets the request on. */
  boolean authorized(String header) {
    if (expectedCredentials == null) {
      return true;
    }
    if (header == null) {
      return false;
    }
    String[] parts = header.trim().split("\\s+", 2);
    return parts.length == 2
        && "Basic".equalsIgnoreCase(parts[0])
        && parts[1].trim().equals(expectedCredentials);
  }

  void record(ProxiedRequest request) {
    synchronized (requests) {
      requests.add(request);
    }
  }

  /** Runs {@code task} on the proxy's threads; false when it is closing. */
  boolean execute(Runnable task) {
    try {
      threads.execute(task);
      return true;
    } catch (RejectedExecutionException closing) {
      return false;
    }
  }

  /** Keeps {@code socket} to close with the proxy; false (and closes it) when it is closing. */
  boolean track(Socket socket) {
    sockets.add(socket);
    if (closed.get()) {
      closeQuietly(socket);
      return false;
    }
    return true;
  }

  void untrack(Socket socket) {
    sockets.remove(socket);
    closeQuietly(socket);
  }

  private void acceptLoop() {
    while (!closed.get()) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        if (closed.get()) {
          return;
        }
        continue;
      }
      if (!track(client) || !execute(new ProxyConnection(this, client))) {
        untrack(client);
      }
    }
  }

  static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // Closing is all that is wanted.
    }
  }

  /** Configures a {@link ForwardProxy}. */
  public static final class Builder {
    private String credentials;

    private Builder() {}

    /**
     * Demands {@code Proxy-Authorization: Basic} with these credentials on every request; a request
     * without them, or with others, is answered {@code 407} with {@code Proxy-Authenticate: Basic
     * realm="capreport-testkit-proxy"}, and the connection closed.
     *
     * <p>The JDK's own clients send no Basic credentials in a {@code CONNECT} unless the system
     * property {@code jdk.http.auth.tunneling.disabledSchemes} is changed (it lists {@code Basic}
     * by default): an HTTPS client that relies on them gets the 407.
     */
    public Builder basicAuth(String user, String password) {
      if (user == null || password == null) {
        throw new NullPointerException(user == null ? "user == null" : "password == null");
      }
      if (user.indexOf(':') >= 0) {
        throw new IllegalArgumentException("a Basic user name cannot hold ':'");
      }
      this.credentials =
          Base64.getEncoder().encodeToString((user + ":" + password).getBytes(Answer.UTF_8));
      return this;
    }

    /**
     * Binds a free port on 127.0.0.1 and starts accepting.
     *
     * @throws UncheckedIOException when no port can be bound
     */
    public ForwardProxy start() {
      try {
        return new ForwardProxy(this);
      } catch (IOException e) {
        throw new UncheckedIOException("could not start the forward proxy", e);
      }
    }

    @Override
    public String toString() {
      return "ForwardProxy.Builder{" + (credentials != null ? "basic auth" : "no auth") + "}";
    }
  }
}
