package io.github.capreport.testkit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the emulator does with the next {@code n} requests instead of answering them properly. Each
 * queued misbehaviour is used by exactly one request, whatever its path; the requests after them
 * are answered normally again. Calls queue up in order:
 *
 * <pre>{@code
 * emulator.nextRequest().respond(502, "text/html", "<html>Bad gateway</html>");
 * emulator.nextRequests(2).closeConnection();   // then the 2nd and 3rd requests are dropped
 * }</pre>
 *
 * Every request is recorded, misbehaved with or not.
 */
public final class NextRequests {
  static final String SUCCESS = "{\"errorId\":0,\"status\":\"success\"}";

  private final CapMonsterEmulator emulator;
  private final int n;

  NextRequests(CapMonsterEmulator emulator, int n) {
    this.emulator = emulator;
    this.n = n;
  }

  /** Waits, then answers normally; dropped instead if the emulator closes meanwhile. */
  public CapMonsterEmulator delay(long amount, TimeUnit unit) {
    return queue(Answer.delayThenNormal(Answer.millis(amount, unit)));
  }

  /** Answers with any status, content type (null for none) and body. */
  public CapMonsterEmulator respond(int status, String contentType, String body) {
    return respond(status, contentType, body, Collections.<String, String>emptyMap());
  }

  /** As {@link #respond(int, String, String)}, with extra response headers. */
  public CapMonsterEmulator respond(
      int status, String contentType, String body, Map<String, String> headers) {
    checkStatus(status);
    return queue(
        Answer.respond(
            status,
            contentType,
            body == null ? new byte[0] : body.getBytes(Answer.UTF_8),
            new LinkedHashMap<>(headers)));
  }

  /** Answers with a status and a JSON body, e.g. {@code 500} and an error envelope. */
  public CapMonsterEmulator respondJson(int status, String json) {
    return respond(status, "application/json", json);
  }

  /** A redirect, e.g. 302, to {@code location}, with a small HTML body as real servers send. */
  public CapMonsterEmulator redirect(int status, String location) {
    if (location == null) {
      throw new NullPointerException("location == null");
    }
    return respond(
        status,
        "text/html",
        "<html><body>Moved to " + location + "</body></html>",
        Collections.singletonMap("Location", location));
  }

  /** 200 with a body that is not JSON at all, though labelled so. */
  public CapMonsterEmulator malformedJson() {
    return respondJson(200, "{\"errorId\":0,\"status\":");
  }

  /** 200 with {@code Content-Length: 0}. */
  public CapMonsterEmulator emptyBody() {
    return respondJson(200, "");
  }

  /** 200 with {@code {"errorId":0}}: no error, but no success either. */
  public CapMonsterEmulator noStatus() {
    return respondJson(200, "{\"errorId\":0}");
  }

  /** 200 with a well-formed success envelope padded to {@code bytes} bytes. */
  public CapMonsterEmulator hugeBody(int bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must be >= 0, was " + bytes);
    }
    return queue(Answer.huge(bytes));
  }

  /** Closes the connection after reading the request, before any byte of an answer. */
  public CapMonsterEmulator closeConnection() {
    return queue(Answer.closeConnection());
  }

  /**
   * Sends the status line, headers with the Content-Length of a success envelope, and half of that
   * envelope, then closes the connection.
   */
  public CapMonsterEmulator closeMidAnswer() {
    return queue(Answer.closeMidAnswer(SUCCESS.getBytes(Answer.UTF_8)));
  }

  /**
   * Holds the request without a byte of answer until the emulator is reset or closed, or 60 s pass,
   * then drops the connection. Clients end it with their own timeout.
   */
  public CapMonsterEmulator neverAnswer() {
    return queue(Answer.neverAnswer(CapMonsterEmulator.DEFAULT_HOLD_MILLIS));
  }

  /**
   * Sends the status line and headers at once, then a success envelope one byte per {@code
   * interval}; dropped if the emulator is reset or closed meanwhile.
   */
  public CapMonsterEmulator drip(long interval, TimeUnit unit) {
    return queue(Answer.drip(SUCCESS.getBytes(Answer.UTF_8), Answer.millis(interval, unit)));
  }

  /**
   * Refuses with {@code ERROR_KEY_DOES_NOT_EXIST} and an {@code errorDescription} that quotes the
   * client key the request carried: to prove that a client keeps it out of its messages.
   */
  public CapMonsterEmulator echoClientKey() {
    return queue(Answer.echoClientKey());
  }

  private CapMonsterEmulator queue(Answer answer) {
    emulator.enqueue(answer, n);
    return emulator;
  }

  private static void checkStatus(int status) {
    if (status < 100 || status > 999) {
      throw new IllegalArgumentException("not an HTTP status: " + status);
    }
  }
}
