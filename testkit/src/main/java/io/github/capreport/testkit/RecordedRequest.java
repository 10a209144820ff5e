package io.github.capreport.testkit;

import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One HTTP request as the {@link CapMonsterEmulator} received it, whatever it answered. {@link
 * #toString()} never shows the client key or the body that carries it.
 */
public final class RecordedRequest {
  private static final Charset UTF_8 = Charset.forName("UTF-8");

  private final String method;
  private final String path;
  private final String query;
  private final Map<String, List<String>> headers;
  private final byte[] body;
  private final InetSocketAddress remoteAddress;
  private final boolean misbehaved;
  private final Fault fault;
  private final Map<String, Object> jsonFields;
  private volatile PolicyVerdict verdict = PolicyVerdict.NONE;
  private volatile boolean trippedBlock;

  RecordedRequest(
      String method,
      String path,
      String query,
      Map<String, List<String>> headers,
      byte[] body,
      InetSocketAddress remoteAddress,
      boolean misbehaved,
      Fault fault) {
    this.method = method;
    this.path = path;
    this.query = query;
    Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (Map.Entry<String, List<String>> header : headers.entrySet()) {
      copy.put(header.getKey(), Collections.unmodifiableList(new ArrayList<>(header.getValue())));
    }
    this.headers = Collections.unmodifiableMap(copy);
    this.body = body.clone();
    this.remoteAddress = remoteAddress;
    this.misbehaved = misbehaved;
    this.fault = fault;
    Map<String, Object> fields;
    try {
      fields = FlatJson.parse(new String(body, UTF_8));
    } catch (IllegalArgumentException notAFlatObject) {
      fields = null;
    }
    this.jsonFields = fields;
  }

  /** The HTTP method, e.g. {@code POST}. */
  public String method() {
    return method;
  }

  /** The request path without the query, e.g. {@code /reportIncorrectImageCaptcha}. */
  public String path() {
    return path;
  }

  /** The raw query string, or null when the URL had none. */
  public String query() {
    return query;
  }

  /** Every request header, names compared without regard to case. */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** The first value of a header, or null when it was not sent. */
  public String header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** The body exactly as received. It holds the client key: do not print it. */
  public byte[] body() {
    return body.clone();
  }

  /** The body decoded as UTF-8. It holds the client key: do not print it. */
  public String bodyText() {
    return new String(body, UTF_8);
  }

  /** The client's address and port: each TCP connection has its own port. */
  public InetSocketAddress remoteAddress() {
    return remoteAddress;
  }

  /**
   * Whether the emulator answered this request with a misbehaviour, queued or an injected {@link
   * Fault}, instead of answering it as the API would.
   */
  public boolean misbehaved() {
    return misbehaved;
  }

  /** The fault injected into this request, or null when none was. */
  public Fault fault() {
    return fault;
  }

  /**
   * Which rule of the emulator's {@link VendorPolicy} answered or counted this request; {@link
   * PolicyVerdict#NONE} without a policy. Set before the answer is sent.
   */
  public PolicyVerdict verdict() {
    return verdict;
  }

  /**
   * Whether this request started a {@link VendorPolicy} block (its own answer is its verdict's).
   */
  public boolean trippedBlock() {
    return trippedBlock;
  }

  void policy(PolicyVerdict verdict, boolean trippedBlock) {
    this.trippedBlock = trippedBlock;
    this.verdict = verdict;
  }

  /** Whether the body is one flat JSON object, whatever its fields. */
  public boolean isJsonObject() {
    return jsonFields != null;
  }

  /** The names of the body's JSON fields in order; empty when the body is not a JSON object. */
  public Set<String> jsonFieldNames() {
    return jsonFields == null ? Collections.<String>emptySet() : jsonFields.keySet();
  }

  /** The body's {@code clientKey} when it is a JSON string, otherwise null. A secret. */
  public String clientKey() {
    Object key = jsonFields == null ? null : jsonFields.get("clientKey");
    return key instanceof String ? (String) key : null;
  }

  /**
   * The body's {@code taskId} when it is a JSON integer that fits a {@code long}; null when it is
   * absent, a string, a fraction or out of range.
   */
  public Long taskId() {
    Object id = jsonFields == null ? null : jsonFields.get("taskId");
    if (!(id instanceof BigDecimal)) {
      return null;
    }
    try {
      return ((BigDecimal) id).longValueExact();
    } catch (ArithmeticException notALong) {
      return null;
    }
  }

  /** Whether the body is the API's: a JSON object with a string clientKey and an integer taskId. */
  public boolean isWellFormedReport() {
    return clientKey() != null && taskId() != null;
  }

  @Override
  public String toString() {
    StringBuilder sb =
        new StringBuilder("RecordedRequest{").append(method).append(' ').append(path);
    if (isWellFormedReport()) {
      sb.append(", taskId=").append(taskId()).append(", clientKey=<redacted>");
    } else {
      sb.append(", ").append(body.length).append(" body bytes, not a report");
    }
    String contentType = header("Content-Type");
    if (contentType != null) {
      sb.append(", Content-Type=").append(contentType);
    }
    if (verdict != PolicyVerdict.NONE) {
      sb.append(", verdict=").append(verdict);
    }
    if (trippedBlock) {
      sb.append(", tripped a block");
    }
    if (fault != null) {
      sb.append(", fault=").append(fault);
    } else if (misbehaved) {
      sb.append(", misbehaved");
    }
    return sb.append(", from ").append(remoteAddress).append('}').toString();
  }
}
