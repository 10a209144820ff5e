package io.github.capreport.testkit;

import io.github.capreport.spi.EnvelopeParser;
import io.github.capreport.spi.ResponseEnvelope;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportCallback;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportProvider;
import io.github.capreport.spi.TransportRequest;
import io.github.capreport.spi.TransportResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A transport over {@link HttpURLConnection}, written here only to check the conformance suite
 * against a second, independent transport, and, with {@link Flaw}s, to check that the suite fails
 * transports that break the contract.
 */
final class UrlConnectionTransport implements Transport {
  /** Contract breaches the suite must catch. */
  enum Flaw {
    FOLLOWS_REDIRECTS,
    RESENDS_POST_AFTER_A_FAILURE,
    KEY_IN_EXCEPTION_MESSAGES,
    TEXT_PLAIN_CONTENT_TYPE,
    TASK_ID_AS_STRING,
    NO_USER_AGENT,
    CALLBACK_ON_CALLERS_THREAD,
    READS_WHOLE_BODY
  }

  static TransportProvider provider(Flaw... flaws) {
    final Set<Flaw> set = EnumSet.noneOf(Flaw.class);
    set.addAll(java.util.Arrays.asList(flaws));
    return new TransportProvider() {
      @Override
      public String id() {
        return "urlconnection";
      }

      @Override
      public int priority() {
        return 0;
      }

      @Override
      public Transport create(TransportOptions options) {
        return new UrlConnectionTransport(options, set);
      }
    };
  }

  private static final EnvelopeParser FLAT_JSON =
      json -> {
        Map<String, Object> fields = FlatJson.parse(new String(json, StandardCharsets.UTF_8));
        Object errorId = fields.get("errorId");
        return new ResponseEnvelope(
            errorId instanceof BigDecimal ? ((BigDecimal) errorId).longValueExact() : null,
            text(fields.get("errorCode")),
            text(fields.get("errorDescription")),
            text(fields.get("status")));
      };

  private final TransportOptions options;
  private final Set<Flaw> flaws;
  private final ExecutorService executor = Executors.newCachedThreadPool(daemon());

  private UrlConnectionTransport(TransportOptions options, Set<Flaw> flaws) {
    this.options = options;
    this.flaws = flaws;
  }

  @Override
  public String id() {
    return "urlconnection";
  }

  /**
   * HttpURLConnection's I/O ignores interrupts and has no deadline for a whole answer, so the
   * caller waits for a worker, interruptibly and at most the request timeout, and then cuts it off.
   */
  @Override
  public TransportResponse send(TransportRequest request) throws IOException {
    AtomicReference<HttpURLConnection> connection = new AtomicReference<>();
    Future<TransportResponse> exchange = executor.submit(() -> sendWithFlaws(request, connection));
    try {
      return exchange.get(options.requestTimeoutMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      cutOff(exchange, connection);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    } catch (TimeoutException e) {
      cutOff(exchange, connection);
      throw new SocketTimeoutException("no whole answer within the request timeout");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException) {
        throw (IOException) e.getCause();
      }
      throw new IOException(e.getCause());
    }
  }

  private static void cutOff(
      Future<TransportResponse> exchange, AtomicReference<HttpURLConnection> connection) {
    exchange.cancel(true);
    HttpURLConnection open = connection.get();
    if (open != null) {
      // Not on the caller's thread: disconnect() closes the body stream, whose monitor the worker
      // holds in every blocking read, so under a dripping answer it can wait until the body ends.
      Thread disconnect = new Thread(open::disconnect, "urlconnection-transport-cutoff");
      disconnect.setDaemon(true);
      disconnect.start();
    }
  }

  private TransportResponse sendWithFlaws(
      TransportRequest request, AtomicReference<HttpURLConnection> connection) throws IOException {
    try {
      return sendOnce(request, connection);
    } catch (IOException e) {
      if (flaws.contains(Flaw.RESENDS_POST_AFTER_A_FAILURE)) {
        return sendOnce(request, connection);
      }
      if (flaws.contains(Flaw.KEY_IN_EXCEPTION_MESSAGES)) {
        // Same type, so that only the message is wrong.
        IOException leaky =
            e instanceof java.net.ConnectException
                ? new java.net.ConnectException("failed to send " + body(request))
                : new IOException("failed to send " + body(request));
        leaky.initCause(e);
        throw leaky;
      }
      throw e;
    }
  }

  @Override
  public void sendAsync(TransportRequest request, TransportCallback callback) {
    Runnable task =
        () -> {
          TransportResponse response;
          try {
            response = send(request);
          } catch (IOException e) {
            callback.onFailure(e);
            return;
          }
          callback.onResponse(response);
        };
    if (flaws.contains(Flaw.CALLBACK_ON_CALLERS_THREAD)) {
      task.run();
    } else {
      executor.execute(task);
    }
  }

  private TransportResponse sendOnce(
      TransportRequest request, AtomicReference<HttpURLConnection> opened) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) request.uri().toURL().openConnection();
    opened.set(connection);
    connection.setConnectTimeout((int) options.connectTimeoutMillis());
    connection.setReadTimeout((int) options.requestTimeoutMillis());
    connection.setInstanceFollowRedirects(flaws.contains(Flaw.FOLLOWS_REDIRECTS));
    connection.setRequestMethod("POST");
    connection.setDoOutput(true);
    byte[] body = body(request).getBytes(StandardCharsets.UTF_8);
    if (!flaws.contains(Flaw.FOLLOWS_REDIRECTS)) {
      // Streaming mode also stops HttpURLConnection from resending the POST, or following a
      // redirect, on its own.
      connection.setFixedLengthStreamingMode(body.length);
    }
    for (Map.Entry<String, String> header : request.headers().entrySet()) {
      connection.setRequestProperty(header.getKey(), header.getValue());
    }
    if (flaws.contains(Flaw.TEXT_PLAIN_CONTENT_TYPE)) {
      connection.setRequestProperty("Content-Type", "text/plain");
    }
    if (flaws.contains(Flaw.NO_USER_AGENT)) {
      connection.setRequestProperty("User-Agent", "Java");
    }
    try (OutputStream out = connection.getOutputStream()) {
      out.write(body);
    }
    int status = connection.getResponseCode();
    InputStream raw = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
    InputStream in = raw == null ? null : new WholeBody(raw, connection.getContentLengthLong());
    int limit =
        flaws.contains(Flaw.READS_WHOLE_BODY) ? Integer.MAX_VALUE - 8 : request.maxResponseBytes();
    TransportResponse response =
        TransportResponse.read(
            status, connection.getHeaderField("Retry-After"), in, limit, FLAT_JSON);
    if (in != null) {
      in.close();
    }
    return response;
  }

  private String body(TransportRequest request) {
    String taskId =
        flaws.contains(Flaw.TASK_ID_AS_STRING)
            ? "\"" + request.taskId() + "\""
            : Long.toString(request.taskId());
    return "{\"clientKey\":\""
        + FlatJson.escape(request.clientKey())
        + "\",\"taskId\":"
        + taskId
        + "}";
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  /**
   * HttpURLConnection ends a body cut short of its Content-Length as if it were complete; this says
   * it was cut off.
   */
  private static final class WholeBody extends java.io.FilterInputStream {
    private final long expected;
    private long count;

    WholeBody(InputStream in, long expected) {
      super(in);
      this.expected = expected;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n < 0 && expected >= 0 && count < expected) {
        throw new java.io.EOFException(
            "the answer ended after " + count + " of " + expected + " bytes");
      }
      count += Math.max(n, 0);
      return n;
    }
  }

  private static String text(Object value) {
    return value instanceof String ? (String) value : null;
  }

  private static java.util.concurrent.ThreadFactory daemon() {
    return runnable -> {
      Thread thread = new Thread(runnable, "urlconnection-transport");
      thread.setDaemon(true);
      return thread;
    };
  }
}
