package io.github.capreport.transport.jdk;

import io.github.capreport.jackson.JacksonEnvelopes;
import io.github.capreport.spi.Exchange;
import io.github.capreport.spi.JsonBinding;
import io.github.capreport.spi.ProxyCredentials;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportBuilder;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportRequest;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Transport} over {@link java.net.http.HttpClient}, with JSON bound by Jackson. Each
 * exchange is sent with the blocking {@link HttpClient#send} on the thread core runs it on; core
 * owns the deadline, the retries and the threads.
 */
public final class JdkTransport implements Transport {
  /** java.net.http resends any request, POST included, after a broken connection when set. */
  static final String RETRY_ALL_METHODS = "jdk.httpclient.enableAllMethodRetry";

  /**
   * The schemes java.net.http will not answer a proxy's CONNECT challenge with; Basic unless set.
   */
  static final String TUNNELING_DISABLED = "jdk.http.auth.tunneling.disabledSchemes";

  /**
   * Null once a transport that built its client is closed: before Java 21 an {@code HttpClient}
   * cannot be shut down, and only letting go of it lets its selector thread notice, close the
   * pooled connections and end.
   */
  private volatile @Nullable HttpClient client;

  private final boolean ownsClient;

  private JdkTransport(TransportOptions options, @Nullable HttpClient given) {
    if (!"false".equalsIgnoreCase(System.getProperty(RETRY_ALL_METHODS, "false").trim())) {
      throw new IllegalStateException(
          RETRY_ALL_METHODS + " makes java.net.http resend reports on its own; remove it");
    }
    if (given != null) {
      if (given.followRedirects() != HttpClient.Redirect.NEVER) {
        throw new IllegalArgumentException( // a redirect could carry the key to another host
            "the HttpClient follows redirects: build it with followRedirects(Redirect.NEVER)");
      }
      this.client = given;
    } else {
      HttpClient.Builder b =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofMillis(options.connectTimeoutMillis()))
              .followRedirects(HttpClient.Redirect.NEVER)
              .proxy(options.proxySelector());
      ProxyCredentials credentials = options.proxyCredentials();
      if (credentials != null && basicDisabled(System.getProperty(TUNNELING_DISABLED))) {
        throw new IllegalStateException( // a JVM-wide setting: the user's to change, never ours
            "proxyCredentials need the JVM flag -D"
                + TUNNELING_DISABLED
                + "= (empty): java.net.http"
                + " sends no Basic credentials in a CONNECT while it lists Basic, as by default;"
                + " or use the apache or retrofit transport");
      }
      if (credentials != null) {
        b.authenticator(credentials.authenticator()); // answers the proxy alone
      }
      if (options.executor() != null) {
        b.executor(options.executor());
      }
      if (options.sslContext() != null) {
        b.sslContext(options.sslContext());
      }
      this.client = b.build();
    }
    this.ownsClient = given == null;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Whether the property's value (the JDK's default, Basic, when unset) disables Basic. */
  static boolean basicDisabled(@Nullable String schemes) {
    String list = "," + (schemes == null ? "Basic" : schemes).replace(" ", "") + ",";
    return list.toLowerCase(java.util.Locale.ROOT).contains(",basic,");
  }

  @Override
  public String id() {
    return JdkTransportProvider.ID;
  }

  @Override
  public JsonBinding json() {
    return JacksonEnvelopes.INSTANCE;
  }

  @Override
  @SuppressWarnings("NullAway") // core makes no exchange once the transport is closed
  public Exchange newExchange(TransportRequest request) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(request.uri())
            .POST(HttpRequest.BodyPublishers.ofByteArray(request.body()));
    if ("http".equalsIgnoreCase(request.uri().getScheme())) {
      // Over plain http the client would ask every report to upgrade to h2c, which servers
      // ignore; HTTP/2 still comes through ALPN over https.
      b.version(HttpClient.Version.HTTP_1_1);
    }
    request.headers().forEach(b::setHeader);
    return new JdkExchange(client, b.build());
  }

  /**
   * Shuts down a client this transport built, on Java 21 and later, and lets go of it; before Java
   * 21 an {@code HttpClient} cannot be shut down, and its selector thread ends once it is
   * collected.
   */
  @Override
  public void close() {
    HttpClient owned = client;
    if (ownsClient && owned != null) {
      client = null;
      try {
        HttpClient.class.getMethod("shutdownNow").invoke(owned);
      } catch (ReflectiveOperationException | RuntimeException notOnThisJava) {
        // Java 11 to 20: letting go of it is all there is.
      }
    }
  }

  /** Configures a {@link JdkTransport}; everything is optional. */
  public static final class Builder extends TransportBuilder<HttpClient, Builder> {
    private Builder() {}

    /**
     * A client the caller already has and keeps owning. It must not follow redirects: a redirected
     * report could carry the client key to another host.
     */
    public Builder httpClient(HttpClient client) {
      return client(client);
    }

    @Override
    public JdkTransport build() {
      return new JdkTransport(options(), givenClient("the HttpClient given to JdkTransport"));
    }
  }
}
