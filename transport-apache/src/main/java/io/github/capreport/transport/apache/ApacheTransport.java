package io.github.capreport.transport.apache;

import io.github.capreport.jackson.JacksonEnvelopes;
import io.github.capreport.spi.Exchange;
import io.github.capreport.spi.JsonBinding;
import io.github.capreport.spi.ProxyCredentials;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportBuilder;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportRequest;
import io.github.capreport.spi.TransportResponse;
import io.github.capreport.spi.TunnelRefusedException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.Configurable;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.routing.RoutingSupport;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.io.Closer;
import org.apache.hc.core5.util.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Transport} over Apache HttpClient 5's classic (blocking) API, with JSON bound by
 * Jackson. Classic because core runs every exchange on a thread of its own: a blocking call is all
 * it needs, and the async client would add its I/O reactor threads. Core owns the deadline, the
 * retries and the threads; {@link Exchange#abort()} cancels the request.
 *
 * <p>Each report is a POST whose entity is not repeatable, with redirects, content compression and
 * expect-continue turned off: HttpClient neither follows it elsewhere nor resends it by itself,
 * whatever the client's own retry or redirect settings.
 */
public final class ApacheTransport implements Transport {
  private final CloseableHttpClient client;
  private final boolean ownsClient;
  private final RequestConfig requestConfig;

  private ApacheTransport(TransportOptions options, @Nullable CloseableHttpClient given) {
    this.ownsClient = given == null;
    this.client = given != null ? given : newClient(options);
    // A request's config replaces the client's: start from the client's, if it shows it.
    RequestConfig base =
        client instanceof Configurable ? ((Configurable) client).getConfig() : null;
    this.requestConfig =
        (base != null ? RequestConfig.copy(base) : RequestConfig.custom())
            .setRedirectsEnabled(false)
            .setContentCompressionEnabled(false)
            .setExpectContinueEnabled(false)
            .build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String id() {
    return ApacheTransportProvider.ID;
  }

  @Override
  public JsonBinding json() {
    return JacksonEnvelopes.INSTANCE;
  }

  @Override
  public Exchange newExchange(TransportRequest request) {
    HttpPost post = new HttpPost(request.uri());
    request.headers().forEach(post::addHeader);
    // Not ByteArrayEntity, which is repeatable: HttpClient's retry and authentication steps resend
    // only repeatable entities, and no request may leave that core did not count. No content type
    // either: the Content-Type header is the request's.
    byte[] body = request.body();
    post.setEntity(new InputStreamEntity(new ByteArrayInputStream(body), body.length, null));
    post.setConfig(requestConfig);
    return new ApacheExchange(post);
  }

  /** Closes the client this transport built; a client given to the builder stays open. */
  @Override
  public void close() {
    if (ownsClient) {
      client.close(CloseMode.IMMEDIATE);
    }
  }

  private static CloseableHttpClient newClient(TransportOptions options) {
    SSLContext tls = options.sslContext(); // hostname verification stays on with it
    // Only these credentials, for their proxy's scope: not the JVM's Authenticator or properties.
    BasicCredentialsProvider credentials = new BasicCredentialsProvider();
    ProxyCredentials proxy = options.proxyCredentials();
    if (proxy != null) {
      credentials.setCredentials(
          new AuthScope(proxy.host(), proxy.port()),
          new UsernamePasswordCredentials(proxy.username(), proxy.password().toCharArray()));
    }
    return HttpClientBuilder.create()
        .setConnectionManager(
            PoolingHttpClientConnectionManagerBuilder.create()
                .useSystemProperties()
                .setMaxConnTotal(options.maxConnections())
                .setMaxConnPerRoute(options.maxConnections())
                .setTlsSocketStrategy(
                    tls == null
                        ? null
                        : ClientTlsStrategyBuilder.create().setSslContext(tls).buildClassic())
                .setDefaultConnectionConfig(
                    ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.ofMilliseconds(options.connectTimeoutMillis()))
                        // A backstop only: core's deadline ends an exchange first.
                        .setSocketTimeout(Timeout.ofMilliseconds(options.requestTimeoutMillis()))
                        // Without automatic retries, a pooled connection the server closed
                        // would fail a report: one idle this long is checked before reuse.
                        .setValidateAfterInactivity(1, TimeUnit.SECONDS)
                        .build())
                .build())
        // Core's proxy choice: the JVM's selector (https.proxyHost...) unless the options set one.
        .setProxySelector(options.proxySelector())
        .setDefaultCredentialsProvider(credentials)
        .disableRedirectHandling()
        .disableAutomaticRetries()
        .disableCookieManagement()
        .disableContentCompression()
        .disableAuthCaching()
        .build();
  }

  /**
   * One exchange with {@link CloseableHttpClient#executeOpen}. An abort cancels the request, which
   * cancels whatever it waits for (a pooled connection, the connect, the answer, a read of the
   * body) and closes its connection; cancelled before it runs, HttpClient sends nothing.
   */
  private final class ApacheExchange implements Exchange {
    private final HttpPost post;

    ApacheExchange(HttpPost post) {
      this.post = post;
    }

    @Override
    public TransportResponse execute() throws IOException {
      HttpClientContext context = HttpClientContext.create();
      ClassicHttpResponse response;
      try {
        response = client.executeOpen(RoutingSupport.determineHost(post), post, context);
      } catch (HttpException | RuntimeException e) {
        // HttpClient's own I/O failures are the JDK's types already (ConnectException,
        // SocketTimeoutException, SSLException...) and pass through as they are.
        throw new IOException("Apache HttpClient failed: " + e, e);
      }
      try {
        if (context.getSSLSession() == null && "https".equalsIgnoreCase(post.getScheme())) {
          // No TLS yet, so not the server's answer: the proxy's to a CONNECT, handed back as one.
          throw new TunnelRefusedException(response.getCode(), null);
        }
        HttpEntity entity = response.getEntity();
        // Closing the answer releases it; after an abort its connection is closed: nothing drained.
        return TransportResponse.of(
            response.getCode(),
            name -> {
              List<String> values = new ArrayList<>(1);
              for (Header header : response.getHeaders(name)) {
                values.add(header.getValue());
              }
              return values;
            },
            entity == null ? null : entity.getContent(),
            response);
      } catch (IOException | RuntimeException e) { // or an entity a user's client wrapped failed
        Closer.closeQuietly(response);
        throw e;
      }
    }

    @Override
    public void abort() {
      post.cancel();
    }
  }

  /** Configures an {@link ApacheTransport}; everything is optional. */
  public static final class Builder extends TransportBuilder<CloseableHttpClient, Builder> {
    private Builder() {}

    /**
     * A client the caller already has and keeps owning: the transport never closes it, and its
     * settings (timeouts, proxy, TLS) rule, so setting a connect timeout, TLS material or a proxy
     * in the options fails the build. Each report still turns redirects off and cannot be resent.
     */
    public Builder httpClient(CloseableHttpClient client) {
      return client(client);
    }

    @Override
    public ApacheTransport build() {
      return new ApacheTransport(
          options(), givenClient("the CloseableHttpClient given to ApacheTransport"));
    }
  }
}
