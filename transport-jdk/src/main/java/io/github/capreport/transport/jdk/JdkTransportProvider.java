package io.github.capreport.transport.jdk;

import io.github.capreport.spi.Transport;
import io.github.capreport.spi.TransportOptions;
import io.github.capreport.spi.TransportProvider;

/**
 * Provides {@link JdkTransport}. Priority 100, the lowest of the bundled transports: it needs no
 * HTTP library, so it is the fallback; a user who added the apache or retrofit transport did so for
 * that client.
 */
public final class JdkTransportProvider extends TransportProvider {
  public static final String ID = "jdk";

  public JdkTransportProvider() {
    super(ID, 100);
  }

  @Override
  public Transport create(TransportOptions options) {
    return JdkTransport.builder().options(options).build();
  }
}
