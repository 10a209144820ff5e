package io.github.capreport.spi;

import io.github.capreport.ReportEndpoint;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One report, ready to send: where, which headers, and the two body fields. Made by the client,
 * already validated. {@link #toString()} never shows the client key.
 */
public final class TransportRequest {
  private final URI uri;
  private final ReportEndpoint endpoint;
  private final String clientKey;
  private final long taskId;
  private final Map<String, String> headers;
  private final int maxResponseBytes;

  /** The headers made last; see {@link #headersFor}. */
  private static volatile Headers lastHeaders;

  public TransportRequest(
      URI uri,
      ReportEndpoint endpoint,
      String clientKey,
      long taskId,
      String userAgent,
      int maxResponseBytes) {
    if (uri == null || endpoint == null || clientKey == null || userAgent == null) {
      throw new NullPointerException("uri, endpoint, clientKey and userAgent are required");
    }
    if (maxResponseBytes <= 0) {
      throw new IllegalArgumentException("maxResponseBytes must be > 0");
    }
    this.uri = uri;
    this.endpoint = endpoint;
    this.clientKey = clientKey;
    this.taskId = taskId;
    this.maxResponseBytes = maxResponseBytes;
    this.headers = headersFor(userAgent);
  }

  /**
   * The headers for this User-Agent. They depend on nothing else, and a client sends one
   * User-Agent, so the last map made is kept and shared by the requests that follow: immutable,
   * safe to share.
   */
  private static Map<String, String> headersFor(String userAgent) {
    Headers last = lastHeaders;
    if (last != null && last.userAgent.equals(userAgent)) {
      return last.map;
    }
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Content-Type", "application/json");
    h.put("Accept", "application/json");
    h.put("User-Agent", userAgent);
    Map<String, String> map = Collections.unmodifiableMap(h);
    lastHeaders = new Headers(userAgent, map);
    return map;
  }

  private static final class Headers {
    final String userAgent;
    final Map<String, String> map;

    Headers(String userAgent, Map<String, String> map) {
      this.userAgent = userAgent;
      this.map = map;
    }
  }

  /** The absolute URI to POST to: the base URL followed by the endpoint's path. */
  public URI uri() {
    return uri;
  }

  public ReportEndpoint endpoint() {
    return endpoint;
  }

  /** The body's {@code clientKey}. A secret: never log it. */
  public String clientKey() {
    return clientKey;
  }

  /** The body's {@code taskId}, to be written as a JSON number. */
  public long taskId() {
    return taskId;
  }

  /** Headers to send, in order: Content-Type, Accept and User-Agent. */
  public Map<String, String> headers() {
    return headers;
  }

  public String userAgent() {
    return headers.get("User-Agent");
  }

  /** The most bytes of answer body to read; pass it to {@link TransportResponse#read}. */
  public int maxResponseBytes() {
    return maxResponseBytes;
  }

  @Override
  public String toString() {
    // The key could have been placed in the base URL's path as well.
    String where = uri.toString().replace(clientKey, "<redacted>");
    return "TransportRequest{POST " + where + ", taskId=" + taskId + ", clientKey=<redacted>}";
  }
}
