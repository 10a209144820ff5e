package io.github.capreport.testkit;

import io.github.capreport.spi.Exchange;
import io.github.capreport.spi.JsonBinding;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportProvider;
import io.github.capreport.spi.TransportRequest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps the provider under test so that the suite can see which transports the client created and
 * whether it closed them. Every call is passed through unchanged.
 */
final class RecordingProvider implements TransportProvider {
  private final TransportProvider delegate;
  final List<Recording> created = new CopyOnWriteArrayList<>();

  RecordingProvider(TransportProvider delegate) {
    this.delegate = delegate;
  }

  @Override
  public String id() {
    return delegate.id();
  }

  @Override
  public int priority() {
    return delegate.priority();
  }

  @Override
  public Transport create(TransportOptions options) {
    Recording transport = new Recording(delegate.create(options));
    created.add(transport);
    return transport;
  }

  static final class Recording implements Transport {
    final Transport delegate;
    final AtomicInteger closes = new AtomicInteger();

    Recording(Transport delegate) {
      this.delegate = delegate;
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
      return delegate.newExchange(request);
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
