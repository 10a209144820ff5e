package io.github.capreport.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Plain JDK clients for testing the emulator without any capreport transport. */
final class Http {
  static final String KEY = "emulator-test-key-5f3c";

  private Http() {}

  record Answer(int status, String contentType, String body, Map<String, List<String>> headers) {
    /** The first value of a header, its name compared without regard to case. */
    String header(String name) {
      for (Map.Entry<String, List<String>> header : headers.entrySet()) {
        if (name.equalsIgnoreCase(header.getKey())) {
          return header.getValue().get(0);
        }
      }
      return null;
    }
  }

  /**
   * Asserts that nothing listens on {@code port} of 127.0.0.1 any more. A connection that the
   * kernel made to itself (source port chosen equal to the closed port, a TCP simultaneous open)
   * proves nothing either way and is tried again; any other connection fails the test, saying which
   * ports it joined.
   */
  static void assertNothingListensOn(int port) throws IOException {
    for (int attempt = 0; attempt < 5; attempt++) {
      try (Socket socket = new Socket("127.0.0.1", port)) {
        if (socket.getLocalPort() != port) {
          throw new AssertionError(
              "something still listens on 127.0.0.1:"
                  + port
                  + " (joined from "
                  + socket.getLocalPort()
                  + ")");
        }
      } catch (java.net.ConnectException refused) {
        return;
      }
    }
    throw new AssertionError("every connection to 127.0.0.1:" + port + " joined itself");
  }

  static String report(String key, long taskId) {
    return "{\"clientKey\":\"" + key + "\",\"taskId\":" + taskId + "}";
  }

  static Answer post(String url, String contentType, String body) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) new URL(url).openConnection();
    connection.setConnectTimeout(5_000);
    connection.setReadTimeout(10_000);
    connection.setInstanceFollowRedirects(false);
    connection.setRequestMethod("POST");
    connection.setDoOutput(true);
    if (contentType != null) {
      connection.setRequestProperty("Content-Type", contentType);
    }
    connection.setRequestProperty("Accept", "application/json");
    try (OutputStream out = connection.getOutputStream()) {
      out.write(body.getBytes(StandardCharsets.UTF_8));
    }
    return read(connection);
  }

  static Answer get(String url) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) new URL(url).openConnection();
    connection.setConnectTimeout(5_000);
    connection.setReadTimeout(10_000);
    return read(connection);
  }

  private static Answer read(HttpURLConnection connection) throws IOException {
    int status = connection.getResponseCode();
    InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
    String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    return new Answer(status, connection.getContentType(), body, connection.getHeaderFields());
  }

  /**
   * Sends a raw HTTP/1.1 POST on a new socket and returns every byte the server sends until it
   * closes the connection; the request asks it to close after answering.
   */
  static String rawExchange(int port, String path, String body) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      writeRequest(socket, path, body, true);
      return readUntilClosed(socket);
    }
  }

  static void writeRequest(Socket socket, String path, String body, boolean close)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String head =
        "POST "
            + path
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
            + bytes.length
            + "\r\n"
            + (close ? "Connection: close\r\n" : "")
            + "\r\n";
    OutputStream out = socket.getOutputStream();
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.flush();
  }

  static String readUntilClosed(Socket socket) throws IOException {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[8192];
    int n;
    try {
      while ((n = in.read(buffer)) >= 0) {
        received.write(buffer, 0, n);
      }
    } catch (java.net.SocketException reset) {
      // A reset is a dropped connection too; keep what arrived before it.
    }
    return received.toString(StandardCharsets.ISO_8859_1);
  }
}
