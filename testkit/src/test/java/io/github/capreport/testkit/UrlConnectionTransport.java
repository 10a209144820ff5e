package io.github.capreport.testkit;

import io.github.capreport.spi.Exchange;
import io.github.capreport.spi.JsonBinding;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportProvider;
import io.github.capreport.spi.TransportRequest;
import io.github.capreport.spi.TransportResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A transport over {@link HttpURLConnection}, written here only to check the suites against a
 * second, independent transport, and, with {@link Flaw}s, to check that they fail transports that
 * break the contract.
 */
final class UrlConnectionTransport implements Transport {
  /** Contract breaches the suites must catch. */
  enum Flaw {
    FOLLOWS_REDIRECTS,
    RESENDS_POST_AFTER_A_FAILURE,
    TEXT_PLAIN_CONTENT_TYPE,
    TASK_ID_AS_STRING,
    NO_USER_AGENT,
    IGNORES_ABORT,
    LAST_HEADER_VALUE
  }

  static TransportProvider provider(Flaw... flaws) {
    final Set<Flaw> set = EnumSet.noneOf(Flaw.class);
    set.addAll(java.util.Arrays.asList(flaws));
    return new TransportProvider("urlconnection", 0) {

      @Override
      public Transport create(TransportOptions options) {
        return new UrlConnectionTransport(options, set);
      }
    };
  }

  /**
   * How many finished connections per server {@link #close()} disconnects: more than the JVM keeps
   * idle for one server ({@code http.maxConnections}, 5 by default).
   */
  private static final int FINISHED_PER_SERVER = 64;

  private final TransportOptions options;
  private final Set<Flaw> flaws;

  /**
   * The latest connections whose answer was read to its end, per server: the JVM's keep-alive cache
   * holds their sockets for reuse, and {@link #close()} lets them go.
   */
  private final Map<String, Deque<HttpURLConnection>> finished = new HashMap<>();

  private final JsonBinding json =
      new JsonBinding() {
        @Override
        public byte[] reportBody(String clientKey, long taskId) {
          String id = flaws.contains(Flaw.TASK_ID_AS_STRING) ? "\"" + taskId + "\"" : "" + taskId;
          return ("{\"clientKey\":\"" + FlatJson.escape(clientKey) + "\",\"taskId\":" + id + "}")
              .getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void readMembers(byte[] body, Members members) {
          // BigDecimal's text of 1e0 is "1": the contract's JSON case is skipped for this binding.
          FlatJson.parse(new String(body, StandardCharsets.UTF_8))
              .forEach(
                  (name, value) ->
                      members.member(
                          name,
                          value instanceof BigDecimal,
                          value instanceof BigDecimal || value instanceof String
                              ? value.toString()
                              : null));
        }
      };

  private UrlConnectionTransport(TransportOptions options, Set<Flaw> flaws) {
    this.options = options;
    this.flaws = flaws;
  }

  @Override
  public String id() {
    return "urlconnection";
  }

  @Override
  public JsonBinding json() {
    return json;
  }

  @Override
  public Exchange newExchange(TransportRequest request) {
    return new UrlConnectionExchange(request);
  }

  /**
   * Closes the idle connections this transport left in the JVM's keep-alive cache, which would
   * otherwise stay open until the cache's own timer, 5 to 10 s later. {@code disconnect()} on a
   * connection whose answer was read to its end, and whose stream was not closed, closes one idle
   * connection to the same server; one call for each such exchange closes them all. Another
   * transport's idle connection to the same server may go too: it then opens a new one.
   */
  @Override
  public void close() {
    List<HttpURLConnection> toClose = new ArrayList<>();
    synchronized (finished) {
      for (Deque<HttpURLConnection> connections : finished.values()) {
        toClose.addAll(connections);
      }
      finished.clear();
    }
    for (HttpURLConnection connection : toClose) {
      connection.disconnect();
    }
  }

  private void finished(HttpURLConnection connection) {
    java.net.URL url = connection.getURL();
    String server = url.getProtocol() + "://" + url.getAuthority();
    synchronized (finished) {
      Deque<HttpURLConnection> connections =
          finished.computeIfAbsent(server, s -> new ArrayDeque<>());
      connections.addLast(connection);
      if (connections.size() > FINISHED_PER_SERVER) {
        connections.removeFirst();
      }
    }
  }

  private final class UrlConnectionExchange implements Exchange {
    private final TransportRequest request;
    private volatile HttpURLConnection connection;
    private volatile boolean aborted;
    private int status;
    private volatile WholeBody body;

    UrlConnectionExchange(TransportRequest request) {
      this.request = request;
    }

    @Override
    public TransportResponse execute() throws IOException {
      try {
        return sendOnce();
      } catch (IOException e) {
        if (flaws.contains(Flaw.RESENDS_POST_AFTER_A_FAILURE) && !aborted) {
          return sendOnce();
        }
        throw e;
      }
    }

    private TransportResponse sendOnce() throws IOException {
      if (aborted) {
        throw new IOException("aborted");
      }
      HttpURLConnection c = (HttpURLConnection) request.uri().toURL().openConnection();
      connection = c;
      if (c instanceof javax.net.ssl.HttpsURLConnection && options.sslContext() != null) {
        ((javax.net.ssl.HttpsURLConnection) c)
            .setSSLSocketFactory(options.sslContext().getSocketFactory());
      }
      c.setConnectTimeout((int) options.connectTimeoutMillis());
      c.setReadTimeout((int) options.requestTimeoutMillis());
      c.setInstanceFollowRedirects(flaws.contains(Flaw.FOLLOWS_REDIRECTS));
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      byte[] bytes = request.body();
      if (!flaws.contains(Flaw.FOLLOWS_REDIRECTS)) {
        // Streaming mode also stops HttpURLConnection from resending the POST, or following a
        // redirect, on its own.
        c.setFixedLengthStreamingMode(bytes.length);
      }
      for (Map.Entry<String, String> header : request.headers().entrySet()) {
        c.setRequestProperty(header.getKey(), header.getValue());
      }
      if (flaws.contains(Flaw.TEXT_PLAIN_CONTENT_TYPE)) {
        c.setRequestProperty("Content-Type", "text/plain");
      }
      if (flaws.contains(Flaw.NO_USER_AGENT)) {
        c.setRequestProperty("User-Agent", "Java");
      }
      if (aborted) {
        throw new IOException("aborted");
      }
      try (OutputStream out = c.getOutputStream()) {
        out.write(bytes);
      }
      status = c.getResponseCode();
      InputStream raw = status >= 400 ? c.getErrorStream() : c.getInputStream();
      body = raw == null ? null : new WholeBody(raw, c.getContentLengthLong(), this);
      return TransportResponse.of(
          status,
          name -> {
            List<String> values = new ArrayList<>();
            if (flaws.contains(Flaw.LAST_HEADER_VALUE)) {
              String last = c.getHeaderField(name); // HttpURLConnection's: the last value
              if (last != null) {
                values.add(last);
              }
              return values;
            }
            // By index: the only order-keeping view; 0 is the status line, without a key.
            for (int i = 1; c.getHeaderField(i) != null; i++) {
              if (name.equalsIgnoreCase(c.getHeaderFieldKey(i))) {
                values.add(c.getHeaderField(i));
              }
            }
            return values;
          },
          body,
          this::release);
    }

    @Override
    public void abort() {
      aborted = true;
      final HttpURLConnection open = connection;
      // Once the body is being read, the reader stops at its next read (see WholeBody): a
      // disconnect() then would wait for the stream's monitor, which that reader holds.
      if (open != null && body == null && !flaws.contains(Flaw.IGNORES_ABORT)) {
        // Not on the aborting thread: disconnect() closes the body stream, whose monitor a
        // reader holds in every blocking read, so under a dripping answer it could wait.
        Thread disconnect = new Thread(open::disconnect, "urlconnection-transport-abort");
        disconnect.setDaemon(true);
        disconnect.start();
      }
    }

    boolean ignoresAbort() {
      return flaws.contains(Flaw.IGNORES_ABORT);
    }

    private void release() {
      WholeBody read = body;
      if (read == null) {
        return;
      }
      if (read.readToItsEnd()) {
        // At its end the JDK's stream has already handed the connection to the keep-alive cache.
        // Closing it now would leave disconnect() nothing to close; left open, it costs nothing.
        finished(connection);
        return;
      }
      try {
        read.close();
      } catch (IOException ignored) {
        // Nothing more to release.
      }
    }
  }

  /**
   * HttpURLConnection ends a body cut short of its Content-Length as if it were complete; this says
   * it was cut off.
   */
  private static final class WholeBody extends java.io.FilterInputStream {
    private final long expected;
    private final UrlConnectionExchange exchange;
    private long count;
    private volatile boolean atItsEnd;

    WholeBody(InputStream in, long expected, UrlConnectionExchange exchange) {
      super(in);
      this.expected = expected;
      this.exchange = exchange;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      // disconnect() waits for the stream's monitor, which a reader of a dripping answer holds
      // nearly always: an aborted exchange also stops at its next read.
      if (exchange.aborted && !exchange.ignoresAbort()) {
        throw new IOException("aborted");
      }
      int n = super.read(b, off, len);
      if (n < 0 && expected >= 0 && count < expected) {
        throw new java.io.EOFException(
            "the answer ended after " + count + " of " + expected + " bytes");
      }
      if (n < 0) {
        atItsEnd = true;
      }
      count += Math.max(n, 0);
      return n;
    }

    /** Whether a read met the end of the whole answer. */
    boolean readToItsEnd() {
      return atItsEnd;
    }
  }
}
