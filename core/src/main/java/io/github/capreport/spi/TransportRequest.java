package io.github.capreport.spi;

import io.github.capreport.ReportEndpoint;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One report's HTTP request, ready to send: where, which headers, which bytes. Immutable. Made by
 * the client, which builds the URI and headers once per endpoint and only adds each report's body.
 * {@link #toString()} never shows the body, which holds the client key.
 */
public final class TransportRequest {
  private static final byte[] NO_BODY = new byte[0];

  private final URI uri;
  private final ReportEndpoint endpoint;
  private final Map<String, String> headers;
  private final long taskId;
  private final byte[] body;

  /**
   * A request to {@code uri} with these headers (copied, in order) and no body yet; {@link
   * #withBody} makes each report's request from it.
   */
  public TransportRequest(URI uri, ReportEndpoint endpoint, Map<String, String> headers) {
    this(
        requireNonNull(uri, "uri"),
        requireNonNull(endpoint, "endpoint"),
        Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(headers, "headers"))),
        0,
        NO_BODY);
  }

  private TransportRequest(
      URI uri, ReportEndpoint endpoint, Map<String, String> headers, long taskId, byte[] body) {
    this.uri = uri;
    this.endpoint = endpoint;
    this.headers = headers;
    this.taskId = taskId;
    this.body = body;
  }

  /** This request for one task, with its JSON body; shares the URI and headers. */
  public TransportRequest withBody(long taskId, byte[] body) {
    return new TransportRequest(
        uri, endpoint, headers, taskId, requireNonNull(body, "body").clone());
  }

  /** The absolute URI to POST to: the base URL followed by the endpoint's path. */
  public URI uri() {
    return uri;
  }

  public ReportEndpoint endpoint() {
    return endpoint;
  }

  /** Headers to send, in order, exactly: Content-Type, Accept and User-Agent. Unmodifiable. */
  public Map<String, String> headers() {
    return headers;
  }

  /** The task this request reports; 0 for a request without a body yet. */
  public long taskId() {
    return taskId;
  }

  /** The JSON body, a copy: it holds the client key, a secret never to be logged. */
  public byte[] body() {
    return body.clone();
  }

  /** The body's length in bytes. */
  public int bodyLength() {
    return body.length;
  }

  @Override
  public String toString() {
    return "TransportRequest{POST " + uri.getPath() + ", taskId=" + taskId + ", body=<redacted>}";
  }

  private static <T> T requireNonNull(T value, String name) {
    if (value == null) {
      throw new NullPointerException(name + " == null");
    }
    return value;
  }
}
