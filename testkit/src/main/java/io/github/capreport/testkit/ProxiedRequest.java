package io.github.capreport.testkit;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one client connection asked a {@link ForwardProxy}, and the bytes that passed through it:
 * the proxy takes one request per connection (every answer of its own says {@code Connection:
 * close}). {@link #toString()} shows no header value, so no credentials.
 *
 * <p>Thread-safe: the status and the bytes grow while the connection relays; read them after the
 * client has its answer.
 */
public final class ProxiedRequest {
  /** Bytes kept per direction; a test client sends far fewer. */
  static final int MAX_KEPT_BYTES = 8 * 1024 * 1024;

  private final String method;
  private final String target;
  private final String version;
  private final Map<String, List<String>> headers;
  private final ByteArrayOutputStream fromClient = new ByteArrayOutputStream();
  private final ByteArrayOutputStream toClient = new ByteArrayOutputStream();
  private volatile int status;
  private volatile ForwardProxy.Failure failure;

  ProxiedRequest(String method, String target, String version, List<String[]> received) {
    this.method = method;
    this.target = target;
    this.version = version;
    Map<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String[] header : received) {
      List<String> values = map.get(header[0]);
      if (values == null) {
        values = new ArrayList<>();
        map.put(header[0], values);
      }
      values.add(header[1]);
    }
    for (Map.Entry<String, List<String>> entry : map.entrySet()) {
      entry.setValue(Collections.unmodifiableList(entry.getValue()));
    }
    this.headers = Collections.unmodifiableMap(map);
  }

  /** The method, e.g. {@code POST} or {@code CONNECT}. */
  public String method() {
    return method;
  }

  /**
   * The request target as received: an absolute URI ({@code http://127.0.0.1:8080/path}) for a
   * forwarded request, an authority ({@code 127.0.0.1:8443}) for {@code CONNECT}.
   */
  public String target() {
    return target;
  }

  /** The HTTP version of the request line, e.g. {@code HTTP/1.1}. */
  public String version() {
    return version;
  }

  /** Whether this was a {@code CONNECT}: a tunnel. */
  public boolean isConnect() {
    return "CONNECT".equalsIgnoreCase(method);
  }

  /**
   * The headers as the proxy received them, names compared without regard to case; {@code
   * Proxy-Authorization} among them when the client sent it. They may hold credentials.
   */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** The first value of a header, or null when it was not sent. */
  public String header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /**
   * The status the client got: the proxy's own (407, 200 for an established tunnel, a failure's)
   * or, for a forwarded request, the origin's; 0 while there is none, or when the connection ended
   * without one.
   */
  public int status() {
    return status;
  }

  /** The {@link ForwardProxy.Failure} that answered this request, or null when none did. */
  public ForwardProxy.Failure failure() {
    return failure;
  }

  /**
   * Every byte the client sent on this connection, as received: the head, then the body or, for a
   * tunnel, the tunnelled bytes (TLS records, for HTTPS). Up to {@value #MAX_KEPT_BYTES} bytes.
   */
  public byte[] bytesFromClient() {
    synchronized (fromClient) {
      return fromClient.toByteArray();
    }
  }

  /**
   * Every byte the proxy relayed to the client from the origin, as the origin sent it; not the
   * proxy's own answers (407, {@code 200 Connection established}, a failure's).
   */
  public byte[] bytesToClient() {
    synchronized (toClient) {
      return toClient.toByteArray();
    }
  }

  /** Whether {@code bytes} appear, whole, in what passed through this connection either way. */
  boolean sawInClear(byte[] bytes) {
    return contains(bytesFromClient(), bytes) || contains(bytesToClient(), bytes);
  }

  void fromClient(byte[] bytes, int length) {
    append(fromClient, bytes, length);
  }

  void toClient(byte[] bytes, int length) {
    append(toClient, bytes, length);
  }

  void answered(int status, ForwardProxy.Failure failure) {
    this.failure = failure;
    this.status = status;
  }

  private static void append(ByteArrayOutputStream out, byte[] bytes, int length) {
    synchronized (out) {
      out.write(bytes, 0, Math.max(0, Math.min(length, MAX_KEPT_BYTES - out.size())));
    }
  }

  static boolean contains(byte[] haystack, byte[] needle) {
    if (needle.length == 0) {
      return true;
    }
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  @Override
  public String toString() {
    StringBuilder sb =
        new StringBuilder("ProxiedRequest{").append(method).append(' ').append(target);
    sb.append(", status ").append(status);
    if (failure != null) {
      sb.append(", failure=").append(failure);
    }
    if (headers.containsKey("Proxy-Authorization")) {
      sb.append(", Proxy-Authorization=<redacted>");
    }
    return sb.append('}').toString();
  }
}
