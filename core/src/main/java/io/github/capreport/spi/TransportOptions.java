package io.github.capreport.spi;

import io.github.capreport.internal.ProxyRoute;
import java.net.ProxySelector;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link TransportProvider} should configure the HTTP client it creates. Times are in
 * milliseconds so that the SPI runs on Android API 21, which lacks {@code java.time}.
 *
 * <p>The request timeout and the connection limit are enforced by core for every transport; a
 * transport applies the rest (connect timeout, pool size, TLS, the proxy, the executor) to the
 * client it builds, and refuses them, with {@link #rejectClientSettings}, when it was given a
 * client of the user's, whose own settings then rule.
 */
public final class TransportOptions {
  /** Default connect timeout: 10 seconds. */
  public static final long DEFAULT_CONNECT_TIMEOUT_MILLIS = 10_000;

  /** Default time for a whole report, from sending to the last byte of the answer: 30 seconds. */
  public static final long DEFAULT_REQUEST_TIMEOUT_MILLIS = 30_000;

  /** The longest timeout: 24 days, which every transport's HTTP client can take. */
  public static final long MAX_TIMEOUT_MILLIS = 24L * 24 * 60 * 60 * 1000;

  /** Default number of connections kept per host: enough for 64 concurrent reports. */
  public static final int DEFAULT_MAX_CONNECTIONS = 64;

  private final long connectTimeoutMillis;
  private final long requestTimeoutMillis;
  private final int maxConnections;
  private final String userAgent;
  private final @Nullable SSLContext sslContext;
  private final @Nullable Executor executor;
  private final boolean connectTimeoutSet;
  private final ProxySelector proxySelector;
  private final @Nullable String proxyOption;
  private final @Nullable ProxyCredentials proxyCredentials;

  // Not private: a private one, called by Builder, costs a synthetic class in the jar.
  TransportOptions(Builder builder) {
    this.connectTimeoutMillis = builder.connectTimeoutMillis;
    this.requestTimeoutMillis = builder.requestTimeoutMillis;
    this.maxConnections = builder.maxConnections;
    this.userAgent = builder.userAgent;
    this.sslContext = builder.sslContext;
    this.executor = builder.executor;
    this.connectTimeoutSet = builder.connectTimeoutSet;
    this.proxyOption = builder.proxyOption;
    // The one rule for the JVM's proxy settings, for every transport: none set here, the JVM's.
    this.proxySelector =
        builder.proxySelector != null ? builder.proxySelector : ProxyRoute.jvmDefault();
    if (builder.proxyUser != null && builder.proxyHost == null) {
      throw new IllegalStateException(
          "proxyCredentials are for the proxy of proxy(host, port), which is not set");
    }
    this.proxyCredentials =
        builder.proxyUser == null || builder.proxyHost == null || builder.proxyPassword == null
            ? null
            : new ProxyCredentials(
                builder.proxyHost, builder.proxyPort, builder.proxyUser, builder.proxyPassword);
  }

  public static Builder builder() {
    return new Builder();
  }

  public long connectTimeoutMillis() {
    return connectTimeoutMillis;
  }

  public long requestTimeoutMillis() {
    return requestTimeoutMillis;
  }

  /**
   * How many connections the transport may keep open to one host at once; core never has more
   * exchanges than this in flight.
   */
  public int maxConnections() {
    return maxConnections;
  }

  /** The User-Agent the client will send; each request also carries it in its headers. */
  public String userAgent() {
    return userAgent;
  }

  /** The TLS trust and key material to use; null means the platform's default. */
  public @Nullable SSLContext sslContext() {
    return sslContext;
  }

  /**
   * Where the HTTP client may run its own background work (java.net.http's response handling):
   * core's threads, named {@code capreport-}, that end when the client closes; null to use the
   * library's default. Never for running reports: core does that.
   */
  public @Nullable Executor executor() {
    return executor;
  }

  /**
   * Where the client a transport builds sends each request: the transport gives it to its HTTP
   * client as it is, for every request (an HTTP proxy, reached for https with {@code CONNECT}, or
   * none). Never null: when no proxy option was set it is the JVM's {@link
   * ProxySelector#getDefault()} as it was when these options were built, which reads {@code
   * https.proxyHost}, {@code https.proxyPort}, {@code http.nonProxyHosts} and the rest at each
   * connection, as java.net.http and OkHttp do by default; direct when the JVM has none.
   */
  public ProxySelector proxySelector() {
    return proxySelector;
  }

  /**
   * Basic credentials for the proxy of {@code proxy(host, port)}, or null. A transport gives them
   * to that proxy only, for a {@code CONNECT}: never to the API host.
   */
  public @Nullable ProxyCredentials proxyCredentials() {
    return proxyCredentials;
  }

  /**
   * Throws when an option that only a client the transport builds could apply was set: the connect
   * timeout, TLS material or a proxy. For a transport given the user's own HTTP client, whose
   * settings rule.
   *
   * @param whose names that client in the message, e.g. "the HttpClient given to JdkTransport"
   * @throws IllegalStateException naming the option and where to set it instead
   */
  public void rejectClientSettings(String whose) {
    String option =
        connectTimeoutSet ? "connectTimeout" : sslContext != null ? "sslContext" : proxyOption;
    if (option != null) {
      throw new IllegalStateException(
          option
              + " cannot apply to "
              + whose
              + ": set it on that client, or let the transport build its own");
    }
  }

  public Builder toBuilder() {
    Builder b =
        new Builder()
            .requestTimeout(requestTimeoutMillis, TimeUnit.MILLISECONDS)
            .maxConnections(maxConnections)
            .userAgent(userAgent)
            .sslContext(sslContext)
            .executor(executor);
    b.connectTimeoutMillis = connectTimeoutMillis;
    b.connectTimeoutSet = connectTimeoutSet;
    b.proxyOption = proxyOption;
    b.proxySelector = proxyOption != null ? proxySelector : null;
    if (proxyCredentials != null) {
      b.proxyHost = proxyCredentials.host();
      b.proxyPort = proxyCredentials.port();
      b.proxyUser = proxyCredentials.username();
      b.proxyPassword = proxyCredentials.password();
    }
    return b;
  }

  @Override
  public String toString() {
    return "TransportOptions{connectTimeoutMillis="
        + connectTimeoutMillis
        + ", requestTimeoutMillis="
        + requestTimeoutMillis
        + ", maxConnections="
        + maxConnections
        + ", userAgent="
        + userAgent
        + ", customSslContext="
        + (sslContext != null)
        + ", coreExecutor="
        + (executor != null)
        + ", proxy="
        + (proxyOption != null ? proxyOption : "the JVM's")
        + (proxyCredentials != null ? ", proxyCredentials=<redacted>" : "")
        + "}";
  }

  public static final class Builder {
    // Not private: TransportOptions reads them, which would cost an accessor method for each.
    long connectTimeoutMillis = DEFAULT_CONNECT_TIMEOUT_MILLIS;
    long requestTimeoutMillis = DEFAULT_REQUEST_TIMEOUT_MILLIS;
    int maxConnections = DEFAULT_MAX_CONNECTIONS;
    String userAgent = "capreport";
    @Nullable SSLContext sslContext;
    @Nullable Executor executor;
    boolean connectTimeoutSet;
    @Nullable ProxySelector proxySelector;
    @Nullable String proxyOption;
    @Nullable String proxyHost;
    int proxyPort;
    @Nullable String proxyUser;
    @Nullable String proxyPassword;

    Builder() {} // not private: a private one costs a synthetic class in the jar

    public Builder connectTimeout(long amount, TimeUnit unit) {
      this.connectTimeoutMillis = positiveMillis("connectTimeout", amount, unit);
      this.connectTimeoutSet = true;
      return this;
    }

    /** See {@link TransportOptions#executor()}; set by core. */
    public Builder executor(@Nullable Executor executor) {
      this.executor = executor;
      return this;
    }

    public Builder requestTimeout(long amount, TimeUnit unit) {
      this.requestTimeoutMillis = positiveMillis("requestTimeout", amount, unit);
      return this;
    }

    public Builder maxConnections(int maxConnections) {
      if (maxConnections <= 0) {
        throw new IllegalArgumentException("maxConnections must be > 0, was " + maxConnections);
      }
      this.maxConnections = maxConnections;
      return this;
    }

    public Builder userAgent(String userAgent) {
      if (userAgent == null || userAgent.trim().isEmpty()) {
        throw new IllegalArgumentException("userAgent is blank");
      }
      for (int i = 0; i < userAgent.length(); i++) {
        char c = userAgent.charAt(i);
        // Header values are visible ASCII: HTTP clients such as OkHttp refuse anything else.
        if (c < 0x20 || c > 0x7e) {
          throw new IllegalArgumentException(
              "userAgent must be printable ASCII; index " + i + " is not");
        }
      }
      this.userAgent = userAgent;
      return this;
    }

    /** Null restores the platform's default trust. */
    public Builder sslContext(@Nullable SSLContext sslContext) {
      this.sslContext = sslContext;
      return this;
    }

    /**
     * Every request through the HTTP proxy at {@code host:port}: https through a {@code CONNECT}
     * tunnel, so that the proxy sees only encrypted bytes. The host is a name or an address (IPv6
     * with or without brackets), without scheme, port or path. One of {@code proxy}, {@link
     * #proxySelector} and {@link #noProxy}.
     */
    public Builder proxy(String host, int port) {
      if (host == null || host.isEmpty()) {
        throw new IllegalArgumentException("proxy host is " + (host == null ? "null" : "empty"));
      }
      String bare =
          host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
      int colons = 0;
      for (int i = 0; i < bare.length(); i++) {
        char c = bare.charAt(i);
        colons += c == ':' ? 1 : 0;
        if (c <= ' ' || c > '~' || c == '/' || c == '@' || c == '[' || c == ']') {
          // Not repeated: a "user:password@host" would show the password.
          throw new IllegalArgumentException(
              "proxy host must be a host name or address without scheme, user, port or path;"
                  + " character "
                  + i
                  + " is not allowed");
        }
      }
      if (colons == 1 || bare.isEmpty()) {
        throw new IllegalArgumentException(
            "proxy host must not carry a port (give it as the second argument)");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("proxy port must be 1 to 65535, was " + port);
      }
      choose("proxy");
      this.proxyHost = bare;
      this.proxyPort = port;
      this.proxySelector = ProxyRoute.through(bare, port);
      return this;
    }

    /**
     * Lets {@code selector} choose for each request: an HTTP proxy (its first choice) or none. One
     * of {@link #proxy}, {@code proxySelector} and {@link #noProxy}.
     */
    public Builder proxySelector(ProxySelector selector) {
      if (selector == null) {
        throw new NullPointerException("proxySelector == null");
      }
      choose("proxySelector");
      this.proxySelector = selector;
      return this;
    }

    /**
     * Every request straight to its host, whatever the JVM's proxy settings say. One of {@link
     * #proxy}, {@link #proxySelector} and {@code noProxy}.
     */
    public Builder noProxy() {
      choose("noProxy");
      this.proxySelector = ProxyRoute.direct();
      return this;
    }

    /**
     * Basic credentials for the proxy of {@link #proxy(String, int)}, sent to it alone when it asks
     * (407), to open a {@code CONNECT} tunnel. Printable ASCII; the user name without {@code :}.
     */
    public Builder proxyCredentials(String username, String password) {
      if (username == null || password == null) {
        throw new NullPointerException(username == null ? "username == null" : "password == null");
      }
      if (username.isEmpty() || username.indexOf(':') >= 0 || !printable(username)) {
        throw new IllegalArgumentException(
            "proxy username must be printable ASCII, not empty, without ':'");
      }
      if (!printable(password)) {
        // Every transport then sends the same bytes: no charset of its own to differ in.
        throw new IllegalArgumentException("proxy password must be printable ASCII");
      }
      this.proxyUser = username;
      this.proxyPassword = password;
      return this;
    }

    private void choose(String option) {
      if (proxyOption != null && !proxyOption.equals(option)) {
        throw new IllegalStateException(
            proxyOption + "(...) is already set: choose one of proxy, proxySelector and noProxy");
      }
      proxyOption = option;
    }

    private static boolean printable(String text) {
      for (int i = 0; i < text.length(); i++) {
        if (text.charAt(i) < ' ' || text.charAt(i) > '~') {
          return false;
        }
      }
      return true;
    }

    /**
     * @throws IllegalStateException when proxy credentials were set without {@link #proxy(String,
     *     int)}
     */
    public TransportOptions build() {
      return new TransportOptions(this);
    }

    private static long positiveMillis(String name, long amount, TimeUnit unit) {
      if (unit == null) {
        throw new NullPointerException(name + " unit == null");
      }
      long millis = unit.toMillis(amount);
      // At most 24 days: OkHttp refuses more than Integer.MAX_VALUE ms, and java.net.http
      // overflows near Long.MAX_VALUE; so a long "no limit" behaves alike on every transport.
      if (millis <= 0 || millis > MAX_TIMEOUT_MILLIS) {
        throw new IllegalArgumentException(
            name + " must be from 1 ms to 24 days, was " + amount + " " + unit);
      }
      return millis;
    }
  }
}
