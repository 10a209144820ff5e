package io.github.capreport.testkit;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How the emulator answers one request. The handler closes the exchange after {@link #answer}, so
 * an answer that wants the connection dropped closes it first, before sending any header.
 */
abstract class Answer {
  static final Charset UTF_8 = Charset.forName("UTF-8");

  /**
   * Answers; exceptions mean the client went away and are ignored by the caller.
   *
   * @param release counted down when the request is to be let go: by the reset or close that
   *     follows the request's arrival, not a later one
   */
  abstract void answer(
      HttpExchange exchange,
      RecordedRequest request,
      CapMonsterEmulator emulator,
      CountDownLatch release)
      throws IOException;

  static void send(HttpExchange exchange, int status, String contentType, byte[] body)
      throws IOException {
    send(exchange, status, contentType, body, Collections.<String, String>emptyMap());
  }

  static void send(
      HttpExchange exchange,
      int status,
      String contentType,
      byte[] body,
      Map<String, String> headers)
      throws IOException {
    if (contentType != null) {
      exchange.getResponseHeaders().set("Content-Type", contentType);
    }
    for (Map.Entry<String, String> header : headers.entrySet()) {
      exchange.getResponseHeaders().set(header.getKey(), header.getValue());
    }
    // -1 is HttpServer's spelling of "no body"; 0 would mean chunked.
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      OutputStream out = exchange.getResponseBody();
      out.write(body);
      out.flush();
    }
  }

  static Answer respond(
      final int status,
      final String contentType,
      final byte[] body,
      final Map<String, String> headers) {
    return new Answer() {
      @Override
      void answer(
          HttpExchange exchange,
          RecordedRequest request,
          CapMonsterEmulator emulator,
          CountDownLatch release)
          throws IOException {
        send(exchange, status, contentType, body, headers);
      }
    };
  }

  static Answer delayThenNormal(final long millis) {
    return new Answer() {
      @Override
      void answer(
          HttpExchange exchange,
          RecordedRequest request,
          CapMonsterEmulator emulator,
          CountDownLatch release)
          throws IOException {
        if (emulator.awaitClose(millis)) {
          exchange.close();
          return;
        }
        emulator.answerNormally(exchange, request);
      }
    };
  }

  /**
   * {@code HttpExchange.close()} before {@code sendResponseHeaders} (and before {@code
   * getResponseBody}) makes the JDK's {@code ExchangeImpl} close the socket itself: the client sees
   * the connection end without a status line.
   */
  static Answer closeConnection() {
    return new Answer() {
      @Override
      void answer(
          HttpExchange exchange,
          RecordedRequest request,
          CapMonsterEmulator emulator,
          CountDownLatch release) {
        exchange.close();
      }
    };
  }

  /**
   * Promises the whole body in Content-Length, sends half of it, then closes: the JDK's
   * fixed-length stream fails on the missing bytes and {@code ExchangeImpl} closes the socket.
   */
  static Answer closeMidAnswer(final byte[] fullBody) {
    return new Answer() {
      @Override
      void answer(
          HttpExchange exchange,
          RecordedRequest request,
          CapMonsterEmulator emulator,
          CountDownLatch release)
          throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, fullBody.length);
        OutputStream out = exchange.getResponseBody();
        out.write(fullBody, 0, fullBody.length / 2);
        out.flush();
        exchange.close();
      }
    };
  }

  static Answer neverAnswer(final long safetyBoundMillis) {
    return new Answer() {
      @Override
      void answer(
          HttpExchange exchange,
          RecordedRequest request,
          CapMonsterEmulator emulator,
          CountDownLatch release) {
        emulator.awaitRelease(release, safetyBoundMillis);
        exchange.close();
      }
    };
  }

  static Answer drip(final byte[] body, final long intervalMillis) {
    return new Answer() {
      @Override
      void answer(
          HttpExchange exchange,
          RecordedRequest request,
          CapMonsterEmulator emulator,
          CountDownLatch release)
          throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        OutputStream out = exchange.getResponseBody();
        for (byte b : body) {
          out.write(b);
          out.flush();
          if (emulator.awaitRelease(release, intervalMillis)) {
            exchange.close();
            return;
          }
        }
      }
    };
  }

  /** A valid envelope padded to {@code size} bytes: too large, not malformed. */
  static Answer huge(final int size) {
    return new Answer() {
      @Override
      void answer(
          HttpExchange exchange,
          RecordedRequest request,
          CapMonsterEmulator emulator,
          CountDownLatch release)
          throws IOException {
        byte[] head = "{\"errorId\":0,\"status\":\"success\",\"padding\":\"".getBytes(UTF_8);
        byte[] tail = "\"}".getBytes(UTF_8);
        long padding = Math.max(0, size - head.length - tail.length);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, head.length + padding + tail.length);
        OutputStream out = exchange.getResponseBody();
        out.write(head);
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        for (long left = padding; left > 0; left -= chunk.length) {
          out.write(chunk, 0, (int) Math.min(chunk.length, left));
        }
        out.write(tail);
        out.flush();
      }
    };
  }

  /** A refusal whose description quotes the key the request carried, as a careless server might. */
  static Answer echoClientKey() {
    return new Answer() {
      @Override
      void answer(
          HttpExchange exchange,
          RecordedRequest request,
          CapMonsterEmulator emulator,
          CountDownLatch release)
          throws IOException {
        String key = request.clientKey() == null ? "" : request.clientKey();
        String json =
            "{\"errorId\":1,\"errorCode\":\"ERROR_KEY_DOES_NOT_EXIST\",\"errorDescription\":"
                + "\"Key "
                + FlatJson.escape(key)
                + " does not exist\"}";
        send(exchange, 200, "application/json", json.getBytes(UTF_8));
      }
    };
  }

  static long millis(long amount, TimeUnit unit) {
    if (unit == null) {
      throw new NullPointerException("unit == null");
    }
    if (amount < 0) {
      throw new IllegalArgumentException("a duration must not be negative, was " + amount);
    }
    return unit.toMillis(amount);
  }
}
