package io.github.capreport.transport.apache;

import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportProvider;

/**
 * Provides {@link ApacheTransport}. Priority 300, the highest of the bundled transports (apache 300
 * &gt; retrofit 200 &gt; jdk 100): a user who added this artifact did so deliberately, to report
 * over Apache HttpClient, while jdk is the fallback that needs no extra dependency.
 */
public final class ApacheTransportProvider extends TransportProvider {
  public static final String ID = "apache";

  public ApacheTransportProvider() {
    super(ID, 300);
  }

  @Override
  public Transport create(TransportOptions options) {
    return ApacheTransport.builder().options(options).build();
  }
}
