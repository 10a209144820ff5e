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
import org.jspecify.annotations.Nullable;

/**
 * One exchange with the blocking {@link HttpClient#send}, which has no handle to abort: core
 * interrupts the thread running it (see {@link #abortsByInterrupt()}), which cancels the exchange
 * (Java 16 and later) or wakes its body read, and {@link #abort()} closes the body.
 */
final class JdkExchange implements Exchange {
  private final HttpClient client;
  private final HttpRequest request;

  private volatile @Nullable TransportResponse response;

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
    HttpResponse<InputStream> answer;
    try {
      answer = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
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
    // Closing the body drops the connection when the body was not read to its end. Aborted as the
    // answer came: abort() closed the body, or the answer is complete; either way core reads what
    // there is and decides by the abort's reason.
    TransportResponse answered =
        TransportResponse.of(
            answer.statusCode(), answer.headers()::allValues, answer.body(), answer.body());
    response = answered;
    return answered;
  }

  @Override
  public void abort() {
    aborted = true;
    TransportResponse answered = response;
    if (answered != null) {
      answered.close();
    }
  }

  @Override
  public boolean abortsByInterrupt() {
    return true;
  }
}
