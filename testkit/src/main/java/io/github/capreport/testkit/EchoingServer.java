package io.github.capreport.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.Charset;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hostile server on {@code 127.0.0.1} that answers every request with raw bytes in which the
 * client key it was sent stands where no real server would put it: in the status line, a header, a
 * chunk size, a field of the envelope. What {@code com.sun.net.httpserver} cannot be made to send:
 * for proving that a client redacts whatever an HTTP library quotes back from the wire.
 *
 * <pre>{@code
 * try (EchoingServer server = EchoingServer.answering("HTTP/1.1 {key} OK\r\n\r\n")) {
 *   // report to server.baseUrl(); no message, cause or event may show the key
 * }
 * }</pre>
 */
public final class EchoingServer implements AutoCloseable {
  private static final Charset ASCII = Charset.forName("US-ASCII");

  /** Stands for the client key the request carried. */
  public static final String KEY = "{key}";

  private final ServerSocket socket;
  private final String template;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private final java.util.List<Socket> held =
      java.util.Collections.synchronizedList(new java.util.ArrayList<Socket>());
  private final Thread acceptor;

  private final boolean atOnce;

  private EchoingServer(String template, boolean atOnce) throws IOException {
    this.template = template;
    this.atOnce = atOnce;
    this.socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    this.acceptor = new Thread(this::serve, "capreport-testkit-echoing-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /**
   * Answers each request with {@code rawResponse}, every {@value #KEY} in it replaced by the
   * request's {@code clientKey}, then closes the connection.
   */
  public static EchoingServer answering(String rawResponse) throws IOException {
    return new EchoingServer(rawResponse, false);
  }

  /**
   * Sends {@code rawResponse} as soon as a connection is accepted, before reading anything: what a
   * plain-http server says to a TLS handshake it cannot read.
   */
  public static EchoingServer answeringAtOnce(String rawResponse) throws IOException {
    return new EchoingServer(rawResponse, true);
  }

  /**
   * Accepts connections and never sends a byte: a client on {@code https://} is held in its TLS
   * handshake, one on {@code http://} waiting for the status line, until it gives up or the server
   * closes.
   */
  public static EchoingServer silent() throws IOException {
    return new EchoingServer(null, false);
  }

  /** How many connections were accepted. */
  public int connections() {
    return connections.get();
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + socket.getLocalPort();
  }

  /** How many requests arrived. */
  public int requests() {
    return requests.get();
  }

  @Override
  public void close() throws IOException {
    socket.close();
    synchronized (held) {
      for (Socket connection : held) {
        connection.close();
      }
    }
    try {
      acceptor.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "EchoingServer{" + baseUrl() + ", requests=" + requests.get() + "}";
  }

  private void serve() {
    while (!socket.isClosed()) {
      if (template == null) {
        try {
          held.add(socket.accept());
          connections.incrementAndGet();
        } catch (IOException e) {
          // Closed: done.
        }
        continue;
      }
      try (Socket connection = socket.accept()) {
        connections.incrementAndGet();
        connection.setSoTimeout(5_000);
        String request = atOnce ? "" : readRequest(connection.getInputStream());
        requests.incrementAndGet();
        OutputStream out = connection.getOutputStream();
        out.write(template.replace(KEY, clientKeyIn(request)).getBytes(ASCII));
        out.flush();
        connection.shutdownOutput();
      } catch (IOException e) {
        // Closed, or the client went away: serve the next one.
      }
    }
  }

  /** Headers and a Content-Length body; the report's body is small. */
  private static String readRequest(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int contentLength = -1;
    int headerEnd = -1;
    while (headerEnd < 0 || bytes.size() < headerEnd + Math.max(contentLength, 0)) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      bytes.write(b);
      if (headerEnd < 0 && bytes.toString("ISO-8859-1").endsWith("\r\n\r\n")) {
        headerEnd = bytes.size();
        String headers = bytes.toString("ISO-8859-1").toLowerCase(Locale.ROOT);
        int at = headers.indexOf("content-length:");
        if (at >= 0) {
          int end = headers.indexOf("\r\n", at);
          contentLength = Integer.parseInt(headers.substring(at + 15, end).trim());
        }
      }
    }
    return bytes.toString("UTF-8");
  }

  private static String clientKeyIn(String request) {
    String field = "\"clientKey\":\"";
    int start = request.indexOf(field);
    if (start < 0) {
      return "";
    }
    start += field.length();
    int end = request.indexOf('"', start);
    return end < 0 ? "" : request.substring(start, end);
  }
}
