package io.github.capreport.transport.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

/** The body stream's own rules; the contract suite drives it over real HTTP. */
class JdkBodyTest {
  /** Counts what the body asked of java.net.http. */
  private static final class Subscription implements Flow.Subscription {
    long requested;
    boolean cancelled;

    @Override
    public void request(long n) {
      requested += n;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  @Test
  void closedBeforeJavaNetHttpSubscribesItCancelsTheSubscription() {
    JdkExchange.Body body = new JdkExchange.Body();
    body.close(); // core aborted right after the headers
    Subscription subscription = new Subscription();
    body.onSubscribe(subscription);
    assertTrue(subscription.cancelled, "else the connection stays open, out of the pool");
    assertEquals(0, subscription.requested);
  }

  @Test
  void readsEachListThenAsksForTheNext() throws IOException {
    JdkExchange.Body body = new JdkExchange.Body();
    Subscription subscription = new Subscription();
    body.onSubscribe(subscription);
    body.onNext(Collections.singletonList(ByteBuffer.wrap("{}".getBytes(StandardCharsets.UTF_8))));
    body.onComplete();
    byte[] read = new byte[8];
    assertEquals(0, body.read(read, 0, 0));
    assertEquals(2, body.read(read, 0, 8));
    assertEquals(-1, body.read(read, 0, 8));
    assertEquals(-1, body.read());
    assertEquals(2, subscription.requested, "one list at a time");
  }

  @Test
  void aFailedBodyFailsEveryReadNotOnlyTheFirst() {
    JdkExchange.Body body = new JdkExchange.Body();
    body.onSubscribe(new Subscription());
    body.onError(new IOException("Illegal character in chunk size"));
    assertEquals(
        "Illegal character in chunk size",
        assertThrows(IOException.class, body::read).getMessage());
    assertThrows(IOException.class, body::read, "a truncated body must not look complete");
  }

  @Test
  void anInterruptEndsAReadThatWaitsAndIsKept() {
    JdkExchange.Body body = new JdkExchange.Body();
    body.onSubscribe(new Subscription());
    Thread.currentThread().interrupt();
    try {
      assertThrows(InterruptedIOException.class, body::read);
      assertTrue(Thread.interrupted(), "the interrupt status is kept");
    } finally {
      Thread.interrupted();
    }
  }
}
