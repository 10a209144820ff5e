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
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import org.jspecify.annotations.Nullable;

/**
 * One exchange with the blocking {@link HttpClient#send}, which has no handle to abort: core
 * interrupts the thread running it (see {@link #abortsByInterrupt()}), which cancels the exchange
 * (Java 16 and later) or ends its body read, and {@link #abort()} closes the body.
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
      answer = client.send(request, info -> new Body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // core clears it if the interrupt was its abort
      throw (InterruptedIOException) new InterruptedIOException("interrupted").initCause(e);
    } catch (IllegalArgumentException e) { // java.net.http's words for a malformed Content-Length
      throw new IOException(e.getMessage(), e);
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

  /**
   * The body as core reads it, fed by java.net.http a list of buffers at a time. Not the JDK's own
   * stream ({@code BodyHandlers.ofInputStream()}), which on Java 17 catches an interrupt that comes
   * while it waits for the body and waits on: a blocked caller's interrupt would be lost. This one
   * costs about 2 KB more per report, as java.net.http hands a body subscriber of its own the body
   * directly and any other through its executor.
   */
  static final class Body extends InputStream implements HttpResponse.BodySubscriber<InputStream> {
    private final List<ByteBuffer> end = new ArrayList<>(0); // the last item, by identity
    private final BlockingQueue<List<ByteBuffer>> arrived = new LinkedBlockingQueue<>();
    private final byte[] one = new byte[1];
    private Flow.@Nullable Subscription subscription; // guarded by this
    private boolean closed; // guarded by this
    private volatile @Nullable Throwable failure;
    private Iterator<ByteBuffer> buffers = Collections.emptyIterator();
    private ByteBuffer buffer = ByteBuffer.allocate(0);
    private boolean ended;

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      synchronized (this) {
        // Closed already: java.net.http subscribes on its executor, maybe after send() returned.
        if (!closed) {
          this.subscription = subscription;
          subscription.request(1);
          return;
        }
      }
      subscription.cancel();
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
      arrived.add(item);
    }

    @Override
    public void onError(Throwable failure) {
      this.failure = failure;
      arrived.add(end);
    }

    @Override
    public void onComplete() {
      arrived.add(end);
    }

    @Override
    public CompletionStage<InputStream> getBody() {
      return CompletableFuture.completedFuture(this);
    }

    @Override
    public int read() throws IOException {
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
      while (length > 0 && !buffer.hasRemaining()) {
        if (buffers.hasNext()) {
          buffer = buffers.next();
          continue;
        }
        Throwable failed = failure;
        if (failed != null) { // each read after a failure fails again: the body is incomplete
          throw failed instanceof IOException ? (IOException) failed : new IOException(failed);
        }
        if (ended) {
          return -1;
        }
        List<ByteBuffer> next;
        try {
          next = arrived.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while the body arrived");
        }
        if (next == end) {
          ended = failure == null; // else the next turn throws the failure
          continue;
        }
        buffers = next.iterator();
        requestOne();
      }
      int read = Math.min(length, buffer.remaining());
      buffer.get(into, offset, read);
      return read;
    }

    private synchronized void requestOne() {
      if (subscription != null) {
        subscription.request(1);
      }
    }

    /** Ends the body: the connection is dropped unless the body was read to its end. */
    @Override
    public void close() {
      Flow.Subscription current;
      synchronized (this) {
        closed = true;
        current = subscription;
      }
      if (failure == null) {
        failure = new IOException("closed");
      }
      if (current != null) {
        current.cancel();
      }
      arrived.add(end);
    }
  }
}
