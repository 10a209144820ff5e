package io.github.capreport.spi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.util.Arrays;

/**
 * An answer as received: the HTTP status, the {@code Retry-After} header, and either the decoded
 * envelope or a preview of a body that was not one. Made with {@link #read}.
 */
public final class TransportResponse {
  /** How many characters of an unexpected body are kept for diagnosis. */
  public static final int PREVIEW_CHARS = 200;

  /** The first read buffer; it doubles as needed, up to the limit. */
  private static final int INITIAL_READ_BYTES = 256;

  private static final Charset UTF_8 = Charset.forName("UTF-8");

  private final int statusCode;
  private final String retryAfter;
  private final ResponseEnvelope envelope;
  private final String problem;

  /** The body of a decoded answer, kept to make its preview only if asked: most never are. */
  private final byte[] body;

  /** Made on first use when {@link #body} is set; racing threads make equal strings. */
  private String bodyPreview;

  private TransportResponse(
      int statusCode,
      String retryAfter,
      ResponseEnvelope envelope,
      String bodyPreview,
      String problem) {
    this(statusCode, retryAfter, envelope, bodyPreview, problem, null);
  }

  private TransportResponse(
      int statusCode,
      String retryAfter,
      ResponseEnvelope envelope,
      String bodyPreview,
      String problem,
      byte[] body) {
    this.statusCode = statusCode;
    this.retryAfter = retryAfter;
    this.envelope = envelope;
    this.bodyPreview = bodyPreview;
    this.problem = problem;
    this.body = body;
  }

  /**
   * Reads at most {@code maxBytes} of {@code body} and decodes them with {@code parser}. A body
   * that is empty, larger than {@code maxBytes}, or that the parser rejects yields a response
   * without an envelope, which says why. Does not close {@code body}: the caller closes it, which
   * for an oversized body means dropping the connection rather than draining it.
   *
   * @param body the answer's body; null is read as empty
   * @throws IOException when reading the body fails: the answer was cut off
   */
  public static TransportResponse read(
      int statusCode, String retryAfter, InputStream body, int maxBytes, EnvelopeParser parser)
      throws IOException {
    byte[] bytes = readAtMost(body, maxBytes + 1);
    if (bytes.length > maxBytes) {
      return new TransportResponse(
          statusCode,
          retryAfter,
          null,
          null,
          "the body is larger than " + maxBytes + " bytes",
          bytes);
    }
    if (bytes.length == 0) {
      return new TransportResponse(statusCode, retryAfter, null, "", "the body is empty");
    }
    ResponseEnvelope envelope;
    try {
      envelope = parser.parse(bytes);
    } catch (Exception e) {
      return new TransportResponse(
          statusCode, retryAfter, null, null, "the body is not a JSON object", bytes);
    }
    if (envelope == null) {
      return new TransportResponse(
          statusCode, retryAfter, null, null, "the body is not a JSON object", bytes);
    }
    return new TransportResponse(statusCode, retryAfter, envelope, null, null, bytes);
  }

  public int statusCode() {
    return statusCode;
  }

  /** The raw {@code Retry-After} header; null when absent. */
  public String retryAfter() {
    return retryAfter;
  }

  /** The decoded JSON object; null when the body was not one. */
  public ResponseEnvelope envelope() {
    return envelope;
  }

  /** The first {@value #PREVIEW_CHARS} characters of the body, control characters blanked. */
  public String bodyPreview() {
    String preview = bodyPreview;
    if (preview == null) {
      preview = preview(bodyText(PREVIEW_CHARS));
      bodyPreview = preview;
    }
    return preview;
  }

  /**
   * The first {@code maxChars} characters of the body as read, decoded as UTF-8: for a preview that
   * must be redacted before it is cut, so that no part of a secret survives at the cut.
   */
  public String bodyText(int maxChars) {
    if (body == null) {
      return "";
    }
    // Four bytes per char at most in UTF-8: decoding more than that could not add characters.
    int take = (int) Math.min(body.length, 4L * maxChars);
    String text = new String(body, 0, take, UTF_8);
    return text.length() > maxChars ? text.substring(0, maxChars) : text;
  }

  /** Why there is no envelope; null when there is one. */
  public String problem() {
    return problem;
  }

  @Override
  public String toString() {
    return "TransportResponse{status=" + statusCode + ", envelope=" + envelope + "}";
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
}
