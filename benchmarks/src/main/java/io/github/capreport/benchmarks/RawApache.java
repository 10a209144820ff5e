package io.github.capreport.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * The raw baseline for the apache transport: a hand-written report with a pooled {@code
 * CloseableHttpClient} and Jackson, no capreport code. Pool and timeouts are those {@code
 * ApacheTransport} gives its own client (64 connections, validate after 1 s idle, no redirects, no
 * retries); asynchronous reports run the classic call on 64 threads, as the transport does.
 */
final class RawApache implements Reporter {
  static final int CONNECTIONS = 64;

  private final CloseableHttpClient client;
  private final ObjectMapper mapper = new ObjectMapper();
  private final String uri;
  private final String userAgent = Bench.rawUserAgent("apache");
  private final ExecutorService workers =
      Executors.newFixedThreadPool(
          CONNECTIONS,
          runnable -> {
            Thread thread = new Thread(runnable, "raw-apache");
            thread.setDaemon(true);
            return thread;
          });

  RawApache(String baseUrl) {
    this.uri = baseUrl + Bench.PATH;
    Timeout requestTimeout = Timeout.ofSeconds(30);
    RequestConfig config =
        RequestConfig.custom()
            .setConnectionRequestTimeout(requestTimeout)
            .setResponseTimeout(requestTimeout)
            .setRedirectsEnabled(false)
            .setContentCompressionEnabled(false)
            .setExpectContinueEnabled(false)
            .build();
    this.client =
        HttpClientBuilder.create()
            .setConnectionManager(
                PoolingHttpClientConnectionManagerBuilder.create()
                    .setMaxConnTotal(CONNECTIONS)
                    .setMaxConnPerRoute(CONNECTIONS)
                    .setDefaultConnectionConfig(
                        ConnectionConfig.custom()
                            .setConnectTimeout(Timeout.ofSeconds(10))
                            .setSocketTimeout(requestTimeout)
                            .setValidateAfterInactivity(1, TimeUnit.SECONDS)
                            .build())
                    .build())
            .setDefaultRequestConfig(config)
            .setUserAgent(userAgent)
            .disableRedirectHandling()
            .disableAutomaticRetries()
            .disableCookieManagement()
            .disableContentCompression()
            .disableAuthCaching()
            .build();
  }

  @Override
  public Object report() throws IOException {
    ObjectNode body = mapper.createObjectNode();
    body.put("clientKey", Bench.CLIENT_KEY);
    body.put("taskId", Bench.TASK_ID);
    HttpPost post = new HttpPost(uri);
    post.setHeader("Content-Type", "application/json");
    post.setHeader("Accept", "application/json");
    post.setHeader("User-Agent", userAgent);
    post.setEntity(new ByteArrayEntity(mapper.writeValueAsBytes(body), null));
    return client.execute(
        post, response -> check(response.getCode(), EntityUtils.toByteArray(response.getEntity())));
  }

  @Override
  public void reportAsync(Done done) {
    workers.execute(
        () -> {
          try {
            report();
          } catch (Exception | Error e) {
            done.done(e);
            return;
          }
          done.done(null);
        });
  }

  private JsonNode check(int status, byte[] body) throws IOException {
    JsonNode answer = mapper.readTree(body);
    if (answer == null
        || answer.path("errorId").asLong(-1) != 0
        || !"success".equals(answer.path("status").asText())) {
      throw new IOException("not accepted: HTTP " + status + " " + answer);
    }
    return answer;
  }

  @Override
  public void close() {
    workers.shutdownNow();
    client.close(CloseMode.IMMEDIATE);
  }
}
