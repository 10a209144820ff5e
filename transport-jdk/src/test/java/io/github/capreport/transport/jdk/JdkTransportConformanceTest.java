package io.github.capreport.transport.jdk;

import io.github.capreport.spi.TransportProvider;
import io.github.capreport.testkit.TransportConformanceSuite;

class JdkTransportConformanceTest extends TransportConformanceSuite {
  @Override
  protected TransportProvider provider() {
    return new JdkTransportProvider();
  }
}
