package io.github.capreport.transport.jdk;

import io.github.capreport.spi.Exchange;
import io.github.capreport.spi.TransportResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.List;

/**
 * One exchange with {@link HttpClient#send}, which has no handle to abort: an abort interrupts the
 * thread running the exchange, which cancels it (Java 16 and later) or wakes its body read, and
 * closes the body. The interrupt is the exchange's own and is cleared when it ends; an interrupt of
 * the caller's is kept.
 */
final class JdkExchange implements Exchange, TransportResponse {
  private final HttpClient client;
  private final HttpRequest request;
  private HttpResponse<InputStream> response;
  private Thread runner;
  private boolean aborted;
  private boolean interruptedByAbort;

  JdkExchange(HttpClient client, HttpRequest request) {
    this.client = client;
    this.request = request;
  }

  @Override
  public TransportResponse execute() throws IOException {
    synchronized (this) {
      if (aborted) {
        throw new IOException("the exchange was aborted before it was sent");
      }
      if (client == null) {
        throw new IOException("the transport is closed");
      }
      runner = Thread.currentThread();
    }
    HttpResponse<InputStream> answer;
    try {
      answer = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      throw interrupted(e);
    } catch (HttpTimeoutException e) { // the library's connect timeout
      SocketTimeoutException timeout = new SocketTimeoutException(e.getMessage());
      timeout.initCause(e);
      throw ended(timeout);
    } catch (IOException e) {
      throw ended(e);
    } catch (RuntimeException e) {
      throw ended(e);
    }
    synchronized (this) {
      response = answer;
      if (!aborted) {
        return this;
      }
    }
    close();
    throw new IOException("the exchange was aborted");
  }

  @Override
  public void abort() {
    InputStream body;
    synchronized (this) {
      aborted = true;
      if (runner != null && !interruptedByAbort) {
        interruptedByAbort = true;
        runner.interrupt();
      }
      body = response == null ? null : response.body();
    }
    closeQuietly(body);
  }

  @Override
  public int statusCode() {
    return response.statusCode();
  }

  @Override
  public String header(String name) {
    // allValues, not firstValue: the same case-insensitive lookup without a stream per report.
    List<String> values = response.headers().allValues(name);
    return values.isEmpty() ? null : values.get(0);
  }

  @Override
  public InputStream body() {
    return response.body();
  }

  /** Ends the exchange on the thread that ran it, clearing an interrupt that was its own. */
  @Override
  public void close() {
    InputStream body;
    synchronized (this) {
      body = response == null ? null : response.body();
      if (interruptedByAbort && Thread.currentThread() == runner) {
        Thread.interrupted();
      }
      runner = null;
    }
    closeQuietly(body);
  }

  private <E extends Exception> E ended(E e) {
    synchronized (this) {
      if (interruptedByAbort && Thread.currentThread() == runner) {
        Thread.interrupted();
      }
      runner = null;
    }
    return e;
  }

  private InterruptedIOException interrupted(InterruptedException e) {
    boolean ours;
    synchronized (this) {
      ours = interruptedByAbort;
    }
    ended(e);
    if (!ours) {
      Thread.currentThread().interrupt(); // the caller's own interrupt: kept
    }
    InterruptedIOException interrupted =
        new InterruptedIOException(ours ? "the exchange was aborted" : "interrupted");
    interrupted.initCause(e);
    return interrupted;
  }

  private static void closeQuietly(InputStream body) {
    if (body != null) {
      try {
        body.close();
      } catch (IOException | RuntimeException ignored) {
        // Closing drops the connection; there is nothing more to release.
      }
    }
  }
}
