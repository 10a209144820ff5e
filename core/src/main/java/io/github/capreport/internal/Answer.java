package io.github.capreport.internal;

import io.github.capreport.spi.JsonBinding;
import io.github.capreport.spi.TransportResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.util.Arrays;

/**
 * An answer as read: the HTTP status, the {@code Retry-After} header, and the decoded envelope or
 * why there is none. The body is read here, for every transport, up to a bound.
 */
public final class Answer {
  /** How many characters of an unexpected body are kept for diagnosis. */
  public static final int PREVIEW_CHARS = 200;

  /** The first read buffer; it doubles as needed, up to the limit. */
  private static final int INITIAL_READ_BYTES = 256;

  private static final Charset UTF_8 = Charset.forName("UTF-8");

  private final int statusCode;
  private final String retryAfter;
  private final Envelope envelope;
  private final String problem;
  private final byte[] body;
  private final boolean complete;

  private Answer(
      int statusCode,
      String retryAfter,
      Envelope envelope,
      String problem,
      byte[] body,
      boolean complete) {
    this.statusCode = statusCode;
    this.retryAfter = retryAfter;
    this.envelope = envelope;
    this.problem = problem;
    this.body = body;
    this.complete = complete;
  }

  /**
   * Reads at most {@code maxBytes} of the body and decodes them with {@code json}. A body that is
   * empty, larger than {@code maxBytes}, or that the binding rejects yields an answer without an
   * envelope, which says why. Does not close the response.
   *
   * @throws IOException when reading the body fails: the answer was cut off
   */
  public static Answer read(TransportResponse response, int maxBytes, JsonBinding json)
      throws IOException {
    int status = response.statusCode();
    String retryAfter = response.header("Retry-After");
    byte[] bytes = readAtMost(response.body(), maxBytes + 1);
    if (bytes.length > maxBytes) {
      return new Answer(
          status, retryAfter, null, "the body is larger than " + maxBytes + " bytes", bytes, false);
    }
    if (bytes.length == 0) {
      return new Answer(status, retryAfter, null, "the body is empty", bytes, true);
    }
    Envelope envelope = new Envelope();
    try {
      json.readMembers(withoutByteOrderMark(bytes), envelope);
      envelope.complete = true;
    } catch (Exception e) {
      envelope = null;
    }
    return new Answer(
        status,
        retryAfter,
        envelope,
        envelope == null ? "the body is not a JSON object" : null,
        bytes,
        true);
  }

  /**
   * RFC 8259 lets a reader ignore a UTF-8 byte order mark; Jackson does and Moshi does not, so core
   * drops it before either sees the body.
   */
  private static byte[] withoutByteOrderMark(byte[] bytes) {
    return bytes.length >= 3
            && bytes[0] == (byte) 0xEF
            && bytes[1] == (byte) 0xBB
            && bytes[2] == (byte) 0xBF
        ? Arrays.copyOfRange(bytes, 3, bytes.length)
        : bytes;
  }

  public int statusCode() {
    return statusCode;
  }

  /** The raw {@code Retry-After} header; null when absent. */
  public String retryAfter() {
    return retryAfter;
  }

  /** The decoded JSON object; null when the body was not one. */
  Envelope envelope() {
    return envelope;
  }

  /** Why there is no envelope; null when there is one. */
  public String problem() {
    return problem;
  }

  /** Whether the body was read to its end; false when it was larger than the bound. */
  public boolean complete() {
    return complete;
  }

  /**
   * The first {@code maxChars} characters of the body, decoded as UTF-8: for a preview that must be
   * redacted before it is cut, so that no part of a secret survives at the cut.
   */
  public String bodyText(int maxChars) {
    // Four bytes per char at most in UTF-8: decoding more than that could not add characters.
    int take = (int) Math.min(body.length, 4L * maxChars);
    String text = new String(body, 0, take, UTF_8);
    return text.length() > maxChars ? text.substring(0, maxChars) : text;
  }

  /** The first {@value #PREVIEW_CHARS} characters of {@code text}, control characters blanked. */
  public static String preview(String text) {
    if (text.length() > PREVIEW_CHARS) {
      text = text.substring(0, PREVIEW_CHARS);
    }
    StringBuilder sb = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      sb.append(c < 0x20 || c == 0x7f ? ' ' : c);
    }
    return sb.toString().trim();
  }

  @Override
  public String toString() {
    return "Answer{status=" + statusCode + ", envelope=" + (envelope != null) + "}";
  }

  private static byte[] readAtMost(InputStream in, int limit) throws IOException {
    if (in == null) {
      return new byte[0];
    }
    // The API's answers are a few dozen bytes: start small and grow, rather than pay for an 8 KiB
    // buffer and a second copy on every report.
    byte[] buffer = new byte[Math.min(limit, INITIAL_READ_BYTES)];
    int total = 0;
    while (total < limit) {
      if (total == buffer.length) {
        buffer = Arrays.copyOf(buffer, (int) Math.min(limit, 2L * buffer.length));
      }
      int n = in.read(buffer, total, buffer.length - total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total == buffer.length ? buffer : Arrays.copyOf(buffer, total);
  }
}
