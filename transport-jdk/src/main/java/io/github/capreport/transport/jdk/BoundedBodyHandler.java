package io.github.capreport.transport.jdk;

import io.github.capreport.spi.CallWatchdog;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeoutException;

/**
 * Collects at most {@code limit} bytes of a body, then cancels the rest, so an oversized answer
 * costs neither memory nor the time to drain it. With a deadline, a body still incomplete at that
 * {@link System#nanoTime()} fails with a {@link TimeoutException} and its connection is dropped:
 * the watchdog notices, since a timer per report ({@code orTimeout}) costs more than the report.
 */
final class BoundedBodyHandler implements HttpResponse.BodyHandler<byte[]> {
  /** No deadline: the caller bounds the exchange itself. */
  static final long NO_DEADLINE = Long.MIN_VALUE;

  private final int limit;
  private final long deadlineNanos;
  private final CallWatchdog watchdog;

  BoundedBodyHandler(int limit, long deadlineNanos, CallWatchdog watchdog) {
    this.limit = limit;
    this.deadlineNanos = deadlineNanos;
    this.watchdog = watchdog;
  }

  @Override
  public HttpResponse.BodySubscriber<byte[]> apply(HttpResponse.ResponseInfo responseInfo) {
    return new Subscriber(limit, deadlineNanos, watchdog);
  }

  private static final class Subscriber
      implements HttpResponse.BodySubscriber<byte[]>, CallWatchdog.Abortable {
    private final int limit;
    private final long deadlineNanos;
    private final CallWatchdog watchdog;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private Flow.Subscription subscription;
    private CallWatchdog.Watch watch;

    Subscriber(int limit, long deadlineNanos, CallWatchdog watchdog) {
      this.limit = limit;
      this.deadlineNanos = deadlineNanos;
      this.watchdog = watchdog;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      if (deadlineNanos != NO_DEADLINE) {
        watch = watchdog.watch(this, deadlineNanos, null);
      }
      subscription.request(Long.MAX_VALUE);
    }

    /** The deadline passed; the transport never closes the watchdog, so that is the only reason. */
    @Override
    public void abort(CallWatchdog.Reason reason) {
      if (result.completeExceptionally(new TimeoutException())) {
        subscription.cancel();
      }
    }

    private void stopWatching() {
      if (watch != null) {
        watch.stop();
      }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer buffer : buffers) {
        int take = Math.min(buffer.remaining(), limit - bytes.size());
        byte[] chunk = new byte[take];
        buffer.get(chunk);
        bytes.write(chunk, 0, take);
      }
      if (bytes.size() >= limit) {
        stopWatching();
        subscription.cancel();
        result.complete(bytes.toByteArray());
      }
    }

    @Override
    public void onError(Throwable throwable) {
      stopWatching();
      result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
      stopWatching();
      result.complete(bytes.toByteArray());
    }
  }
}
