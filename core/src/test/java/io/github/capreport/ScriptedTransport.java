package io.github.capreport;

import io.github.capreport.spi.Exchange;
import io.github.capreport.spi.JsonBinding;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportProvider;
import io.github.capreport.spi.TransportRequest;
import io.github.capreport.spi.TransportResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A fake of the new SPI for core's tests: each exchange takes the next {@link Step} of a script (an
 * answer, an exception, a hang until aborted, a body that breaks), falling back to {@link
 * #otherwise}. It records every request handed to it, every request sent ({@code execute()}), every
 * abort, and how many exchanges were in flight at once.
 */
public final class ScriptedTransport implements Transport {
  /** How long a step that waits for an abort or a gate waits before it gives up. */
  private static final long STEP_WAIT_SECONDS = 60;

  /** What one exchange does once executed. */
  @FunctionalInterface
  public interface Step {
    TransportResponse execute(ScriptedExchange exchange) throws IOException;
  }

  /** What {@link #JSON} writes: the request body, for tests that build a request by hand. */
  public static byte[] body(String clientKey, long taskId) {
    String key = clientKey.replace("\\", "\\\\").replace("\"", "\\\"");
    return ("{\"clientKey\":\"" + key + "\",\"taskId\":" + taskId + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Writes {@code {"clientKey":"...","taskId":n}} by hand; decodes only the bodies that {@link
   * Answers} registered, and rejects anything else as a JSON library rejects HTML.
   */
  public static final JsonBinding JSON =
      new JsonBinding() {
        @Override
        public byte[] reportBody(String clientKey, long taskId) {
          return body(clientKey, taskId);
        }

        @Override
        public void readMembers(byte[] json, Members members) throws Exception {
          String text = new String(json, StandardCharsets.UTF_8);
          if (!Answers.replay(text, members)) {
            throw new IOException("not JSON: " + text);
          }
        }
      };

  private final String id;
  private final ConcurrentLinkedQueue<Step> script = new ConcurrentLinkedQueue<>();
  private volatile Function<TransportRequest, Step> otherwise =
      request -> fail(new IOException("the script has no step left"));
  private final List<TransportRequest> handed = Collections.synchronizedList(new ArrayList<>());
  private final List<TransportRequest> sent = Collections.synchronizedList(new ArrayList<>());
  private final List<ScriptedExchange> exchanges = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger aborted = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final Semaphore executions = new Semaphore(0);
  private final AtomicInteger closes = new AtomicInteger();
  private volatile RuntimeException newExchangeFailure;
  private volatile JsonBinding json = JSON;

  public ScriptedTransport() {
    this("fake");
  }

  public ScriptedTransport(String id) {
    this.id = id;
  }

  /** A provider that hands out this transport and remembers the options it was created with. */
  public Provider provider() {
    return new Provider();
  }

  /** See {@link #provider()}. */
  public final class Provider extends TransportProvider {
    volatile TransportOptions options;

    Provider() {
      super("made", 0);
    }

    @Override
    public Transport create(TransportOptions options) {
      this.options = options;
      return ScriptedTransport.this;
    }
  }

  // ---- the script ----

  /** Appends steps, taken one per exchange, in order. */
  public ScriptedTransport then(Step... steps) {
    Collections.addAll(script, steps);
    return this;
  }

  /** What every exchange does once the script is used up. */
  public ScriptedTransport otherwise(Step step) {
    this.otherwise = request -> step;
    return this;
  }

  /** As {@link #otherwise(Step)}, the step chosen per request. */
  public ScriptedTransport answering(Function<TransportRequest, Step> byRequest) {
    this.otherwise = byRequest;
    return this;
  }

  /** Makes {@code newExchange} throw, as a buggy transport might. */
  public ScriptedTransport failNewExchange(RuntimeException e) {
    this.newExchangeFailure = e;
    return this;
  }

  /** Binds JSON with {@code binding} instead of {@link #JSON}, as a buggy transport might. */
  public ScriptedTransport binding(JsonBinding binding) {
    this.json = binding;
    return this;
  }

  // ---- steps ----

  public static Step fail(IOException e) {
    return exchange -> {
      throw e;
    };
  }

  /** Breaks the SPI's contract with an unchecked exception from {@code execute()}. */
  public static Step crash(RuntimeException e) {
    return exchange -> {
      throw e;
    };
  }

  /** Blocks in {@code execute()} until the exchange is aborted, then fails as aborted. */
  public static Step hang() {
    return exchange -> {
      exchange.awaitAbort();
      throw new IOException("aborted while waiting for the headers");
    };
  }

  /** Answers 200 at once, then blocks reading the body until the exchange is aborted. */
  public static Step hangInBody() {
    return exchange ->
        response(
            200,
            null,
            new InputStream() {
              @Override
              public int read() throws IOException {
                exchange.awaitAbort();
                throw new IOException("aborted while reading the body");
              }
            });
  }

  /** Answers 200 with a body that ends in a broken connection after {@code prefix}. */
  public static Step breakMidway(String prefix) {
    byte[] bytes = prefix.getBytes(StandardCharsets.UTF_8);
    return exchange ->
        response(
            200,
            null,
            new InputStream() {
              private int next;

              @Override
              public int read() throws IOException {
                if (next < bytes.length) {
                  return bytes[next++] & 0xff;
                }
                throw new IOException("connection reset");
              }
            });
  }

  /** Blocks until {@code gate} opens, then does {@code then}; an abort ends the wait as failed. */
  public static Step gated(CountDownLatch gate, Step then) {
    return exchange -> {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_WAIT_SECONDS);
      try {
        while (!gate.await(1, TimeUnit.MILLISECONDS)) {
          if (exchange.isAborted()) {
            throw new IOException("aborted while held at the gate");
          }
          if (System.nanoTime() > end) {
            throw new IOException("the gate never opened");
          }
        }
      } catch (InterruptedException e) {
        // Deaf to interrupts, as a socket read is: only an abort ends the wait early.
        Thread.currentThread().interrupt();
        exchange.awaitAbort();
        throw new IOException("aborted while held at the gate");
      }
      return then.execute(exchange);
    };
  }

  /** An answer with this status, {@code Retry-After} (or null) and body; for core's tests. */
  public static TransportResponse response(int status, String retryAfter, InputStream body) {
    return TransportResponse.of(
        status,
        name ->
            "Retry-After".equalsIgnoreCase(name) && retryAfter != null
                ? Collections.singletonList(retryAfter)
                : Collections.<String>emptyList(),
        body,
        () -> {});
  }

  static TransportResponse response(int status, String retryAfter, byte[] body) {
    return response(status, retryAfter, new ByteArrayInputStream(body));
  }

  // ---- what was seen ----

  /** Requests handed to {@code newExchange}, sent or not. */
  public List<TransportRequest> handed() {
    synchronized (handed) {
      return new ArrayList<>(handed);
    }
  }

  /** Requests whose exchange was executed: the ones that went out. */
  public List<TransportRequest> sent() {
    synchronized (sent) {
      return new ArrayList<>(sent);
    }
  }

  public List<ScriptedExchange> exchanges() {
    synchronized (exchanges) {
      return new ArrayList<>(exchanges);
    }
  }

  /** How many exchanges were aborted, each counted once. */
  public int aborted() {
    return aborted.get();
  }

  /** The most exchanges executing at once, from {@code execute()} to the response's close. */
  public int maxInFlight() {
    return maxInFlight.get();
  }

  public int inFlight() {
    return inFlight.get();
  }

  public int closes() {
    return closes.get();
  }

  /** Waits (10 s at most) until {@code n} more exchanges were executed; false if they were not. */
  public boolean awaitExecutions(int n) throws InterruptedException {
    return executions.tryAcquire(n, 10, TimeUnit.SECONDS);
  }

  // ---- the SPI ----

  @Override
  public String id() {
    return id;
  }

  @Override
  public JsonBinding json() {
    return json;
  }

  @Override
  public Exchange newExchange(TransportRequest request) {
    handed.add(request);
    RuntimeException failure = newExchangeFailure;
    if (failure != null) {
      throw failure;
    }
    ScriptedExchange exchange = new ScriptedExchange(request);
    exchanges.add(exchange);
    return exchange;
  }

  @Override
  public void close() {
    closes.incrementAndGet();
  }

  /** One exchange of the fake. */
  public final class ScriptedExchange implements Exchange {
    private final TransportRequest request;
    private final CountDownLatch abort = new CountDownLatch(1);
    private final AtomicBoolean executed = new AtomicBoolean();
    private final AtomicInteger abortCalls = new AtomicInteger();
    private final AtomicBoolean abortedOnce = new AtomicBoolean();

    ScriptedExchange(TransportRequest request) {
      this.request = request;
    }

    public TransportRequest request() {
      return request;
    }

    public boolean isAborted() {
      return abort.getCount() == 0;
    }

    public boolean wasExecuted() {
      return executed.get();
    }

    public int abortCalls() {
      return abortCalls.get();
    }

    /**
     * Blocks until aborted, deaf to interrupts as a socket read is; a step that waits longer than a
     * minute fails the test's report.
     */
    public void awaitAbort() throws IOException {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_WAIT_SECONDS);
      try {
        if (abort.await(STEP_WAIT_SECONDS, TimeUnit.SECONDS)) {
          return;
        }
        throw new IOException("never aborted");
      } catch (InterruptedException e) {
        // A socket read neither ends nor clears the flag: keep it set for the watchdog to see,
        // and spin (the latch would throw at once) until the abort comes.
        Thread.currentThread().interrupt();
        while (!isAborted()) {
          if (System.nanoTime() > end) {
            throw new IOException("never aborted");
          }
          Thread.onSpinWait();
        }
      }
    }

    @Override
    public TransportResponse execute() throws IOException {
      if (!executed.compareAndSet(false, true)) {
        throw new IllegalStateException("execute() called twice");
      }
      if (isAborted()) {
        throw new IOException("aborted before it was sent");
      }
      Step step = script.poll();
      if (step == null) {
        step = otherwise.apply(request);
      }
      sent.add(request);
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      executions.release();
      TransportResponse response;
      try {
        response = step.execute(this);
      } catch (IOException | RuntimeException | Error e) {
        inFlight.decrementAndGet();
        throw e;
      }
      AtomicBoolean closed = new AtomicBoolean();
      return TransportResponse.of(
          response.statusCode(),
          name -> {
            String value = response.header(name);
            return value == null
                ? Collections.<String>emptyList()
                : Collections.singletonList(value);
          },
          response.body(),
          () -> {
            if (closed.compareAndSet(false, true)) {
              inFlight.decrementAndGet();
            }
            response.close();
          });
    }

    @Override
    public void abort() {
      abortCalls.incrementAndGet();
      if (abortedOnce.compareAndSet(false, true)) {
        aborted.incrementAndGet();
        abort.countDown();
      }
    }
  }
}
