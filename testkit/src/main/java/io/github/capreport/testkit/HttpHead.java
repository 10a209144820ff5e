package io.github.capreport.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The start line and header lines of one HTTP/1.1 message as received, for the {@link
 * ForwardProxy}. Read a byte at a time, so that nothing after the blank line is consumed: the body
 * and tunnelled bytes stay in the stream for the relay.
 */
final class HttpHead {
  static final Charset LATIN_1 = Charset.forName("ISO-8859-1");

  /** A head larger than this is refused: no test client sends one. */
  static final int MAX_BYTES = 64 * 1024;

  private final byte[] raw;
  private final String startLine;
  private final List<String[]> headers;

  private HttpHead(byte[] raw, String startLine, List<String[]> headers) {
    this.raw = raw;
    this.startLine = startLine;
    this.headers = headers;
  }

  /**
   * Reads up to and including the blank line.
   *
   * @return null when the stream ended before the first byte
   * @throws IOException when it ends mid-head, or the head is over {@link #MAX_BYTES}
   */
  static HttpHead read(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (bytes.size() == 0) {
          return null;
        }
        throw new IOException("the stream ended inside an HTTP head");
      }
      bytes.write(b);
      if (bytes.size() > MAX_BYTES) {
        throw new IOException("an HTTP head over " + MAX_BYTES + " bytes");
      }
      if (b != '\n') {
        line.append((char) b);
        continue;
      }
      int length = line.length();
      String text =
          length > 0 && line.charAt(length - 1) == '\r'
              ? line.substring(0, length - 1)
              : line.toString();
      line.setLength(0);
      if (text.isEmpty()) {
        if (lines.isEmpty()) {
          continue; // a stray CRLF before the start line, as RFC 9112 allows
        }
        break;
      }
      lines.add(text);
    }
    List<String[]> headers = new ArrayList<>();
    for (String header : lines.subList(1, lines.size())) {
      int colon = header.indexOf(':');
      if (colon <= 0) {
        throw new IOException("a header line without a name");
      }
      headers.add(
          new String[] {header.substring(0, colon).trim(), header.substring(colon + 1).trim()});
    }
    return new HttpHead(bytes.toByteArray(), lines.get(0), Collections.unmodifiableList(headers));
  }

  /** The bytes as received, blank line included. */
  byte[] raw() {
    return raw.clone();
  }

  String startLine() {
    return startLine;
  }

  /** Each header as {name, value}, in the order received. */
  List<String[]> headers() {
    return headers;
  }

  /** The first value of a header, its name compared without regard to case; null when absent. */
  String header(String name) {
    for (String[] header : headers) {
      if (header[0].equalsIgnoreCase(name)) {
        return header[1];
      }
    }
    return null;
  }

  /**
   * This head with another start line, without the headers named in {@code dropped} (lower case) or
   * in its {@code Connection} header, and with {@code Connection: close} added.
   */
  byte[] rewritten(String newStartLine, Set<String> dropped) {
    Set<String> hopByHop = new HashSet<>(dropped);
    String connection = header("Connection");
    if (connection != null) {
      for (String token : connection.split(",")) {
        hopByHop.add(token.trim().toLowerCase(Locale.ROOT));
      }
    }
    StringBuilder sb = new StringBuilder(newStartLine).append("\r\n");
    for (String[] header : headers) {
      if (!hopByHop.contains(header[0].toLowerCase(Locale.ROOT))) {
        sb.append(header[0]).append(": ").append(header[1]).append("\r\n");
      }
    }
    return sb.append("Connection: close\r\n\r\n").toString().getBytes(LATIN_1);
  }
}
