package io.github.capreport.transport.apache;

import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportProvider;

/**
 * Provides {@link ApacheTransport}. Priority 300, the highest of the bundled transports (apache 300
 * &gt; retrofit 200 &gt; jdk 100): a user who added this artifact did so deliberately, to report
 * over Apache HttpClient, while jdk is the fallback that needs no extra dependency.
 */
public final class ApacheTransportProvider implements TransportProvider {
  public static final String ID = "apache";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public int priority() {
    return 300;
  }

  @Override
  public Transport create(TransportOptions options) {
    return ApacheTransport.builder().options(options).build();
  }
}
