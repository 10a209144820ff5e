package io.github.capreport.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The raw baseline for the jdk transport: a hand-written report with java.net.http and Jackson, no
 * capreport code. The client is configured as {@code JdkTransport} configures its own (connect
 * timeout, no redirects, a cached pool of daemon threads), and the request carries the same headers
 * and body.
 */
final class RawJdk implements Reporter {
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "raw-jdk");
            thread.setDaemon(true);
            return thread;
          });
  private final HttpClient client =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .followRedirects(HttpClient.Redirect.NEVER)
          .executor(executor)
          .build();
  private final ObjectMapper mapper = new ObjectMapper();
  private final URI uri;
  private final String userAgent = Bench.rawUserAgent("jdk");
  private final Duration timeout = Duration.ofSeconds(30);

  RawJdk(String baseUrl) {
    this.uri = URI.create(baseUrl + Bench.PATH);
  }

  @Override
  public Object report() throws IOException, InterruptedException {
    HttpResponse<byte[]> response = client.send(request(), HttpResponse.BodyHandlers.ofByteArray());
    return check(response.statusCode(), response.body());
  }

  @Override
  public void reportAsync(Done done) {
    HttpRequest request;
    try {
      request = request();
    } catch (IOException e) {
      done.done(e);
      return;
    }
    client
        .sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .whenComplete(
            (response, error) -> {
              if (error != null) {
                done.done(error);
                return;
              }
              try {
                check(response.statusCode(), response.body());
              } catch (IOException e) {
                done.done(e);
                return;
              }
              done.done(null);
            });
  }

  private HttpRequest request() throws IOException {
    ObjectNode body = mapper.createObjectNode();
    body.put("clientKey", Bench.CLIENT_KEY);
    body.put("taskId", Bench.TASK_ID);
    return HttpRequest.newBuilder(uri)
        // As JdkTransport does over plain http: no h2c upgrade request on every report.
        .version(HttpClient.Version.HTTP_1_1)
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .header("User-Agent", userAgent)
        .POST(HttpRequest.BodyPublishers.ofByteArray(mapper.writeValueAsBytes(body)))
        .build();
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
    executor.shutdownNow();
  }
}
