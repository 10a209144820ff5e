package io.github.capreport.transport.jdk;

import io.github.capreport.spi.Exchange;
import io.github.capreport.spi.TransportResponse;
import io.github.capreport.spi.TunnelRefusedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One exchange with the blocking {@link HttpClient#send}, which has no handle to abort: core
 * interrupts the thread running it (see {@link #abortsByInterrupt()}), which cancels the exchange
 * (Java 16 and later) or wakes its body read, and {@link #abort()} closes the body.
 */
final class JdkExchange implements Exchange, TransportResponse {
  private final HttpClient client;
  private final HttpRequest request;

  @SuppressWarnings("NullAway.Init") // set by execute(), which hands out the response
  private volatile HttpResponse<InputStream> response;

  private volatile boolean aborted;

  JdkExchange(HttpClient client, HttpRequest request) {
    this.client = client;
    this.request = request;
  }

  @Override
  public TransportResponse execute() throws IOException {
    if (aborted || client == null) {
      throw new IOException(aborted ? "aborted before it was sent" : "the transport is closed");
    }
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // core clears it if the interrupt was its abort
      throw (InterruptedIOException) new InterruptedIOException("interrupted").initCause(e);
    } catch (HttpTimeoutException e) { // the client's connect timeout
      throw (SocketTimeoutException) new SocketTimeoutException(e.getMessage()).initCause(e);
    } catch (IOException e) {
      // A proxy's refused CONNECT, in java.net.http's words; a 407 it hands back as the answer,
      // unless it retried credentials the proxy kept refusing.
      throw TunnelRefusedException.fromMessage(
          e, "Tunnel failed, got: ", "too many authentication attempts");
    }
    // Aborted as the answer came: abort() closed the body, or the answer is complete; either way
    // core reads what there is and decides by the abort's reason.
    return this;
  }

  @Override
  public void abort() {
    aborted = true;
    close();
  }

  @Override
  public boolean abortsByInterrupt() {
    return true;
  }

  @Override
  public int statusCode() {
    return response.statusCode();
  }

  @Override
  public @Nullable String header(String name) {
    // allValues, not firstValue: the same case-insensitive lookup without a stream per report.
    List<String> values = response.headers().allValues(name);
    return values.isEmpty() ? null : values.get(0);
  }

  @Override
  public InputStream body() {
    return response.body();
  }

  /** Closing the body drops the connection when the body was not read to its end. */
  @Override
  public void close() {
    HttpResponse<InputStream> answered = response;
    try {
      if (answered != null) {
        answered.body().close();
      }
    } catch (IOException | RuntimeException ignored) {
      // Nothing more to release.
    }
  }
}
