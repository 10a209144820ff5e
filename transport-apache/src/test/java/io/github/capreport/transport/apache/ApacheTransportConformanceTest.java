package io.github.capreport.transport.apache;

import io.github.capreport.spi.TransportProvider;
import io.github.capreport.testkit.TransportConformanceSuite;

class ApacheTransportConformanceTest extends TransportConformanceSuite {
  @Override
  protected TransportProvider provider() {
    return new ApacheTransportProvider();
  }
}
