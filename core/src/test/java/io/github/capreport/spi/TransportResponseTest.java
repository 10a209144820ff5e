package io.github.capreport.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TransportResponseTest {
  private static final EnvelopeParser SUCCESS =
      json -> new ResponseEnvelope(0L, null, null, "success");

  @Test
  void decodesABodyWithinTheLimit() throws IOException {
    TransportResponse r = TransportResponse.read(200, "5", stream("{}"), 10, SUCCESS);
    assertNotNull(r.envelope());
    assertNull(r.problem());
    assertEquals("5", r.retryAfter());
    assertEquals(200, r.statusCode());
  }

  @Test
  void aDecodedAnswerStillHasItsPreview() throws IOException {
    TransportResponse r =
        TransportResponse.read(
            200, null, stream("{\"errorId\":0,\n\"status\":\"ok\"}"), 100, SUCCESS);
    assertNotNull(r.envelope());
    assertEquals("{\"errorId\":0, \"status\":\"ok\"}", r.bodyPreview());
    assertEquals(r.bodyPreview(), r.bodyPreview());
  }

  @Test
  void stopsReadingPastTheLimitAndNeverParses() throws IOException {
    AtomicInteger served = new AtomicInteger();
    InputStream endless =
        new InputStream() {
          @Override
          public int read() {
            served.incrementAndGet();
            return 'x';
          }
        };
    TransportResponse r =
        TransportResponse.read(
            200,
            null,
            endless,
            1000,
            json -> {
              throw new AssertionError("an oversized body must not be parsed");
            });
    assertNull(r.envelope());
    assertEquals("the body is larger than 1000 bytes", r.problem());
    assertEquals(1001, served.get());
    assertEquals(TransportResponse.PREVIEW_CHARS, r.bodyPreview().length());
  }

  @Test
  void anEmptyOrMissingBodyIsAProblem() throws IOException {
    assertEquals(
        "the body is empty", TransportResponse.read(200, null, stream(""), 10, SUCCESS).problem());
    assertEquals(
        "the body is empty", TransportResponse.read(204, null, null, 10, SUCCESS).problem());
  }

  @Test
  void aParserFailureIsAProblemWithAPreview() throws IOException {
    TransportResponse r =
        TransportResponse.read(
            502,
            null,
            stream("<html>\n\tBad gateway\r\n</html>"),
            100,
            json -> {
              throw new IOException("unexpected <");
            });
    assertNull(r.envelope());
    assertEquals("the body is not a JSON object", r.problem());
    assertEquals("<html>  Bad gateway  </html>", r.bodyPreview());
  }

  @Test
  void aNullEnvelopeIsAProblem() throws IOException {
    assertEquals(
        "the body is not a JSON object",
        TransportResponse.read(200, null, stream("[]"), 100, json -> null).problem());
  }

  @Test
  void theParserSeesExactlyTheBody() throws IOException {
    byte[][] seen = new byte[1][];
    TransportResponse.read(
        200,
        null,
        stream("{\"errorId\":0}"),
        100,
        json -> {
          seen[0] = json;
          return null;
        });
    assertEquals("{\"errorId\":0}", new String(seen[0], StandardCharsets.UTF_8));
  }

  @Test
  void aBodyLargerThanTheFirstBufferArrivingInPiecesIsReadWhole() throws IOException {
    byte[] body = new byte[5000];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) ('a' + i % 26);
    }
    for (int limit : new int[] {5000, 5001, 65536}) {
      byte[][] seen = new byte[1][];
      TransportResponse r =
          TransportResponse.read(
              200,
              null,
              trickle(body, 7),
              limit,
              json -> {
                seen[0] = json;
                return new ResponseEnvelope(0L, null, null, "success");
              });
      assertNull(r.problem(), "limit " + limit);
      assertArrayEquals(body, seen[0], "limit " + limit);
    }
    assertEquals(
        "the body is larger than 4999 bytes",
        TransportResponse.read(200, null, trickle(body, 7), 4999, SUCCESS).problem());
  }

  /** A stream that hands out at most {@code chunk} bytes a read, as a socket may. */
  private static InputStream trickle(byte[] bytes, int chunk) {
    return new ByteArrayInputStream(bytes) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, chunk));
      }
    };
  }

  @Test
  void aBrokenStreamIsAnIoFailure() {
    InputStream broken =
        new InputStream() {
          @Override
          public int read() throws IOException {
            throw new IOException("connection reset");
          }
        };
    assertThrows(IOException.class, () -> TransportResponse.read(200, null, broken, 100, SUCCESS));
  }

  @Test
  void previewIsCutAtTwoHundredCharacters() throws IOException {
    char[] many = new char[5000];
    Arrays.fill(many, 'é');
    TransportResponse r =
        TransportResponse.read(
            500,
            null,
            stream(new String(many)),
            65536,
            json -> {
              throw new IOException("no");
            });
    assertEquals(200, r.bodyPreview().length());
  }

  private static InputStream stream(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }
}
