package io.github.capreport.internal;

import io.github.capreport.ScriptedTransport;
import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportProvider;

/** Registered in core's test resources so discovery through ServiceLoader is exercised. */
public final class RegisteredTestProvider extends TransportProvider {
  public RegisteredTestProvider() {
    super("test", 0);
  }

  @Override
  public Transport create(TransportOptions options) {
    return new ScriptedTransport("test");
  }
}
