package io.github.capreport.transport.jdk;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Collects at most {@code limit} bytes of a body, then cancels the rest, so an oversized answer
 * costs neither memory nor the time to drain it. With a deadline, a body still incomplete at that
 * {@link System#nanoTime()} fails with a {@link TimeoutException} and its connection is dropped.
 */
final class BoundedBodyHandler implements HttpResponse.BodyHandler<byte[]> {
  /** No deadline: the caller bounds the exchange itself. */
  static final long NO_DEADLINE = Long.MIN_VALUE;

  private final int limit;
  private final long deadlineNanos;

  BoundedBodyHandler(int limit, long deadlineNanos) {
    this.limit = limit;
    this.deadlineNanos = deadlineNanos;
  }

  @Override
  public HttpResponse.BodySubscriber<byte[]> apply(HttpResponse.ResponseInfo responseInfo) {
    return new Subscriber(limit, deadlineNanos);
  }

  private static final class Subscriber implements HttpResponse.BodySubscriber<byte[]> {
    private final int limit;
    private final long deadlineNanos;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    Subscriber(int limit, long deadlineNanos) {
      this.limit = limit;
      this.deadlineNanos = deadlineNanos;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      if (deadlineNanos != NO_DEADLINE) {
        result
            .orTimeout(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)
            .whenComplete(
                (body, error) -> {
                  if (error instanceof TimeoutException) {
                    subscription.cancel();
                  }
                });
      }
      subscription.request(Long.MAX_VALUE);
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
        subscription.cancel();
        result.complete(bytes.toByteArray());
      }
    }

    @Override
    public void onError(Throwable throwable) {
      result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
      result.complete(bytes.toByteArray());
    }
  }
}
