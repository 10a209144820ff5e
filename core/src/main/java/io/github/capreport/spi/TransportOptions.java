package io.github.capreport.spi;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link TransportProvider} should configure the HTTP client it creates. Times are in
 * milliseconds so that the SPI runs on Android API 21, which lacks {@code java.time}.
 *
 * <p>The request timeout and the connection limit are enforced by core for every transport; a
 * transport applies the rest (connect timeout, pool size, TLS, the executor) to the client it
 * builds, and refuses them, with {@link #rejectClientSettings}, when it was given a client of the
 * user's, whose own settings then rule.
 */
public final class TransportOptions {
  /** Default connect timeout: 10 seconds. */
  public static final long DEFAULT_CONNECT_TIMEOUT_MILLIS = 10_000;

  /** Default time for a whole report, from sending to the last byte of the answer: 30 seconds. */
  public static final long DEFAULT_REQUEST_TIMEOUT_MILLIS = 30_000;

  /** Default number of connections kept per host: enough for 64 concurrent reports. */
  public static final int DEFAULT_MAX_CONNECTIONS = 64;

  private final long connectTimeoutMillis;
  private final long requestTimeoutMillis;
  private final int maxConnections;
  private final String userAgent;
  private final @Nullable SSLContext sslContext;
  private final @Nullable Executor executor;
  private final boolean connectTimeoutSet;

  private TransportOptions(Builder builder) {
    this.connectTimeoutMillis = builder.connectTimeoutMillis;
    this.requestTimeoutMillis = builder.requestTimeoutMillis;
    this.maxConnections = builder.maxConnections;
    this.userAgent = builder.userAgent;
    this.sslContext = builder.sslContext;
    this.executor = builder.executor;
    this.connectTimeoutSet = builder.connectTimeoutSet;
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
   * Throws when an option that only a client the transport builds could apply was set: the connect
   * timeout or TLS material. For a transport given the user's own HTTP client, whose settings rule.
   *
   * @param whose names that client in the message, e.g. "the HttpClient given to JdkTransport"
   * @throws IllegalStateException naming the option and where to set it instead
   */
  public void rejectClientSettings(String whose) {
    String option = connectTimeoutSet ? "connectTimeout" : sslContext != null ? "sslContext" : null;
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
        + "}";
  }

  public static final class Builder {
    private long connectTimeoutMillis = DEFAULT_CONNECT_TIMEOUT_MILLIS;
    private long requestTimeoutMillis = DEFAULT_REQUEST_TIMEOUT_MILLIS;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private String userAgent = "capreport";
    private @Nullable SSLContext sslContext;
    private @Nullable Executor executor;
    private boolean connectTimeoutSet;

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

    public TransportOptions build() {
      return new TransportOptions(this);
    }

    private static long positiveMillis(String name, long amount, TimeUnit unit) {
      if (unit == null) {
        throw new NullPointerException(name + " unit == null");
      }
      long millis = unit.toMillis(amount);
      if (millis <= 0) {
        throw new IllegalArgumentException(
            name + " must be at least 1 ms, was " + amount + " " + unit);
      }
      return millis;
    }
  }
}
