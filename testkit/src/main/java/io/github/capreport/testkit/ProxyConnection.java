package io.github.capreport.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One client connection of a {@link ForwardProxy}: reads the request head, checks credentials, then
 * forwards the request or opens the tunnel, relaying both ways. Runs on one of the proxy's threads,
 * with a second one for the client-to-origin direction.
 */
final class ProxyConnection implements Runnable {
  /** How long a client may take to send its request head. */
  private static final int HEAD_TIMEOUT_MILLIS = 30_000;

  private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

  private static final Set<String> REQUEST_HOP_BY_HOP =
      new HashSet<>(
          Arrays.asList("proxy-authorization", "proxy-connection", "connection", "keep-alive"));

  private static final Set<String> RESPONSE_HOP_BY_HOP =
      new HashSet<>(Arrays.asList("proxy-connection", "connection", "keep-alive"));

  private final ForwardProxy proxy;
  private final Socket client;
  private volatile Socket origin;

  /** Directions that reached their end; at two, both sockets close. */
  private final AtomicInteger directionsDone = new AtomicInteger();

  ProxyConnection(ForwardProxy proxy, Socket client) {
    this.proxy = proxy;
    this.client = client;
  }

  @Override
  public void run() {
    boolean relaying = false;
    try {
      client.setTcpNoDelay(true);
      client.setSoTimeout(HEAD_TIMEOUT_MILLIS);
      HttpHead head = HttpHead.read(client.getInputStream());
      if (head == null) {
        return;
      }
      String[] line = head.startLine().split(" ", -1);
      if (line.length != 3) {
        answer(400, "Bad Request", null);
        return;
      }
      ProxiedRequest request = new ProxiedRequest(line[0], line[1], line[2], head.headers());
      byte[] raw = head.raw();
      request.fromClient(raw, raw.length);
      proxy.record(request);
      relaying = handle(request, head);
    } catch (IOException | RuntimeException ended) {
      // The client or the origin went away, or the proxy is closing.
    } finally {
      if (!relaying) {
        closeBoth();
      }
    }
  }

  /** Answers or starts relaying; true when relaying threads now own the sockets. */
  private boolean handle(ProxiedRequest request, HttpHead head) throws IOException {
    if (!proxy.authorized(head.header("Proxy-Authorization"))) {
      request.answered(407, null);
      answer(
          407,
          "Proxy Authentication Required",
          "Proxy-Authenticate: Basic realm=\"" + ForwardProxy.REALM + "\"\r\n");
      return false;
    }
    ForwardProxy.Failure failure = proxy.failure();
    if (failure == ForwardProxy.Failure.BAD_GATEWAY) {
      return fail(request, failure, 502, "Bad Gateway");
    }
    if (failure == ForwardProxy.Failure.GATEWAY_TIMEOUT) {
      return fail(request, failure, 504, "Gateway Timeout");
    }
    if (request.isConnect()) {
      return tunnel(request, failure);
    }
    return forward(request, head);
  }

  private boolean fail(ProxiedRequest request, ForwardProxy.Failure failure, int status, String why)
      throws IOException {
    request.answered(status, failure);
    answer(status, why, null);
    return false;
  }

  private boolean tunnel(ProxiedRequest request, ForwardProxy.Failure failure) throws IOException {
    if (failure == ForwardProxy.Failure.REFUSE_CONNECT_403) {
      return fail(request, failure, 403, "Forbidden");
    }
    if (failure == ForwardProxy.Failure.REFUSE_CONNECT_502) {
      return fail(request, failure, 502, "Bad Gateway");
    }
    InetSocketAddress target = authority(request.target());
    if (target == null) {
      return fail(request, null, 400, "Bad Request");
    }
    if (!connectOrigin(request, target)) {
      return false;
    }
    OutputStream out = client.getOutputStream();
    out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(HttpHead.LATIN_1));
    out.flush();
    boolean closeAtOnce = failure == ForwardProxy.Failure.CLOSE_TUNNEL;
    request.answered(200, closeAtOnce ? failure : null);
    if (closeAtOnce) {
      return false;
    }
    return relayBothWays(request);
  }

  private boolean forward(ProxiedRequest request, HttpHead head) throws IOException {
    URI uri;
    try {
      uri = new URI(request.target());
    } catch (URISyntaxException e) {
      uri = null;
    }
    if (uri == null || !"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      // Origin-form, https: absolute-form, or no host: not a request a forward proxy takes.
      return fail(request, null, 400, "Bad Request");
    }
    InetSocketAddress target =
        InetSocketAddress.createUnresolved(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort());
    if (!connectOrigin(request, target)) {
      return false;
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path += "?" + uri.getRawQuery();
    }
    OutputStream toOrigin = origin.getOutputStream();
    toOrigin.write(
        head.rewritten(
            request.method() + " " + path + " " + request.version(), REQUEST_HOP_BY_HOP));
    toOrigin.flush();
    client.setSoTimeout(0);
    final Socket upstream = origin;
    if (!proxy.execute(() -> pump(client, upstream, request, true))) {
      return false;
    }
    // The answer's head, rewritten for one request per connection, then the rest as it comes.
    InputStream fromOrigin = upstream.getInputStream();
    OutputStream toClient = client.getOutputStream();
    while (true) {
      HttpHead answer;
      try {
        answer = HttpHead.read(fromOrigin);
      } catch (IOException cutShort) {
        answer = null;
      }
      if (answer == null) {
        // As a real proxy does when the origin drops the connection unanswered.
        return fail(request, null, 502, "Bad Gateway");
      }
      byte[] raw = answer.raw();
      request.toClient(raw, raw.length);
      int status = statusOf(answer.startLine());
      if (status >= 100 && status < 200) {
        toClient.write(raw);
        continue;
      }
      toClient.write(answer.rewritten(answer.startLine(), RESPONSE_HOP_BY_HOP));
      toClient.flush();
      request.answered(status, null);
      break;
    }
    pump(upstream, client, request, false);
    return true;
  }

  /** Connects to the origin; false, having answered 502, when it cannot. */
  private boolean connectOrigin(ProxiedRequest request, InetSocketAddress target)
      throws IOException {
    Socket upstream = new Socket();
    if (!proxy.track(upstream)) {
      return false;
    }
    origin = upstream;
    try {
      InetSocketAddress resolved =
          target.isUnresolved()
              ? new InetSocketAddress(target.getHostString(), target.getPort())
              : target;
      upstream.setTcpNoDelay(true);
      upstream.connect(resolved, CONNECT_TIMEOUT_MILLIS);
      return true;
    } catch (IOException | IllegalArgumentException unreachable) {
      fail(request, null, 502, "Bad Gateway");
      return false;
    }
  }

  private boolean relayBothWays(ProxiedRequest request) throws IOException {
    client.setSoTimeout(0);
    final Socket upstream = origin;
    if (!proxy.execute(() -> pump(upstream, client, request, false))) {
      return false;
    }
    pump(client, upstream, request, true);
    return true;
  }

  /**
   * Copies {@code from} to {@code to} until {@code from} ends, keeping the bytes in {@code
   * request}; then half-closes {@code to}, so that the other direction can finish. A failure, or
   * the end of both directions, closes both sockets.
   */
  private void pump(Socket from, Socket to, ProxiedRequest request, boolean fromClient) {
    byte[] buffer = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        if (fromClient) {
          request.fromClient(buffer, n);
        } else {
          request.toClient(buffer, n);
        }
        out.write(buffer, 0, n);
        out.flush();
      }
      to.shutdownOutput();
      if (directionsDone.incrementAndGet() == 2) {
        closeBoth();
      }
    } catch (IOException | RuntimeException ended) {
      closeBoth();
    }
  }

  /** Answers with the proxy's own small HTML page and {@code Connection: close}. */
  private void answer(int status, String reason, String extraHeaders) throws IOException {
    byte[] body =
        ("<html><body><h1>" + status + " " + reason + "</h1></body></html>")
            .getBytes(HttpHead.LATIN_1);
    String head =
        "HTTP/1.1 "
            + status
            + " "
            + reason
            + "\r\n"
            + (extraHeaders != null ? extraHeaders : "")
            + "Content-Type: text/html\r\nContent-Length: "
            + body.length
            + "\r\nConnection: close\r\n\r\n";
    OutputStream out = client.getOutputStream();
    out.write(head.getBytes(HttpHead.LATIN_1));
    out.write(body);
    out.flush();
  }

  private void closeBoth() {
    proxy.untrack(client);
    Socket upstream = origin;
    if (upstream != null) {
      proxy.untrack(upstream);
    }
  }

  /** {@code host:port} or {@code [v6]:port}; null when it is neither. */
  static InetSocketAddress authority(String authority) {
    int colon = authority.lastIndexOf(':');
    if (colon <= 0 || colon == authority.length() - 1) {
      return null;
    }
    String host = authority.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      int port = Integer.parseInt(authority.substring(colon + 1));
      return port < 1 || port > 65535 ? null : InetSocketAddress.createUnresolved(host, port);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static int statusOf(String statusLine) throws IOException {
    String[] parts = statusLine.split(" ", 3);
    try {
      return Integer.parseInt(parts.length > 1 ? parts[1] : "");
    } catch (NumberFormatException e) {
      throw new IOException("not a status line");
    }
  }
}
