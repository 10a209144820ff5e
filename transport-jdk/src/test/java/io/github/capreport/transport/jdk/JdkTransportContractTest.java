package io.github.capreport.transport.jdk;

import io.github.capreport.spi.TransportProvider;
import io.github.capreport.testkit.TransportContractSuite;

class JdkTransportContractTest extends TransportContractSuite {
  @Override
  protected TransportProvider provider() {
    return new JdkTransportProvider();
  }
}
