package io.github.capreport.spi;

import java.io.Closeable;
import java.io.InputStream;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An answer's status and headers, with its body unread, as a transport hands it to core: core reads
 * the body, bounded, decides what it means, and closes it. Like AWS SDK v2's {@code
 * HttpExecuteResponse}, a value the transport fills in from its library's answer, so that which
 * header value counts and how a release fails are decided here, once.
 */
public final class TransportResponse implements Closeable {
  /** A library's lookup of an answer's headers. */
  public interface Headers {
    /**
     * Every value of the header {@code name}, matched without regard to case, in the order
     * received; empty when absent.
     */
    List<String> values(String name);
  }

  private final int statusCode;
  private final Headers headers;
  private final @Nullable InputStream body;
  private final @Nullable Closeable release;

  private TransportResponse(
      int statusCode, Headers headers, @Nullable InputStream body, @Nullable Closeable release) {
    this.statusCode = statusCode;
    this.headers = headers;
    this.body = body;
    this.release = release;
  }

  /**
   * @param body the body, unread; null or an empty stream when there is none
   * @param release what releases the answer, null when there is nothing to: after the body was read
   *     to its end the connection may be reused; core aborts the exchange first when it leaves a
   *     body unread, so that nothing is drained
   */
  public static TransportResponse of(
      int statusCode, Headers headers, @Nullable InputStream body, @Nullable Closeable release) {
    if (headers == null) {
      throw new NullPointerException("headers == null");
    }
    return new TransportResponse(statusCode, headers, body, release);
  }

  public int statusCode() {
    return statusCode;
  }

  /** The first value of the header {@code name}, matched without regard to case; null if absent. */
  public @Nullable String header(String name) {
    List<String> values = headers.values(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** The body, unread; null when there is none. */
  public @Nullable InputStream body() {
    return body;
  }

  /** Releases the answer; what that throws is ignored: the exchange is over. */
  @Override
  public void close() {
    try {
      if (release != null) {
        release.close();
      }
    } catch (Exception ignored) {
      // Nothing more to release.
    }
  }

  @Override
  public String toString() {
    return "TransportResponse{" + statusCode + "}";
  }
}
