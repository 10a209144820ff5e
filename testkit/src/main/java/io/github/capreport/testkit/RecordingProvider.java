package io.github.capreport.testkit;

import io.github.capreport.spi.Exchange;
import io.github.capreport.spi.JsonBinding;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportProvider;
import io.github.capreport.spi.TransportRequest;
import io.github.capreport.spi.TransportResponse;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps the provider under test so that the suite can see which transports the client created,
 * whether it closed them, and how many exchanges got their headers. Every call is passed through
 * unchanged.
 */
final class RecordingProvider extends TransportProvider {
  private final TransportProvider delegate;
  final List<Recording> created = new CopyOnWriteArrayList<>();
  private final AtomicInteger answered = new AtomicInteger();

  RecordingProvider(TransportProvider delegate) {
    super(delegate.id(), delegate.priority());
    this.delegate = delegate;
  }

  @Override
  public Transport create(TransportOptions options) {
    Recording transport = new Recording(delegate.create(options), answered);
    created.add(transport);
    return transport;
  }

  /**
   * How many exchanges of the transports created so far returned from {@link Exchange#execute()}
   * with an answer: whose status line and headers had arrived.
   */
  int answered() {
    return answered.get();
  }

  static final class Recording implements Transport {
    final Transport delegate;
    final AtomicInteger closes = new AtomicInteger();
    private final AtomicInteger answered;

    Recording(Transport delegate, AtomicInteger answered) {
      this.delegate = delegate;
      this.answered = answered;
    }

    @Override
    public String id() {
      return delegate.id();
    }

    @Override
    public JsonBinding json() {
      return delegate.json();
    }

    @Override
    public Exchange newExchange(TransportRequest request) {
      final Exchange exchange = delegate.newExchange(request);
      return new Exchange() {
        @Override
        public TransportResponse execute() throws IOException {
          TransportResponse response = exchange.execute();
          answered.incrementAndGet();
          return response;
        }

        @Override
        public void abort() {
          exchange.abort();
        }

        @Override
        public boolean abortsByInterrupt() {
          return exchange.abortsByInterrupt();
        }

        @Override
        public String toString() {
          return exchange.toString();
        }
      };
    }

    @Override
    public void close() {
      closes.incrementAndGet();
      delegate.close();
    }

    @Override
    public String toString() {
      return delegate.toString();
    }
  }
}
