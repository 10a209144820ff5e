package io.github.capreport.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.capreport.ScriptedTransport;
import io.github.capreport.spi.JsonBinding;
import io.github.capreport.spi.TransportResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Reading an answer's body, bounded, for every transport. */
class AnswerTest {
  /** A binding whose decoder the test chooses; it writes no bodies. */
  private interface Decoder {
    void decode(byte[] json, JsonBinding.Members members) throws Exception;
  }

  private static JsonBinding json(Decoder decoder) {
    return new JsonBinding() {
      @Override
      public byte[] reportBody(String clientKey, long taskId) {
        throw new AssertionError("not used");
      }

      @Override
      public void readMembers(byte[] json, Members members) throws Exception {
        decoder.decode(json, members);
      }
    };
  }

  private static final JsonBinding SUCCESS =
      json(
          (bytes, members) -> {
            members.member("errorId", true, "0");
            members.member("status", false, "success");
          });

  private static final JsonBinding REJECTS =
      json(
          (bytes, members) -> {
            throw new IOException("unexpected <");
          });

  private static TransportResponse response(int status, String retryAfter, InputStream body) {
    return ScriptedTransport.response(status, retryAfter, body);
  }

  private static Answer read(int status, String body, int limit, JsonBinding json)
      throws IOException {
    return Answer.read(response(status, null, stream(body)), limit, json);
  }

  @Test
  void decodesABodyWithinTheLimit() throws IOException {
    Answer a = Answer.read(response(200, "5", stream("{}")), 10, SUCCESS);
    assertNotNull(a.envelope());
    assertNull(a.problem());
    assertTrue(a.complete());
    assertEquals("5", a.retryAfter());
    assertEquals(200, a.statusCode());
  }

  @Test
  void aDecodedAnswerStillHasItsPreview() throws IOException {
    Answer a = read(200, "{\"errorId\":0,\n\"status\":\"ok\"}", 100, SUCCESS);
    assertNotNull(a.envelope());
    assertEquals(
        "{\"errorId\":0, \"status\":\"ok\"}", Answer.preview(a.bodyText(Answer.PREVIEW_CHARS)));
  }

  @Test
  void stopsReadingPastTheLimitNeverDecodesAndIsNotComplete() throws IOException {
    AtomicInteger served = new AtomicInteger();
    InputStream endless =
        new InputStream() {
          @Override
          public int read() {
            served.incrementAndGet();
            return 'x';
          }
        };
    Answer a =
        Answer.read(
            response(200, null, endless),
            1000,
            json(
                (bytes, members) -> {
                  throw new AssertionError("an oversized body must not be decoded");
                }));
    assertNull(a.envelope());
    assertEquals("the body is larger than 1000 bytes", a.problem());
    assertFalse(a.complete(), "an oversized body was not read to its end");
    assertEquals(1001, served.get());
    assertEquals(Answer.PREVIEW_CHARS, Answer.preview(a.bodyText(Answer.PREVIEW_CHARS)).length());
  }

  @Test
  void anEmptyOrMissingBodyIsAProblem() throws IOException {
    Answer empty = read(200, "", 10, SUCCESS);
    assertEquals("the body is empty", empty.problem());
    assertTrue(empty.complete());
    assertEquals("", empty.bodyText(Answer.PREVIEW_CHARS));
    assertEquals(
        "the body is empty", Answer.read(response(204, null, null), 10, SUCCESS).problem());
  }

  @Test
  void aBodyThatIsNotJsonIsAProblemWithAPreview() throws IOException {
    Answer a = read(502, "<html>\n\tBad gateway\r\n</html>", 100, REJECTS);
    assertNull(a.envelope());
    assertTrue(a.complete());
    assertEquals("the body is not a JSON object", a.problem());
    assertEquals("<html>  Bad gateway  </html>", Answer.preview(a.bodyText(Answer.PREVIEW_CHARS)));
  }

  /** A binding that keeps the callback cannot change the answer once core has read it. */
  @Test
  void membersHandedOverAfterTheBindingReturnedAreIgnored() throws IOException {
    JsonBinding.Members[] kept = new JsonBinding.Members[1];
    Answer a =
        read(
            200,
            "{}",
            100,
            json(
                (bytes, members) -> {
                  members.member("errorId", true, "0");
                  kept[0] = members;
                }));
    kept[0].member("errorId", true, "1");
    kept[0].member("status", false, "success");
    assertEquals(Long.valueOf(0), a.envelope().errorId);
    assertNull(a.envelope().status);
  }

  @Test
  void theBindingNeverSeesAByteOrderMark() throws IOException {
    byte[][] seen = new byte[1][];
    JsonBinding keeps = json((bytes, members) -> seen[0] = bytes);
    read(200, "\ufeff{\"errorId\":0}", 100, keeps);
    assertEquals("{\"errorId\":0}", new String(seen[0], StandardCharsets.UTF_8));
    read(200, "{\"errorId\":0}\ufeff", 100, keeps);
    assertEquals(
        "{\"errorId\":0}\ufeff", new String(seen[0], StandardCharsets.UTF_8), "only first");
  }

  @Test
  void theBindingSeesExactlyTheBody() throws IOException {
    byte[][] seen = new byte[1][];
    read(200, "{\"errorId\":0}", 100, json((bytes, members) -> seen[0] = bytes));
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
      Answer a =
          Answer.read(
              response(200, null, trickle(body, 7)),
              limit,
              json((bytes, members) -> seen[0] = bytes));
      assertNull(a.problem(), "limit " + limit);
      assertTrue(a.complete(), "limit " + limit);
      assertArrayEquals(body, seen[0], "limit " + limit);
    }
    assertEquals(
        "the body is larger than 4999 bytes",
        Answer.read(response(200, null, trickle(body, 7)), 4999, SUCCESS).problem());
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
    assertThrows(IOException.class, () -> Answer.read(response(200, null, broken), 100, SUCCESS));
  }

  @Test
  void previewIsCutAtTwoHundredCharactersAndBlanksControlCharacters() throws IOException {
    char[] many = new char[5000];
    Arrays.fill(many, 'é');
    Answer a = read(500, new String(many), 65536, REJECTS);
    assertEquals(200, a.bodyText(Answer.PREVIEW_CHARS).length());
    assertEquals(200, Answer.preview(a.bodyText(Answer.PREVIEW_CHARS + 10)).length());
    assertEquals("a b", Answer.preview("\ta\u0000b\u007f"));
  }

  @Test
  void bodyTextKeepsMoreThanThePreviewForRedactionBeforeTheCut() throws IOException {
    StringBuilder body = new StringBuilder();
    while (body.length() < 300) {
      body.append("0123456789");
    }
    Answer a = read(500, body.toString(), 65536, REJECTS);
    assertEquals(250, a.bodyText(250).length());
    assertEquals(body.substring(0, 250), a.bodyText(250));
  }

  private static InputStream stream(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }
}
