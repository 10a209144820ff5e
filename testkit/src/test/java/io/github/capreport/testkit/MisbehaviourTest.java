package io.github.capreport.testkit;

import static io.github.capreport.testkit.Http.KEY;
import static io.github.capreport.testkit.Http.post;
import static io.github.capreport.testkit.Http.rawExchange;
import static io.github.capreport.testkit.Http.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each misbehaviour as a plain client sees it. Drops are checked on raw sockets, because {@code
 * HttpURLConnection} silently resends a POST whose connection died.
 */
@Timeout(30)
class MisbehaviourTest {
  private static final String PATH = "/reportIncorrectImageCaptcha";
  private static final String SUCCESS = "{\"errorId\":0,\"status\":\"success\"}";

  private final CapMonsterEmulator emulator =
      CapMonsterEmulator.builder().clientKey(KEY).taskIds(7).start();

  @AfterEach
  void close() {
    emulator.close();
  }

  private Http.Answer report7() throws IOException {
    return post(emulator.baseUrl() + PATH, "application/json", report(KEY, 7));
  }

  private String raw() throws IOException {
    return rawExchange(emulator.port(), PATH, report(KEY, 7));
  }

  @Test
  void respondsWithAnyStatusBodyAndContentTypeForTheNextNRequestsOnly() throws IOException {
    emulator.nextRequests(2).respond(502, "text/html", "<html>Bad gateway</html>");
    for (int i = 0; i < 2; i++) {
      Http.Answer answer = report7();
      assertEquals(502, answer.status());
      assertEquals("text/html", answer.contentType());
      assertEquals("<html>Bad gateway</html>", answer.body());
    }
    assertEquals(SUCCESS, report7().body());
    assertEquals(3, emulator.count(7));
  }

  @Test
  void queuesMisbehavioursInOrder() throws IOException {
    emulator
        .nextRequest()
        .respondJson(500, "{\"errorId\":1,\"errorCode\":\"ERROR_NO_SLOT_AVAILABLE\"}");
    emulator.nextRequest().noStatus();
    Http.Answer first = report7();
    assertEquals(500, first.status());
    assertTrue(first.body().contains("ERROR_NO_SLOT_AVAILABLE"));
    assertEquals("{\"errorId\":0}", report7().body());
    assertEquals(SUCCESS, report7().body());
  }

  @Test
  void redirectsWithALocation() throws IOException {
    emulator.nextRequest().redirect(302, "http://127.0.0.1:1/elsewhere");
    Http.Answer answer = report7();
    assertEquals(302, answer.status());
    assertEquals("http://127.0.0.1:1/elsewhere", answer.header("Location"));
  }

  @Test
  void sendsMalformedAndEmptyBodies() throws IOException {
    emulator.nextRequest().malformedJson();
    emulator.nextRequest().emptyBody();
    Http.Answer malformed = report7();
    assertEquals(200, malformed.status());
    assertTrue(malformed.body().startsWith("{\"errorId\":0,\"status\":"));
    assertFalse(malformed.body().endsWith("}"));
    Http.Answer empty = report7();
    assertEquals(200, empty.status());
    assertEquals("", empty.body());
    assertEquals("0", empty.header("Content-Length"));
  }

  @Test
  void sendsAHugeBody() throws IOException {
    int size = 5 * 1024 * 1024;
    emulator.nextRequest().hugeBody(size);
    Http.Answer answer = report7();
    assertEquals(200, answer.status());
    assertEquals(size, answer.body().length());
    assertTrue(answer.body().startsWith("{\"errorId\":0,\"status\":\"success\""));
    assertTrue(answer.body().endsWith("xx\"}"));
  }

  @Test
  void closesTheConnectionWithoutAStatusLine() throws IOException {
    emulator.nextRequest().closeConnection();
    assertEquals("", raw());
    assertEquals(1, emulator.requestCount());
    assertTrue(raw().startsWith("HTTP/1.1 200"));
  }

  @Test
  void closesTheConnectionMidAnswer() throws IOException {
    emulator.nextRequest().closeMidAnswer();
    String received = raw();
    assertTrue(received.startsWith("HTTP/1.1 200"), received);
    int headersEnd = received.indexOf("\r\n\r\n");
    String body = received.substring(headersEnd + 4);
    assertTrue(received.contains("Content-length: " + SUCCESS.length()), received);
    assertTrue(body.length() < SUCCESS.length(), body);
    assertTrue(SUCCESS.startsWith(body), body);
  }

  @Test
  void aDropMidAnswerFailsHttpUrlConnection() throws IOException {
    emulator.nextRequest().closeMidAnswer();
    HttpURLConnection connection =
        (HttpURLConnection) new URL(emulator.baseUrl() + PATH).openConnection();
    connection.setReadTimeout(10_000);
    connection.setRequestMethod("POST");
    connection.setDoOutput(true);
    connection.setRequestProperty("Content-Type", "application/json");
    connection.getOutputStream().write(report(KEY, 7).getBytes(StandardCharsets.UTF_8));
    assertEquals(200, connection.getResponseCode());
    int promised = connection.getContentLength();
    assertEquals(SUCCESS.length(), promised);
    // HttpURLConnection reports a short body either as an error or as an early end of stream.
    try (InputStream in = connection.getInputStream()) {
      byte[] received = in.readAllBytes();
      assertTrue(received.length < promised, new String(received, StandardCharsets.UTF_8));
    } catch (IOException truncated) {
      // As good: the client saw that the answer was cut off.
    }
  }

  // Repeated: a request that has just arrived must already be held when the test resets.
  @RepeatedTest(20)
  void holdsARequestUntilReset() throws Exception {
    emulator.nextRequest().neverAnswer();
    try (Socket socket = new Socket("127.0.0.1", emulator.port())) {
      socket.setSoTimeout(10_000);
      Http.writeRequest(socket, PATH, report(KEY, 7), true);
      assertTrue(emulator.awaitRequests(1, 10, TimeUnit.SECONDS));
      emulator.reset();
      assertEquals("", Http.readUntilClosed(socket));
    }
  }

  @Test
  void aHeldRequestTimesOutAPlainClient() throws IOException {
    emulator.nextRequest().neverAnswer();
    HttpURLConnection connection =
        (HttpURLConnection) new URL(emulator.baseUrl() + PATH).openConnection();
    connection.setReadTimeout(300);
    connection.setRequestMethod("POST");
    connection.setDoOutput(true);
    connection.setRequestProperty("Content-Type", "application/json");
    connection.getOutputStream().write(report(KEY, 7).getBytes(StandardCharsets.UTF_8));
    assertThrows(java.net.SocketTimeoutException.class, connection::getResponseCode);
  }

  @Test
  void dripsTheAnswer() throws IOException {
    emulator.nextRequest().drip(5, TimeUnit.MILLISECONDS);
    String received = raw();
    assertTrue(received.startsWith("HTTP/1.1 200"), received);
    assertTrue(received.endsWith("\r\n\r\n" + SUCCESS), received);
  }

  @Test
  void delaysThenAnswersNormally() throws IOException {
    emulator.nextRequest().delay(50, TimeUnit.MILLISECONDS);
    assertEquals(SUCCESS, report7().body());
  }

  @Test
  void echoesTheKeyItReceived() throws IOException {
    emulator.nextRequest().echoClientKey();
    Http.Answer answer = report7();
    assertTrue(answer.body().contains("ERROR_KEY_DOES_NOT_EXIST"));
    assertTrue(answer.body().contains(KEY));
  }

  @Test
  void sendsExtraHeaders() throws IOException {
    emulator.nextRequest().respond(429, "application/json", "{}", Map.of("Retry-After", "3"));
    Http.Answer answer = report7();
    assertEquals(429, answer.status());
    assertEquals("3", answer.header("Retry-After"));
  }

  @Test
  void rejectsNonsense() {
    assertThrows(IllegalArgumentException.class, () -> emulator.nextRequests(0));
    assertThrows(
        IllegalArgumentException.class, () -> emulator.nextRequest().respond(42, null, ""));
    assertThrows(
        IllegalArgumentException.class, () -> emulator.nextRequest().delay(-1, TimeUnit.SECONDS));
  }
}
